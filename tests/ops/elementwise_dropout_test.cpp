// Dropout: identity in inference, inverted dropout in training (scale, mask output, reproducible
// from the seed, the right drop rate), ratio from input or attribute, gradients through the mask.
#include "ops/shape_test_util.h"

namespace prunq::testing {
namespace {

TEST(ElementwiseDropout, InferenceIsIdentityWithAllOnesMask) {
  Tensor x = random_tensor({4, 5}, 1);
  std::vector<Tensor> out = run_forward({"Dropout", {}, {x, Tensor::scalar(0.3f)}, 2, /*training=*/false});
  EXPECT_EQ(max_abs_diff(out[0], x), 0.f);
  ASSERT_EQ(out[1].dtype(), DType::u8);
  for (int64_t i = 0; i < out[1].numel(); ++i) EXPECT_EQ(out[1].data<uint8_t>()[i], 1);
}

TEST(ElementwiseDropout, TrainingDropsAndScales) {
  Tensor x = Tensor::full({100, 100}, 2.f);
  const float ratio = 0.3f;
  std::vector<Tensor> out = run_forward({"Dropout", {}, {x, Tensor::scalar(ratio)}, 2, /*training=*/true});
  int64_t kept = 0;
  for (int64_t i = 0; i < x.numel(); ++i) {
    float y = out[0].f32()[i];
    bool keep = out[1].data<uint8_t>()[i] != 0;
    kept += keep;
    EXPECT_FLOAT_EQ(y, keep ? 2.f / (1.f - ratio) : 0.f);
  }
  // 10000 Bernoulli(0.7) draws: 7000 +- 46 (1 sigma); allow 5 sigma.
  EXPECT_NEAR(double(kept), 7000.0, 230.0);
}

TEST(ElementwiseDropout, SameSeedSameMaskOtherSeedOtherMask) {
  Tensor x = random_tensor({64}, 2);
  OpCase c{"Dropout", {}, {x}, 1, true};
  Tensor a = run_forward(c, nullptr, 5)[0], b = run_forward(c, nullptr, 5)[0], d = run_forward(c, nullptr, 6)[0];
  EXPECT_EQ(max_abs_diff(a, b), 0.f);
  EXPECT_GT(max_abs_diff(a, d), 0.f);
}

TEST(ElementwiseDropout, RatioAttributeDefaultAndZero) {
  Tensor x = Tensor::full({1000}, 1.f);
  Tensor y = run_forward({"Dropout", {}, {x}, 1, true})[0];  // default ratio 0.5: kept values are 2
  int64_t kept = 0;
  for (int64_t i = 0; i < x.numel(); ++i) kept += y.f32()[i] == 2.f;
  EXPECT_NEAR(double(kept), 500.0, 80.0);
  Attributes zero;
  zero.set("ratio", 0.f);
  EXPECT_EQ(max_abs_diff(run_forward({"Dropout", zero, {x}, 1, true})[0], x), 0.f);
}

TEST(ElementwiseDropout, TrainingModeInputFalseDisablesDropping) {
  Tensor x = random_tensor({50}, 3);
  Tensor off = Tensor::from_vector_i64({}, {0});
  EXPECT_EQ(max_abs_diff(run_forward({"Dropout", {}, {x, Tensor::scalar(0.5f), off}, 1, true})[0], x), 0.f);
}

TEST(ElementwiseDropout, GradientsFollowTheMask) {
  Tensor x = random_tensor({3, 7}, 4);
  check_gradients({"Dropout", {}, {x, Tensor::scalar(0.4f)}, 1, true});
  check_gradients({"Dropout", {}, {x, Tensor::scalar(0.4f)}, 1, false});
}

TEST(ElementwiseDropout, InferAndBadRatio) {
  Tensor r = Tensor::scalar(0.2f);
  auto out = infer_static("Dropout", {}, {known(DType::f32, {-1, 8}), constant_input(r)}, 2);
  EXPECT_EQ(out[0].str(), "f32[-1, 8]");
  EXPECT_EQ(out[1].str(), "u8[-1, 8]");
  Tensor x = random_tensor({4}, 5);
  expect_error([&] { run_forward({"Dropout", {}, {x, Tensor::scalar(1.f)}, 1, true}); }, {"test_Dropout", "ratio"});
}

}  // namespace
}  // namespace prunq::testing
