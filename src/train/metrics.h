// Classification metrics straight from logits, so evaluation needs no loss node and can run
// the plain inference graph.
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace prunq {

struct BatchMetrics {
  double loss_sum = 0;  // summed (not averaged) softmax cross-entropy
  int64_t correct = 0;  // argmax(logits) == label
  int64_t samples = 0;
  void add(const BatchMetrics& o) {
    loss_sum += o.loss_sum;
    correct += o.correct;
    samples += o.samples;
  }
};

// logits f32 [N, C], labels i64 [N] in [0, C). Computed in double with a stable log-softmax.
BatchMetrics classification_metrics(const Tensor& logits, const Tensor& labels);

}  // namespace prunq
