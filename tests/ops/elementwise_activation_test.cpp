// Activations: forward vs std:: math and hand-computed values, shape inference (unknown batch,
// dtype errors), finite-difference gradients with inputs kept away from each kink.
#include <cmath>
#include <functional>
#include <limits>

#include "ops/shape_test_util.h"

namespace prunq::testing {
namespace {

struct UnaryCase {
  std::string op;
  Attributes attrs;
  std::function<double(double)> ref;
};

Attributes attrs_with(std::initializer_list<std::pair<std::string, Attribute>> kv) {
  Attributes a;
  for (auto& [k, v] : kv) a.set(k, v);
  return a;
}

std::vector<UnaryCase> unary_cases() {
  return {
      {"Relu", {}, [](double x) { return x > 0 ? x : 0; }},
      {"LeakyRelu", {}, [](double x) { return x > 0 ? x : 0.01 * x; }},
      {"LeakyRelu", attrs_with({{"alpha", 0.2f}}), [](double x) { return x > 0 ? x : 0.2 * x; }},
      {"Sigmoid", {}, [](double x) { return 1 / (1 + std::exp(-x)); }},
      {"Tanh", {}, [](double x) { return std::tanh(x); }},
      {"HardSigmoid", {}, [](double x) { return std::clamp(0.2 * x + 0.5, 0.0, 1.0); }},
      {"HardSigmoid", attrs_with({{"alpha", 0.5f}, {"beta", 0.25f}}),
       [](double x) { return std::clamp(0.5 * x + 0.25, 0.0, 1.0); }},
      {"HardSwish", {}, [](double x) { return x * std::clamp(x / 6 + 0.5, 0.0, 1.0); }},
      {"Erf", {}, [](double x) { return std::erf(x); }},
      {"Gelu", {}, [](double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); }},
      {"Gelu", attrs_with({{"approximate", std::string("tanh")}}),
       [](double x) { return 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x))); }},
  };
}

TEST(ElementwiseActivation, ForwardMatchesReferenceMath) {
  Tensor x = random_tensor({2, 3, 5}, 11, -5.f, 5.f);
  for (const UnaryCase& c : unary_cases()) {
    Tensor y = run_forward({c.op, c.attrs, {x}})[0];
    ASSERT_EQ(y.shape(), x.shape()) << c.op;
    for (int64_t i = 0; i < x.numel(); ++i)
      EXPECT_NEAR(y.f32()[i], c.ref(x.f32()[i]), 2e-6 + 2e-6 * std::fabs(c.ref(x.f32()[i]))) << c.op << " at " << x.f32()[i];
  }
}

TEST(ElementwiseActivation, HandComputedValues) {
  Tensor x = Tensor::from_vector({6}, {-4.f, -1.5f, 0.f, 1.f, 1.5f, 4.f});
  expect_values(run_forward({"Relu", {}, {x}})[0], {0, 0, 0, 1, 1.5f, 4});
  expect_values(run_forward({"LeakyRelu", attrs_with({{"alpha", 0.1f}}), {x}})[0], {-0.4f, -0.15f, 0, 1, 1.5f, 4});
  expect_values(run_forward({"HardSwish", {}, {x}})[0], {0, -0.375f, 0, 2.f / 3.f, 1.125f, 4});
  expect_values(run_forward({"HardSigmoid", {}, {x}})[0], {0, 0.2f, 0.5f, 0.7f, 0.8f, 1});
  Tensor one = Tensor::from_vector({1}, {1.f});
  expect_values(run_forward({"Gelu", {}, {one}})[0], {0.8413447f}, 1e-6f);
  expect_values(run_forward({"Gelu", attrs_with({{"approximate", std::string("tanh")}}), {one}})[0], {0.8411920f},
                1e-6f);
  expect_values(run_forward({"Sigmoid", {}, {one}})[0], {0.7310586f});
}

TEST(ElementwiseActivation, ReluKeepsNaN) {
  Tensor x = Tensor::from_vector({2}, {std::numeric_limits<float>::quiet_NaN(), -1.f});
  Tensor y = run_forward({"Relu", {}, {x}})[0];
  EXPECT_TRUE(std::isnan(y.f32()[0]));
  EXPECT_EQ(y.f32()[1], 0.f);
}

TEST(ElementwiseActivation, GradientsOnSmoothPieces) {
  for (const UnaryCase& c : unary_cases()) {
    SCOPED_TRACE(c.op);
    // Values in [-2.4, -0.1] U [0.1, 2.4]: away from the kinks at 0 (Relu family) and from the
    // HardSigmoid/HardSwish corners at +-2.5 (defaults), +-3 and (-0.5, 1.5) for alpha 0.5, beta 0.25.
    Tensor x = random_away_from({2, 3, 4}, 21, 0.f, 0.1f, 2.4f);
    if (c.op == "HardSigmoid" && c.attrs.has("alpha"))
      for (int64_t i = 0; i < x.numel(); ++i)
        if (std::fabs(x.f32()[i] + 0.5f) < 0.05f || std::fabs(x.f32()[i] - 1.5f) < 0.05f) x.f32()[i] += 0.2f;
    check_gradients({c.op, c.attrs, {x}}, {}, 1e-3, 2e-3, 2e-3);
  }
}

