// Concat: values along first/middle/last axis, int64 shape vectors, gradients split back to each
// input (and only where wanted), inference with unknown dims, and mismatch errors.
#include "ops/shape_test_util.h"

namespace prunq::testing {
namespace {

Attributes axis_attr(int64_t axis) {
  Attributes a;
  a.set("axis", axis);
  return a;
}

TEST(ShapeConcat, MiddleAxisValues) {
  Tensor a = Tensor::from_vector({2, 1, 2}, {1, 2, 3, 4});
  Tensor b = Tensor::from_vector({2, 2, 2}, {5, 6, 7, 8, 9, 10, 11, 12});
  Tensor y = run_forward({"Concat", axis_attr(1), {a, b}})[0];
  ASSERT_EQ(y.shape(), (Shape{2, 3, 2}));
  expect_values(y, {1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12});
}

TEST(ShapeConcat, FirstAndLastAxis) {
  Tensor a = random_tensor({2, 3}, 1), b = random_tensor({1, 3}, 2), c = random_tensor({2, 4}, 3);
  Tensor rows = run_forward({"Concat", axis_attr(0), {a, b}})[0];
  ASSERT_EQ(rows.shape(), (Shape{3, 3}));
  for (int k = 0; k < 6; ++k) EXPECT_EQ(rows.f32()[k], a.f32()[k]);
  for (int k = 0; k < 3; ++k) EXPECT_EQ(rows.f32()[6 + k], b.f32()[k]);
  Tensor cols = run_forward({"Concat", axis_attr(-1), {a, c}})[0];
  ASSERT_EQ(cols.shape(), (Shape{2, 7}));
  for (int r = 0; r < 2; ++r) {
    for (int k = 0; k < 3; ++k) EXPECT_EQ(cols.f32()[r * 7 + k], a.f32()[r * 3 + k]);
    for (int k = 0; k < 4; ++k) EXPECT_EQ(cols.f32()[r * 7 + 3 + k], c.f32()[r * 4 + k]);
  }
}

TEST(ShapeConcat, Int64ShapeVectors) {
  Tensor a = Tensor::from_vector_i64({1}, {-1}), b = Tensor::from_vector_i64({2}, {7, 7});
  Tensor y = run_forward({"Concat", axis_attr(0), {a, b}})[0];
  ASSERT_EQ(y.dtype(), DType::i64);
  EXPECT_EQ(y.data<int64_t>()[0], -1);
  EXPECT_EQ(y.data<int64_t>()[2], 7);
}

TEST(ShapeConcat, GradientsSplit) {
  Tensor a = random_tensor({2, 1, 3}, 4), b = random_tensor({2, 2, 3}, 5), c = random_tensor({2, 3, 3}, 6);
  check_gradients({"Concat", axis_attr(1), {a, b, c}});
  check_gradients({"Concat", axis_attr(1), {a, b, c}}, {2});  // only one input wants a gradient
}

TEST(ShapeConcat, InferWithUnknownDims) {
  auto out = infer_static("Concat", axis_attr(1), {known(DType::f32, {-1, 3, 8}), known(DType::f32, {-1, 5, 8})});
  EXPECT_EQ(out[0].str(), "f32[-1, 8, 8]");
  out = infer_static("Concat", axis_attr(0), {known(DType::f32, {-1, 3}), known(DType::f32, {2, 3})});
  EXPECT_EQ(out[0].str(), "f32[-1, 3]");
  out = infer_static("Concat", axis_attr(1), {known(DType::f32, {-1, 3}), known(DType::f32, {4, 2})});
  EXPECT_EQ(out[0].str(), "f32[4, 5]");  // the known batch refines the unknown one
}

TEST(ShapeConcat, MismatchErrors) {
  expect_error([] { infer_static("Concat", axis_attr(1), {known(DType::f32, {2, 3}), known(DType::f32, {4, 3})}); },
               {"test_Concat", "[4, 3]", "[2, 3]"});
  expect_error([] { infer_static("Concat", axis_attr(0), {known(DType::f32, {2, 3}), known(DType::i64, {2, 3})}); },
               {"test_Concat", "input 1"});
  Tensor a = random_tensor({2, 3}, 7), b = random_tensor({2, 3, 1}, 8);
  expect_error([&] { run_forward({"Concat", axis_attr(0), {a, b}}); }, {"test_Concat", "[2, 3, 1]"});
  expect_error([&] { run_forward({"Concat", axis_attr(2), {a, a}}); }, {"test_Concat", "axis 2"});
  expect_error([&] { run_forward({"Concat", {}, {a, a}}); }, {"test_Concat", "'axis' is required"});
}

}  // namespace
}  // namespace prunq::testing
