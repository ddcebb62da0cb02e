// Elementary math (Exp, Log, Sqrt, Neg, Abs, Reciprocal, Floor, Ceil, Elu, Selu, Softplus), PRelu,
// Pow and the variadic Sum/Max/Min: values vs std:: math, broadcasting, gradients, errors.
#include <cmath>
#include <functional>

#include "ops/shape_test_util.h"

namespace prunq::testing {
namespace {

struct MathCase {
  std::string op;
  std::function<double(double)> ref;
  float lo, hi;  // input range: inside the domain, away from kinks
};

std::vector<MathCase> math_cases() {
  const double selu_a = 1.6732632423543772, selu_g = 1.0507009873554805;
  return {
      {"Exp", [](double x) { return std::exp(x); }, -2.f, 2.f},
      {"Log", [](double x) { return std::log(x); }, 0.2f, 3.f},
      {"Sqrt", [](double x) { return std::sqrt(x); }, 0.2f, 3.f},
      {"Neg", [](double x) { return -x; }, -2.f, 2.f},
      {"Reciprocal", [](double x) { return 1 / x; }, 0.3f, 2.f},
      {"Elu", [](double x) { return x > 0 ? x : std::expm1(x); }, -2.f, 2.f},
      {"Selu", [=](double x) { return x > 0 ? selu_g * x : selu_g * selu_a * std::expm1(x); }, -2.f, 2.f},
      {"Softplus", [](double x) { return std::log1p(std::exp(x)); }, -4.f, 4.f},
      {"Abs", [](double x) { return std::fabs(x); }, -2.f, 2.f},
      {"Floor", [](double x) { return std::floor(x); }, -3.f, 3.f},
      {"Ceil", [](double x) { return std::ceil(x); }, -3.f, 3.f},
  };
}

// Moves values within 0.05 of an integer (the kinks of Abs at 0 and of Floor/Ceil) off it.
Tensor off_integers(Tensor t) {
  for (int64_t i = 0; i < t.numel(); ++i) {
    float& v = t.f32()[i];
    if (std::fabs(v - std::round(v)) < 0.05f) v += 0.2f;
  }
  return t;
}

TEST(ElementwiseMath, ValuesAndGradients) {
  for (const MathCase& c : math_cases()) {
    SCOPED_TRACE(c.op);
    Tensor x = off_integers(random_tensor({3, 5}, 1, c.lo, c.hi));
    Tensor y = run_forward({c.op, {}, {x}})[0];
    for (int64_t i = 0; i < x.numel(); ++i)
      EXPECT_NEAR(y.f32()[i], c.ref(x.f32()[i]), 1e-6 + 1e-6 * std::fabs(c.ref(x.f32()[i])));
    check_gradients({c.op, {}, {x}}, {}, 1e-3, 3e-3, 3e-3);
  }
}

TEST(ElementwiseMath, SoftplusDoesNotOverflow) {
  Tensor x = Tensor::from_vector({2}, {100.f, -100.f});
  expect_values(run_forward({"Softplus", {}, {x}})[0], {100.f, 0.f}, 1e-6f);
}

TEST(ElementwiseMath, EluAlphaAttribute) {
  Attributes a;
  a.set("alpha", 0.5f);
  Tensor x = Tensor::from_vector({2}, {-1.f, 2.f});
  expect_values(run_forward({"Elu", a, {x}})[0], {0.5f * std::expm1(-1.f), 2.f});
}

// ---------------- PRelu ----------------

TEST(ElementwisePRelu, PerChannelSlope) {
  Tensor x = random_away_from({2, 3, 2, 2}, 2, 0.f);
  Tensor slope = Tensor::from_vector({3, 1, 1}, {0.1f, 0.2f, 0.3f});
  Tensor y = run_forward({"PRelu", {}, {x, slope}})[0];
  for (int64_t i = 0; i < x.numel(); ++i) {
    float v = x.f32()[i], s = slope.f32()[(i / 4) % 3];
    EXPECT_FLOAT_EQ(y.f32()[i], v > 0 ? v : s * v);
  }
  check_gradients({"PRelu", {}, {x, slope}});
}

TEST(ElementwisePRelu, SlopeMustBroadcastToInput) {
  Tensor x = random_tensor({2, 3}, 3), slope = random_tensor({2, 2, 3}, 4);
  expect_error([&] { run_forward({"PRelu", {}, {x, slope}}); }, {"test_PRelu", "[2, 2, 3]", "[2, 3]"});
}

// ---------------- Pow ----------------

TEST(ElementwisePow, SquareFloatAndIntegerExponents) {
  Tensor a = Tensor::from_vector({3}, {-2.f, 0.5f, 3.f});
  expect_values(run_forward({"Pow", {}, {a, Tensor::scalar(2.f)}})[0], {4.f, 0.25f, 9.f});
  expect_values(run_forward({"Pow", {}, {a, Tensor::from_vector_i64({}, {3})}})[0], {-8.f, 0.125f, 27.f});
  Tensor e = Tensor::from_vector({2, 1}, {0.5f, -1.f});
  Tensor pos = Tensor::from_vector({3}, {4.f, 0.25f, 1.f});
  Tensor y = run_forward({"Pow", {}, {pos, e}})[0];
  ASSERT_EQ(y.shape(), (Shape{2, 3}));
  expect_values(y, {2.f, 0.5f, 1.f, 0.25f, 4.f, 1.f});
}

TEST(ElementwisePow, Gradients) {
  Tensor a = random_tensor({2, 3}, 5, 0.5f, 2.f), e = random_tensor({3}, 6, -1.5f, 2.5f);
  check_gradients({"Pow", {}, {a, e}}, {}, 1e-3, 3e-3, 3e-3);
  check_gradients({"Pow", {}, {random_tensor({2, 3}, 7), Tensor::scalar(2.f)}}, {0}, 1e-3, 3e-3, 3e-3);
}

// ---------------- Sum / Max / Min ----------------

TEST(ElementwiseVariadic, ValuesWithBroadcasting) {
  Tensor a = Tensor::from_vector({2, 2}, {1, 5, -2, 0}), b = Tensor::from_vector({2}, {3, -1});
  Tensor c = Tensor::scalar(0.5f);
  expect_values(run_forward({"Sum", {}, {a, b, c}})[0], {4.5f, 4.5f, 1.5f, -0.5f});
  expect_values(run_forward({"Max", {}, {a, b, c}})[0], {3, 5, 3, 0.5f});
  expect_values(run_forward({"Min", {}, {a, b, c}})[0], {0.5f, -1, -2, -1});
  expect_values(run_forward({"Max", {}, {a}})[0], {1, 5, -2, 0});
  Tensor i = Tensor::from_vector_i64({2}, {4, -7}), j = Tensor::from_vector_i64({2}, {2, 9});
  Tensor m = run_forward({"Max", {}, {i, j}})[0];
  EXPECT_EQ(m.data<int64_t>()[0], 4);
  EXPECT_EQ(m.data<int64_t>()[1], 9);
}

TEST(ElementwiseVariadic, Gradients) {
  Tensor a = random_tensor({2, 3}, 8), b = random_tensor({3}, 9), c = random_tensor({2, 1}, 10);
  for (const char* op : {"Sum", "Max", "Min"}) {
    SCOPED_TRACE(op);
    check_gradients({op, {}, {a, b, c}}, {}, 1e-3, 3e-3, 3e-3);
  }
}

TEST(ElementwiseVariadic, TiesGoToTheFirstInput) {
  Tensor a = Tensor::from_vector({2}, {1.f, 2.f}), b = Tensor::from_vector({2}, {1.f, 3.f});
  OpCase c{"Max", {}, {a, b}};
  NodeState st;
  std::vector<Tensor> out = run_forward(c, &st);
  Node node = make_node(c);
  Tensor gy = Tensor::from_vector({2}, {10.f, 20.f});
  BackwardContext ctx{node, {&a, &b}, {&out[0]}, {&gy}, {true, true}, {}, st};
  ctx.grad_inputs.resize(2);
  get_op(node).backward(ctx);
  expect_values(ctx.grad_inputs[0], {10.f, 0.f});
  expect_values(ctx.grad_inputs[1], {0.f, 20.f});
}

TEST(ElementwiseVariadic, InferAndErrors) {
  EXPECT_EQ(infer_static("Sum", {}, {known(DType::f32, {-1, 3}), known(DType::f32, {3}), known(DType::f32, {1, 1})})[0]
                .str(),
            "f32[-1, 3]");
  expect_error([] { infer_static("Max", {}, {known(DType::f32, {2}), known(DType::i64, {2})}); }, {"test_Max"});
  expect_error([] { infer_static("Min", {}, {known(DType::f32, {2, 3}), known(DType::f32, {4, 3})}); },
               {"test_Min", "[2, 3]", "[4, 3]"});
}

}  // namespace
}  // namespace prunq::testing