TEST(ElementwiseActivation, GradientsOnFlatPieces) {
  // Beyond +-3 HardSwish is 0 or x and HardSigmoid is 0 or 1: derivative 0, 1 and 0.
  Tensor x = random_away_from({3, 4}, 22, 0.f, 3.2f, 6.f);
  check_gradients({"HardSwish", {}, {x}}, {}, 1e-2, 1e-3, 1e-3);
  check_gradients({"HardSigmoid", {}, {x}}, {}, 1e-2, 1e-3, 1e-3);
  check_gradients({"Relu", {}, {x}}, {}, 1e-2, 1e-3, 1e-3);
}

TEST(ElementwiseActivation, InferKeepsUnknownBatch) {
  for (const UnaryCase& c : unary_cases()) {
    auto out = infer_static(c.op, c.attrs, {known(DType::f32, {-1, 16, 7, 7})});
    EXPECT_EQ(out[0].str(), "f32[-1, 16, 7, 7]") << c.op;
  }
}

TEST(ElementwiseActivation, NonFloatInputIsANamedError) {
  expect_error([] { infer_static("Sigmoid", {}, {known(DType::i64, {3})}); }, {"test_Sigmoid", "Sigmoid", "f32"});
  Tensor i = Tensor::from_vector_i64({2}, {1, 2});
  expect_error([&] { run_forward({"Relu", {}, {i}}); }, {"test_Relu", "f32", "i64"});
}

TEST(ElementwiseActivation, GeluRejectsUnknownApproximation) {
  Tensor x = Tensor::from_vector({1}, {1.f});
  expect_error([&] { run_forward({"Gelu", attrs_with({{"approximate", std::string("fast")}}), {x}}); },
               {"test_Gelu", "fast"});
}

// ---------------- Clip ----------------

Tensor clip_input() { return Tensor::from_vector({2, 4}, {-1.f, 0.5f, 3.f, 5.5f, 6.5f, 8.f, -0.3f, 2.f}); }

TEST(ElementwiseClip, Relu6FromInputs) {
  Tensor lo = Tensor::scalar(0.f), hi = Tensor::scalar(6.f);
  expect_values(run_forward({"Clip", {}, {clip_input(), lo, hi}})[0], {0, 0.5f, 3, 5.5f, 6, 6, 0, 2});
}

TEST(ElementwiseClip, OnlyMaxGiven) {
  Tensor hi = Tensor::scalar(2.5f);
  expect_values(run_forward({"Clip", {}, {clip_input(), Tensor(), hi}})[0], {-1, 0.5f, 2.5f, 2.5f, 2.5f, 2.5f, -0.3f, 2});
}

TEST(ElementwiseClip, NoBoundsIsIdentity) {
  expect_values(run_forward({"Clip", {}, {clip_input()}})[0], {-1, 0.5f, 3, 5.5f, 6.5f, 8, -0.3f, 2});
}

TEST(ElementwiseClip, Opset6AttributesAndMinAboveMax) {
  expect_values(run_forward({"Clip", attrs_with({{"min", 0.f}, {"max", 1.f}}), {clip_input()}})[0],
                {0, 0.5f, 1, 1, 1, 1, 0, 1});
  // ONNX: when min > max every output is max.
  Tensor lo = Tensor::scalar(5.f), hi = Tensor::scalar(1.f);
  expect_values(run_forward({"Clip", {}, {clip_input(), lo, hi}})[0], {1, 1, 1, 1, 1, 1, 1, 1});
}

TEST(ElementwiseClip, GradientPassesOnlyInsideTheBounds) {
  Tensor lo = Tensor::scalar(0.f), hi = Tensor::scalar(6.f);
  OpCase c{"Clip", {}, {clip_input(), lo, hi}};
  check_gradients(c, {}, 1e-2, 1e-3, 1e-3);
  EXPECT_FALSE(get_op(make_node(c)).input_differentiable(1));
}

TEST(ElementwiseClip, BoundsMustBeScalars) {
  Tensor lo = Tensor::from_vector({2}, {0.f, 1.f});
  expect_error([&] { run_forward({"Clip", {}, {clip_input(), lo}}); }, {"test_Clip", "min", "one value"});
  expect_error([] { infer_static("Clip", {}, {known(DType::f32, {4}), known(DType::f32, {3})}); },
               {"test_Clip", "min"});
}

// ---------------- Identity ----------------

TEST(ElementwiseIdentity, SharesStorageAnyDtypeAndPassesGradient) {
  Tensor x = random_tensor({3, 2}, 5);
  Tensor y = run_forward({"Identity", {}, {x}})[0];
  EXPECT_TRUE(y.shares_storage(x));
  Tensor i = Tensor::from_vector_i64({2}, {4, 5});
  EXPECT_EQ(run_forward({"Identity", {}, {i}})[0].data<int64_t>()[1], 5);
  EXPECT_EQ(infer_static("Identity", {}, {known(DType::i64, {-1, 2})})[0].str(), "i64[-1, 2]");
  check_gradients({"Identity", {}, {x}});
}

}  // namespace
}  // namespace prunq::testing
