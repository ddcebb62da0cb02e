// Softmax / LogSoftmax along any axis: values vs a double-precision reference, stability with
// large inputs, gradients for inner == 1 and strided (inner > 1) layouts, inference, errors.
#include <cmath>

#include "ops/shape_test_util.h"

namespace prunq::testing {
namespace {

Attributes axis_attr(int64_t axis) {
  Attributes a;
  a.set("axis", axis);
  return a;
}

// Reference softmax over `axis` of a contiguous tensor, in double.
std::vector<double> reference_softmax(const Tensor& x, int axis, bool log_output) {
  const Shape& s = x.shape();
  int64_t outer = 1, inner = 1, n = s[size_t(axis)];
  for (int d = 0; d < axis; ++d) outer *= s[size_t(d)];
  for (size_t d = size_t(axis) + 1; d < s.size(); ++d) inner *= s[d];
  std::vector<double> y(size_t(x.numel()));
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < inner; ++j) {
      double sum = 0;
      for (int64_t k = 0; k < n; ++k) sum += std::exp(double(x.f32()[(o * n + k) * inner + j]));
      for (int64_t k = 0; k < n; ++k) {
        size_t i = size_t((o * n + k) * inner + j);
        y[i] = log_output ? double(x.f32()[i]) - std::log(sum) : std::exp(double(x.f32()[i])) / sum;
      }
    }
  return y;
}

TEST(ElementwiseSoftmax, HandComputedRow) {
  Tensor x = Tensor::from_vector({1, 3}, {1.f, 2.f, 3.f});
  // e^1, e^2, e^3 over their sum 30.19287...
  expect_values(run_forward({"Softmax", {}, {x}})[0], {0.09003057f, 0.24472847f, 0.66524096f});
  expect_values(run_forward({"LogSoftmax", {}, {x}})[0], {-2.40760596f, -1.40760596f, -0.40760596f}, 1e-5f);
}

TEST(ElementwiseSoftmax, EveryAxisMatchesReference) {
  Tensor x = random_tensor({2, 3, 4}, 3, -3.f, 3.f);
  for (const char* op : {"Softmax", "LogSoftmax"}) {
    for (int axis = -3; axis < 3; ++axis) {
      SCOPED_TRACE(std::string(op) + " axis " + std::to_string(axis));
      Tensor y = run_forward({op, axis_attr(axis), {x}})[0];
      std::vector<double> want = reference_softmax(x, axis < 0 ? axis + 3 : axis, std::string(op) == "LogSoftmax");
      for (int64_t i = 0; i < x.numel(); ++i) EXPECT_NEAR(y.f32()[i], want[size_t(i)], 1e-5);
    }
  }
}

TEST(ElementwiseSoftmax, StableForLargeLogits) {
  Tensor x = Tensor::from_vector({2, 2}, {1000.f, 1000.f, -1000.f, 0.f});
  expect_values(run_forward({"Softmax", {}, {x}})[0], {0.5f, 0.5f, 0.f, 1.f});
  expect_values(run_forward({"LogSoftmax", {}, {x}})[0], {-0.6931472f, -0.6931472f, -1000.f, 0.f}, 1e-4f);
}

TEST(ElementwiseSoftmax, Gradients) {
  Tensor x = random_tensor({2, 3, 4}, 4, -2.f, 2.f);
  for (const char* op : {"Softmax", "LogSoftmax"})
    for (int axis : {-1, 1, 0}) {
      SCOPED_TRACE(std::string(op) + " axis " + std::to_string(axis));
      check_gradients({op, axis_attr(axis), {x}}, {}, 1e-3, 2e-3, 2e-3);
    }
}

TEST(ElementwiseSoftmax, InferAndAxisErrors) {
  EXPECT_EQ(infer_static("Softmax", {}, {known(DType::f32, {-1, 10})})[0].str(), "f32[-1, 10]");
  expect_error([] { infer_static("LogSoftmax", axis_attr(2), {known(DType::f32, {-1, 10})}); },
               {"test_LogSoftmax", "axis 2", "rank 2"});
  Tensor x = random_tensor({2, 3}, 5);
  expect_error([&] { run_forward({"Softmax", axis_attr(-3), {x}}); }, {"test_Softmax", "axis -3"});
}

}  // namespace
}  // namespace prunq::testing
