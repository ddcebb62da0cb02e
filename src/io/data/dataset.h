// An in-memory labelled dataset and the few operations training needs on it: normalisation,
// a validation split, subsets, and seeded mini-batching.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace prunq {

// images: f32 [N, ...] (NCHW for image data, [N, F] for tabular data); labels: i64 [N].
struct Dataset {
  Tensor images;
  Tensor labels;
  int64_t num_classes = 10;

  int64_t size() const { return images.defined() ? images.dim(0) : 0; }
  // Shape of one sample (images' shape without the leading N).
  Shape sample_shape() const;
  // Throws unless images/labels have matching N, the right dtypes and labels in range.
  void validate(const std::string& what) const;
  // Deep copies of a row range / of chosen rows (in the given order).
  Dataset slice(int64_t begin, int64_t end) const;
  Dataset subset(const std::vector<int64_t>& rows) const;
};

struct Normalization {
  float mean = 0.f;
  float std = 1.f;
};

// Mean and standard deviation over every pixel of the dataset (one value, like the usual
// Fashion-MNIST recipe); std is floored at 1e-8 so constant data cannot divide by zero.
Normalization compute_normalization(const Dataset& d);
// In place: x = (x - mean) / std. Dataset copies share storage, so normalise a clone when the
// original must stay untouched.
void normalize(Dataset& d, const Normalization& n);

// Splits off the last `val_size` samples as a validation set (deep copies, order kept).
std::pair<Dataset, Dataset> split_validation(const Dataset& d, int64_t val_size);

// The visiting order of one epoch: identity, or a permutation that depends only on
// (seed, epoch), so runs are reproducible and epochs differ.
std::vector<int64_t> epoch_order(int64_t n, bool shuffle, uint64_t seed, int64_t epoch);

struct Batch {
  Tensor images;  // f32 [B, ...]
  Tensor labels;  // i64 [B]
};

// Splits one epoch into batches of batch_size; the last batch holds the remainder unless
// drop_last. Gathering copies rows into fresh contiguous tensors.
class BatchIterator {
 public:
  BatchIterator(const Dataset& data, int64_t batch_size, bool shuffle, uint64_t seed, int64_t epoch,
                bool drop_last = false);
  int64_t num_batches() const;
  // Fills `out` with the next batch; false when the epoch is done.
  bool next(Batch& out);

 private:
  const Dataset& data_;
  int64_t batch_size_;
  bool drop_last_;
  std::vector<int64_t> order_;
  int64_t pos_ = 0;
};

// Copies the given rows of `src` ([N, ...]) into a new tensor [rows.size(), ...].
Tensor gather_rows(const Tensor& src, const int64_t* rows, int64_t count);

}  // namespace prunq
