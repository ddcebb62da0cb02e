// BatchNormalization: inference and training forward against formulas computed here, in-place
// running-statistics update (ONNX momentum, unbiased variance), gradients in both modes, errors.
#include <gtest/gtest.h>

#include <cmath>

#include "support/op_harness.h"

namespace prunq {
namespace {
using testing::OpCase;
using testing::random_tensor;

OpCase bn_case(Shape x, bool training, uint64_t seed = 1) {
  const int64_t c = x[1];
  OpCase k;
  k.op = "BatchNormalization";
  k.training = training;
  k.inputs = {random_tensor(x, seed, -2.f, 3.f), random_tensor({c}, seed + 1, 0.5f, 1.5f),
              random_tensor({c}, seed + 2), random_tensor({c}, seed + 3), random_tensor({c}, seed + 4, 0.5f, 2.f)};
  k.attrs.set("epsilon", 1e-3f);
  k.attrs.set("momentum", 0.8f);
  return k;
}

// Per-channel mean and biased variance of X viewed as [N, C, S].
void channel_stats(const Tensor& x, int64_t c, double* mean, double* var) {
  const int64_t n = x.dim(0), C = x.dim(1), s = x.numel() / (n * C);
  double sum = 0, sq = 0;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t i = 0; i < s; ++i) sum += x.f32()[(b * C + c) * s + i];
  *mean = sum / double(n * s);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t i = 0; i < s; ++i) sq += std::pow(x.f32()[(b * C + c) * s + i] - *mean, 2);
  *var = sq / double(n * s);
}

TEST(NnBatchNorm, InferenceUsesRunningStatistics) {
  OpCase k = bn_case({2, 3, 2, 2}, false);
  Tensor mean_before = k.inputs[3].clone(), var_before = k.inputs[4].clone();
  Tensor y = testing::run_forward(k)[0];
  const int64_t C = 3, S = 4;
  for (int64_t i = 0; i < y.numel(); ++i) {
    int64_t c = (i / S) % C;
    double expect = (k.inputs[0].f32()[i] - k.inputs[3].f32()[c]) / std::sqrt(k.inputs[4].f32()[c] + 1e-3) *
                        k.inputs[1].f32()[c] + k.inputs[2].f32()[c];
    EXPECT_NEAR(y.f32()[i], expect, 1e-5);
  }
  EXPECT_EQ(max_abs_diff(k.inputs[3], mean_before), 0.f);
  EXPECT_EQ(max_abs_diff(k.inputs[4], var_before), 0.f);
}

TEST(NnBatchNorm, TrainingNormalisesWithBatchStatsAndUpdatesRunningStatsInPlace) {
  OpCase k = bn_case({4, 2, 3, 3}, true);
  k.num_outputs = 3;
  Tensor running_mean = k.inputs[3];  // shares storage, like a graph initializer
  Tensor mean0 = k.inputs[3].clone(), var0 = k.inputs[4].clone();
  // run_forward also runs shape inference, which must not touch the statistics: one update.
  std::vector<Tensor> out = testing::run_forward(k);
  const int64_t C = 2, S = 9, count = 4 * S;
  for (int64_t c = 0; c < C; ++c) {
    double mean, var;
    channel_stats(k.inputs[0], c, &mean, &var);
    EXPECT_NEAR(running_mean.f32()[c], 0.8 * mean0.f32()[c] + 0.2 * mean, 1e-5);
    EXPECT_NEAR(k.inputs[4].f32()[c], 0.8 * var0.f32()[c] + 0.2 * var * count / (count - 1), 1e-5);
    EXPECT_NEAR(out[1].f32()[c], running_mean.f32()[c], 0);
    EXPECT_NEAR(out[2].f32()[c], k.inputs[4].f32()[c], 0);
    for (int64_t b = 0; b < 4; ++b)
      for (int64_t i = 0; i < S; ++i) {
        int64_t o = (b * C + c) * S + i;
        double expect = (k.inputs[0].f32()[o] - mean) / std::sqrt(var + 1e-3) * k.inputs[1].f32()[c] +
                        k.inputs[2].f32()[c];
        EXPECT_NEAR(out[0].f32()[o], expect, 1e-4);
      }
  }
}

TEST(NnBatchNorm, GradientsTrainingMode) {
  testing::check_gradients(bn_case({3, 2, 2, 2}, true), {}, 1e-2, 2e-2, 2e-2);
  testing::check_gradients(bn_case({5, 3}, true, 7));  // after a fully connected layer
}

TEST(NnBatchNorm, GradientsInferenceMode) {
  testing::check_gradients(bn_case({2, 3, 2, 2}, false));
}

TEST(NnBatchNorm, WrongParameterSizeNamesNode) {
  OpCase k = bn_case({2, 3, 2, 2}, false);
  k.inputs[1] = random_tensor({4}, 1);
  try {
    testing::run_forward(k);
    FAIL() << "expected prunq::Error";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("test_BatchNormalization"), std::string::npos) << msg;
    EXPECT_NE(msg.find("scale [4]"), std::string::npos) << msg;
  }
  OpCase rank1 = bn_case({2, 3, 2, 2}, false);
  rank1.inputs[0] = random_tensor({6}, 1);
  EXPECT_THROW(testing::run_forward(rank1), Error);
  OpCase single = bn_case({1, 3, 1, 1}, true);  // one value per channel: no batch variance
  EXPECT_THROW(testing::run_forward(single), Error);
}

}  // namespace
}  // namespace prunq
