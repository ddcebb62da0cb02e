#include "train/metrics.h"

#include <cmath>

namespace prunq {

BatchMetrics classification_metrics(const Tensor& logits_in, const Tensor& labels_in) {
  PRUNQ_CHECK(logits_in.dtype() == DType::f32 && logits_in.rank() == 2, "metrics: logits must be f32 [N, C], got ",
              logits_in.desc());
  PRUNQ_CHECK(labels_in.dtype() == DType::i64 && labels_in.rank() == 1 && labels_in.dim(0) == logits_in.dim(0),
              "metrics: labels must be i64 [", logits_in.dim(0), "], got ", labels_in.desc());
  Tensor logits = logits_in.contiguous(), labels = labels_in.contiguous();
  const int64_t n = logits.dim(0), c = logits.dim(1);
  BatchMetrics m;
  m.samples = n;
  for (int64_t i = 0; i < n; ++i) {
    const float* row = logits.f32() + i * c;
    const int64_t y = labels.data<int64_t>()[i];
    PRUNQ_CHECK(y >= 0 && y < c, "metrics: label ", y, " at index ", i, " is outside [0, ", c, ")");
    int64_t best = 0;
    for (int64_t k = 1; k < c; ++k)
      if (row[k] > row[best]) best = k;
    double sum = 0;
    for (int64_t k = 0; k < c; ++k) sum += std::exp(double(row[k]) - row[best]);
    m.loss_sum += std::log(sum) + row[best] - row[y];
    m.correct += best == y;
  }
  return m;
}

}  // namespace prunq
