#include <gtest/gtest.h>

#include <cmath>

#include "train/metrics.h"

namespace prunq {
namespace {

TEST(TrainMetrics, CrossEntropyAndAccuracyFromLogits) {
  // Row 0: uniform over 2 classes -> loss ln 2, argmax ties to class 0 (label 1: wrong).
  // Row 1: logits [0, 1000] with label 1 -> loss ~0, correct (stable for huge logits).
  Tensor logits = Tensor::from_vector({2, 2}, {0.f, 0.f, 0.f, 1000.f});
  Tensor labels = Tensor::from_vector_i64({2}, {1, 1});
  BatchMetrics m = classification_metrics(logits, labels);
  EXPECT_EQ(m.samples, 2);
  EXPECT_EQ(m.correct, 1);
  EXPECT_NEAR(m.loss_sum, std::log(2.0), 1e-9);
  EXPECT_THROW(classification_metrics(logits, Tensor::from_vector_i64({2}, {0, 2})), Error);
  EXPECT_THROW(classification_metrics(logits, Tensor::from_vector_i64({1}, {0})), Error);
}

}  // namespace
}  // namespace prunq
