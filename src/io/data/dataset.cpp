#include "io/data/dataset.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>

namespace prunq {

Shape Dataset::sample_shape() const {
  PRUNQ_CHECK(images.defined() && images.rank() >= 1, "dataset has no images");
  return Shape(images.shape().begin() + 1, images.shape().end());
}

void Dataset::validate(const std::string& what) const {
  PRUNQ_CHECK(images.defined() && labels.defined(), what, ": dataset has no images or no labels");
  PRUNQ_CHECK(images.dtype() == DType::f32 && images.rank() >= 1, what, ": images must be f32 [N, ...], got ",
              images.desc());
  PRUNQ_CHECK(labels.dtype() == DType::i64 && labels.rank() == 1, what, ": labels must be i64 [N], got ",
              labels.desc());
  PRUNQ_CHECK(images.dim(0) == labels.dim(0), what, ": ", images.dim(0), " images but ", labels.dim(0), " labels");
  PRUNQ_CHECK(num_classes >= 1, what, ": num_classes must be positive, got ", num_classes);
  const int64_t* y = labels.data<int64_t>();
  for (int64_t i = 0; i < labels.numel(); ++i)
    PRUNQ_CHECK(y[i] >= 0 && y[i] < num_classes, what, ": label ", y[i], " at index ", i, " is outside [0, ",
                num_classes, ")");
}

Tensor gather_rows(const Tensor& src, const int64_t* rows, int64_t count) {
  Tensor s = src.contiguous();
  Shape shape = s.shape();
  const int64_t n = shape.at(0);
  shape[0] = count;
  Tensor out(s.dtype(), shape);
  const size_t row_bytes = n ? s.nbytes() / size_t(n) : 0;
  const auto* from = static_cast<const char*>(s.raw());
  auto* to = static_cast<char*>(out.raw());
  for (int64_t i = 0; i < count; ++i) {
    PRUNQ_CHECK(rows[i] >= 0 && rows[i] < n, "gather_rows: row ", rows[i], " out of range [0, ", n, ")");
    std::memcpy(to + size_t(i) * row_bytes, from + size_t(rows[i]) * row_bytes, row_bytes);
  }
  return out;
}

Dataset Dataset::slice(int64_t begin, int64_t end) const {
  PRUNQ_CHECK(0 <= begin && begin <= end && end <= size(), "dataset slice [", begin, ", ", end,
              ") is out of range for ", size(), " samples");
  std::vector<int64_t> rows(size_t(end - begin));
  std::iota(rows.begin(), rows.end(), begin);
  return subset(rows);
}

Dataset Dataset::subset(const std::vector<int64_t>& rows) const {
  Dataset d;
  d.images = gather_rows(images, rows.data(), int64_t(rows.size()));
  d.labels = gather_rows(labels, rows.data(), int64_t(rows.size()));
  d.num_classes = num_classes;
  return d;
}

Normalization compute_normalization(const Dataset& d) {
  Tensor x = d.images.contiguous();
  const float* p = x.f32();
  const int64_t n = x.numel();
  PRUNQ_CHECK(n > 0, "cannot compute normalisation statistics of an empty dataset");
  double sum = 0, sq = 0;
  for (int64_t i = 0; i < n; ++i) {
    sum += p[i];
    sq += double(p[i]) * p[i];
  }
  const double mean = sum / double(n);
  const double var = std::max(0.0, sq / double(n) - mean * mean);
  return {float(mean), std::max(1e-8f, float(std::sqrt(var)))};
}

void normalize(Dataset& d, const Normalization& n) {
  PRUNQ_CHECK(d.images.is_contiguous(), "normalize: images must be contiguous");
  PRUNQ_CHECK(n.std > 0, "normalize: std must be positive, got ", n.std);
  float* p = d.images.f32();
  const float inv = 1.f / n.std;
  for (int64_t i = 0, e = d.images.numel(); i < e; ++i) p[i] = (p[i] - n.mean) * inv;
}

std::pair<Dataset, Dataset> split_validation(const Dataset& d, int64_t val_size) {
  PRUNQ_CHECK(val_size >= 0 && val_size < d.size(), "validation split of ", val_size, " samples needs 0 <= n < ",
              d.size(), " (the dataset size)");
  return {d.slice(0, d.size() - val_size), d.slice(d.size() - val_size, d.size())};
}

std::vector<int64_t> epoch_order(int64_t n, bool shuffle, uint64_t seed, int64_t epoch) {
  std::vector<int64_t> order(size_t(std::max<int64_t>(n, 0)));
  std::iota(order.begin(), order.end(), 0);
  if (shuffle) {
    // seed_seq mixes (seed, epoch) so nearby seeds/epochs give unrelated permutations.
    std::seed_seq seq{uint32_t(seed), uint32_t(seed >> 32), uint32_t(epoch), uint32_t(uint64_t(epoch) >> 32)};
    std::mt19937_64 rng(seq);
    // Fisher-Yates with our own index draw: std::shuffle's use of the RNG is implementation
    // defined, and we want the same order on every standard library.
    for (size_t i = order.size(); i > 1; --i) {
      size_t j = size_t(rng() % i);
      std::swap(order[i - 1], order[j]);
    }
  }
  return order;
}

BatchIterator::BatchIterator(const Dataset& data, int64_t batch_size, bool shuffle, uint64_t seed, int64_t epoch,
                             bool drop_last)
    : data_(data), batch_size_(batch_size), drop_last_(drop_last) {
  PRUNQ_CHECK(batch_size >= 1, "batch size must be at least 1, got ", batch_size);
  order_ = epoch_order(data.size(), shuffle, seed, epoch);
}

int64_t BatchIterator::num_batches() const {
  const int64_t n = int64_t(order_.size());
  return drop_last_ ? n / batch_size_ : (n + batch_size_ - 1) / batch_size_;
}

bool BatchIterator::next(Batch& out) {
  const int64_t n = int64_t(order_.size());
  const int64_t count = std::min(batch_size_, n - pos_);
  if (count <= 0 || (drop_last_ && count < batch_size_)) return false;
  out.images = gather_rows(data_.images, order_.data() + pos_, count);
  out.labels = gather_rows(data_.labels, order_.data() + pos_, count);
  pos_ += count;
  return true;
}

}  // namespace prunq
