// Add/Sub/Mul/Div: broadcasting (same shape, scalar, per-channel [1,C,1,1], [N,1] vs [1,M], rank
// mismatch) against a naive index-by-index reference, gradients reduced over broadcast dims,
// integer arithmetic, shape inference with an unknown batch, and the errors.
#include <functional>

#include "ops/shape_test_util.h"

namespace prunq::testing {
namespace {

using BinFn = std::function<double(double, double)>;

const std::vector<std::pair<std::string, BinFn>>& ops() {
  static const std::vector<std::pair<std::string, BinFn>> v = {
      {"Add", [](double a, double b) { return a + b; }},
      {"Sub", [](double a, double b) { return a - b; }},
      {"Mul", [](double a, double b) { return a * b; }},
      {"Div", [](double a, double b) { return a / b; }},
  };
  return v;
}

// Naive numpy broadcasting: for each output index, index each operand with its dims aligned right.
std::vector<double> reference(const Tensor& a, const Tensor& b, const Shape& out, const BinFn& f) {
  std::vector<double> y(size_t(shape_numel(out)));
  auto offset = [&](const Shape& s, const std::vector<int64_t>& idx) {
    int64_t off = 0;
    size_t shift = out.size() - s.size();
    for (size_t d = 0; d < s.size(); ++d) off = off * s[d] + (s[d] == 1 ? 0 : idx[d + shift]);
    return off;
  };
  std::vector<int64_t> idx(out.size(), 0);
  for (size_t k = 0; k < y.size(); ++k) {
    y[k] = f(a.f32()[offset(a.shape(), idx)], b.f32()[offset(b.shape(), idx)]);
    for (size_t d = out.size(); d-- > 0;) {
      if (++idx[d] < out[d]) break;
      idx[d] = 0;
    }
  }
  return y;
}

struct ShapePair {
  Shape a, b, out;
};

const std::vector<ShapePair>& shape_pairs() {
  static const std::vector<ShapePair> v = {
      {{2, 3}, {2, 3}, {2, 3}},                    // same shape
      {{2, 3}, {}, {2, 3}},                        // scalar
      {{}, {2, 3}, {2, 3}},                        // scalar on the left
      {{2, 3, 4, 5}, {1, 3, 1, 1}, {2, 3, 4, 5}},  // per-channel bias
      {{4, 1}, {1, 5}, {4, 5}},                    // outer product pattern
      {{3, 4}, {4}, {3, 4}},                       // rank mismatch: row vector
      {{2, 1, 4}, {3, 1}, {2, 3, 4}},              // both sides broadcast
      {{2, 3, 4}, {2, 1, 4}, {2, 3, 4}},           // middle dim
  };
  return v;
}

// Divisors kept in [0.5, 1.5] in magnitude so 1/b stays smooth under finite differences.
Tensor divisor(Shape s, uint64_t seed) { return random_away_from(std::move(s), seed, 0.f, 0.5f, 1.5f); }

TEST(ElementwiseArithmetic, BroadcastForwardMatchesNaiveReference) {
  for (const ShapePair& p : shape_pairs()) {
    Tensor a = random_tensor(p.a, 1), b = divisor(p.b, 2);
    for (const auto& [op, f] : ops()) {
      SCOPED_TRACE(op + " " + shape_str(p.a) + " vs " + shape_str(p.b));
      Tensor y = run_forward({op, {}, {a, b}})[0];
      ASSERT_EQ(y.shape(), p.out);
      std::vector<double> want = reference(a, b, p.out, f);
      for (int64_t i = 0; i < y.numel(); ++i) EXPECT_NEAR(y.f32()[i], want[size_t(i)], 1e-5);
    }
  }
}

TEST(ElementwiseArithmetic, LargeTensorsTakeTheParallelPathsCorrectly) {
  // Big enough to be split across threads: same shape, scalar and per-channel runs.
  Tensor a = random_tensor({4, 16, 32, 32}, 3), bias = random_tensor({1, 16, 1, 1}, 4), s = Tensor::scalar(0.5f);
  Tensor same = run_forward({"Add", {}, {a, a}})[0];
  Tensor scaled = run_forward({"Mul", {}, {a, s}})[0];
  Tensor biased = run_forward({"Add", {}, {a, bias}})[0];
  for (int64_t i = 0; i < a.numel(); ++i) {
    ASSERT_EQ(same.f32()[i], a.f32()[i] + a.f32()[i]);
    ASSERT_EQ(scaled.f32()[i], a.f32()[i] * 0.5f);
    ASSERT_EQ(biased.f32()[i], a.f32()[i] + bias.f32()[(i / 1024) % 16]);
  }
}

TEST(ElementwiseArithmetic, GradientsReduceOverBroadcastDims) {
  for (const ShapePair& p : shape_pairs()) {
    if (shape_numel(p.out) > 40) continue;  // finite differences cost one forward per element
    Tensor a = random_tensor(p.a, 5), b = divisor(p.b, 6);
    for (const auto& [op, f] : ops()) {
      SCOPED_TRACE(op + " " + shape_str(p.a) + " vs " + shape_str(p.b));
      check_gradients({op, {}, {a, b}}, {}, 1e-3, 3e-3, 3e-3);
    }
  }
}

TEST(ElementwiseArithmetic, PerChannelBiasGradientIsTheSumOverNHW) {
  Tensor x = random_tensor({2, 3, 4, 5}, 7), bias = random_tensor({1, 3, 1, 1}, 8);
  check_gradients({"Add", {}, {x, bias}}, {1});
  check_gradients({"Mul", {}, {x, bias}}, {1}, 1e-2, 1e-2, 1e-2);
}

TEST(ElementwiseArithmetic, IntegerArithmetic) {
  Tensor a = Tensor::from_vector_i64({4}, {7, -7, 12, INT64_MIN});
  Tensor b = Tensor::from_vector_i64({4}, {2, 2, -5, -1});
  Tensor q = run_forward({"Div", {}, {a, b}})[0];
  ASSERT_EQ(q.dtype(), DType::i64);
  EXPECT_EQ(q.data<int64_t>()[0], 3);
  EXPECT_EQ(q.data<int64_t>()[1], -3);  // truncation, like C
  EXPECT_EQ(q.data<int64_t>()[2], -2);
  EXPECT_EQ(q.data<int64_t>()[3], INT64_MIN);  // wraps instead of trapping
  Tensor s = run_forward({"Mul", {}, {a, Tensor::from_vector_i64({}, {3})}})[0];
  EXPECT_EQ(s.data<int64_t>()[2], 36);
  Tensor zero = Tensor::from_vector_i64({1}, {0});
  expect_error([&] { run_forward({"Div", {}, {a, zero}}); }, {"test_Div", "division by zero"});
}

TEST(ElementwiseArithmetic, InferWithUnknownBatch) {
  EXPECT_EQ(infer_static("Add", {}, {known(DType::f32, {-1, 3, 4, 4}), known(DType::f32, {1, 3, 1, 1})})[0].str(),
            "f32[-1, 3, 4, 4]");
  EXPECT_EQ(infer_static("Mul", {}, {known(DType::f32, {-1, 1}), known(DType::f32, {1, 5})})[0].str(), "f32[-1, 5]");
  EXPECT_EQ(infer_static("Sub", {}, {known(DType::f32, {-1, 5}), known(DType::f32, {7, 1})})[0].str(), "f32[7, 5]");
  EXPECT_EQ(infer_static("Div", {}, {known(DType::f32, {-1, 5}), known(DType::f32, {-1, 5})})[0].str(),
            "f32[-1, 5]");
  TensorType unknown_rank{DType::f32, {}, false};
  EXPECT_FALSE(infer_static("Add", {}, {{unknown_rank}, known(DType::f32, {3})})[0].rank_known);
}

TEST(ElementwiseArithmetic, IncompatibleShapesNameTheNodeAndBothShapes) {
  expect_error([] { infer_static("Add", {}, {known(DType::f32, {-1, 3}), known(DType::f32, {4, 2})}); },
               {"test_Add", "[-1, 3]", "[4, 2]"});
  Tensor a = random_tensor({2, 3}, 9), b = random_tensor({4, 3}, 10);
  expect_error([&] { run_forward({"Mul", {}, {a, b}}); }, {"test_Mul", "[2, 3]", "[4, 3]"});
}

TEST(ElementwiseArithmetic, MixedDtypesAreAnError) {
  Tensor a = random_tensor({2}, 11);
  Tensor b = Tensor::from_vector_i64({2}, {1, 2});
  expect_error([&] { run_forward({"Add", {}, {a, b}}); }, {"test_Add", "f32", "i64"});
  expect_error([] { infer_static("Sub", {}, {known(DType::f32, {2}), known(DType::i64, {2})}); }, {"test_Sub"});
  expect_error([] { infer_static("Add", {}, {known(DType::f16, {2}), known(DType::f16, {2})}); }, {"test_Add", "f16"});
}

// ONNX's plain integer semantics on 8-bit tensors: results wrap, Div truncates, and an unsigned
// divisor of 255 is not mistaken for -1.
TEST(ElementwiseArithmetic, EightBitIntegersWrapAndTruncate) {
  auto u8 = [](std::vector<uint8_t> v) {
    Tensor t(DType::u8, {int64_t(v.size())});
    for (size_t i = 0; i < v.size(); ++i) t.data<uint8_t>()[i] = v[i];
    return t;
  };
  auto i8 = [](std::vector<int8_t> v) {
    Tensor t(DType::i8, {int64_t(v.size())});
    for (size_t i = 0; i < v.size(); ++i) t.data<int8_t>()[i] = v[i];
    return t;
  };
  Tensor s = run_forward({"Add", {}, {u8({250, 3}), u8({10, 4})}})[0];
  ASSERT_EQ(s.dtype(), DType::u8);
  EXPECT_EQ(s.data<uint8_t>()[0], 4);
  EXPECT_EQ(s.data<uint8_t>()[1], 7);
  Tensor d = run_forward({"Div", {}, {u8({200, 255}), u8({255, 255})}})[0];
  EXPECT_EQ(d.data<uint8_t>()[0], 0);
  EXPECT_EQ(d.data<uint8_t>()[1], 1);
  Tensor q = run_forward({"Div", {}, {i8({-128, -7}), i8({-1, 2})}})[0];
  ASSERT_EQ(q.dtype(), DType::i8);
  EXPECT_EQ(q.data<int8_t>()[0], -128);
  EXPECT_EQ(q.data<int8_t>()[1], -3);
  Tensor m = run_forward({"Mul", {}, {i8({100, -3}), i8({3, 5})}})[0];
  EXPECT_EQ(m.data<int8_t>()[0], 44);  // 300 mod 256
  EXPECT_EQ(m.data<int8_t>()[1], -15);
  expect_error([&] { run_forward({"Div", {}, {u8({1}), u8({0})}}); }, {"division by zero"});
}

}  // namespace
}  // namespace prunq::testing
