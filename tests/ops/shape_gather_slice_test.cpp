// Shape, Gather, Slice and Cast: the ops that imported shape arithmetic and embedding-style
// lookups need. Values, ONNX clamping rules, inference with unknown dims, gradients, errors.
#include <limits>

#include "ops/shape_test_util.h"

namespace prunq::testing {
namespace {

Tensor ints(std::vector<int64_t> v) { return Tensor::from_vector_i64({int64_t(v.size())}, v); }

std::vector<int64_t> as_ints(const Tensor& t) { return {t.data<int64_t>(), t.data<int64_t>() + t.numel()}; }

Attributes int_attr(const std::string& k, int64_t v) {
  Attributes a;
  a.set(k, v);
  return a;
}

// ---------------- Shape ----------------

TEST(ShapeShapeOf, DimsAndStartEnd) {
  Tensor x(DType::f32, {2, 3, 4, 5});
  EXPECT_EQ(as_ints(run_forward({"Shape", {}, {x}})[0]), (std::vector<int64_t>{2, 3, 4, 5}));
  Attributes a;
  a.set("start", int64_t{1});
  a.set("end", int64_t{-1});
  EXPECT_EQ(as_ints(run_forward({"Shape", a, {x}})[0]), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(as_ints(run_forward({"Shape", int_attr("start", 9), {x}})[0]), (std::vector<int64_t>{}));
  EXPECT_EQ(infer_static("Shape", {}, {known(DType::f32, {-1, 3})})[0].str(), "i64[2]");
}

// ---------------- Gather ----------------

TEST(ShapeGather, AxisZeroAndOneWithNegativeAndMatrixIndices) {
  Tensor data = Tensor::from_vector({3, 2}, {1, 2, 3, 4, 5, 6});
  expect_values(run_forward({"Gather", {}, {data, ints({2, -3})}})[0], {5, 6, 1, 2});
  Tensor y = run_forward({"Gather", int_attr("axis", 1), {data, Tensor::from_vector_i64({2, 2}, {1, 0, 0, 0})}})[0];
  ASSERT_EQ(y.shape(), (Shape{3, 2, 2}));
  expect_values(y, {2, 1, 1, 1, 4, 3, 3, 3, 6, 5, 5, 5});
  Tensor scalar_index = Tensor::from_vector_i64({}, {1});
  Tensor row = run_forward({"Gather", {}, {data, scalar_index}})[0];
  EXPECT_EQ(row.shape(), (Shape{2}));
  Tensor shape_vec = ints({8, 3, 32, 32});
  EXPECT_EQ(run_forward({"Gather", {}, {shape_vec, Tensor::from_vector_i64({}, {0})}})[0].data<int64_t>()[0], 8);
}

TEST(ShapeGather, RepeatedIndicesAccumulateGradients) {
  Tensor data = random_tensor({4, 3}, 1);
  check_gradients({"Gather", {}, {data, ints({1, 3, 1})}});
  check_gradients({"Gather", int_attr("axis", -1), {data, Tensor::from_vector_i64({2, 2}, {0, 2, 2, 2})}});
}

TEST(ShapeGather, InferAndErrors) {
  EXPECT_EQ(infer_static("Gather", int_attr("axis", 1), {known(DType::f32, {-1, 10, 4}), known(DType::i64, {2, 3})})[0]
                .str(),
            "f32[-1, 2, 3, 4]");
  Tensor data = random_tensor({3, 2}, 2);
  expect_error([&] { run_forward({"Gather", {}, {data, ints({3})}}); }, {"test_Gather", "index 3", "size 3"});
  expect_error([&] { run_forward({"Gather", {}, {data, ints({-4})}}); }, {"test_Gather", "index -4"});
  expect_error([&] { run_forward({"Gather", {}, {data, Tensor::from_vector({1}, {0.f})}}); },
               {"test_Gather", "indices"});
}

// ---------------- Slice ----------------

TEST(ShapeSlice, StartsEndsAxesSteps) {
  Tensor x = Tensor::from_vector({3, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  expect_values(run_forward({"Slice", {}, {x, ints({1, 1}), ints({3, 3})}})[0], {5, 6, 9, 10});
  // Axis -1 only, step 2, end past the dim (clamped).
  expect_values(run_forward({"Slice", {}, {x, ints({0}), ints({100}), ints({-1}), ints({2})}})[0],
                {0, 2, 4, 6, 8, 10});
  // Negative step from the end to the start: INT64_MIN-style end means "through index 0".
  const int64_t lowest = std::numeric_limits<int64_t>::min();
  expect_values(run_forward({"Slice", {}, {x, ints({-1}), ints({lowest}), ints({0}), ints({-1})}})[0],
                {8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3});
  // INT64_MAX end, negative start.
  const int64_t highest = std::numeric_limits<int64_t>::max();
  expect_values(run_forward({"Slice", {}, {x, ints({-2}), ints({highest}), ints({1})}})[0], {2, 3, 6, 7, 10, 11});
  // Empty result.
  EXPECT_EQ(run_forward({"Slice", {}, {x, ints({2}), ints({1}), ints({1})}})[0].shape(), (Shape{3, 0}));
}

TEST(ShapeSlice, Opset1AttributesAndIntegerData) {
  Attributes a;
  a.set("starts", std::vector<int64_t>{1});
  a.set("ends", std::vector<int64_t>{3});
  Tensor v = ints({10, 20, 30, 40});
  EXPECT_EQ(as_ints(run_forward({"Slice", a, {v}})[0]), (std::vector<int64_t>{20, 30}));
}

TEST(ShapeSlice, GradientScattersBack) {
  Tensor x = random_tensor({3, 4, 2}, 3);
  check_gradients({"Slice", {}, {x, ints({0, 3}), ints({2, 0}), ints({0, 1}), ints({1, -2})}});
}

TEST(ShapeSlice, InferWithUnknownBatch) {
  Tensor s = ints({1}), e = ints({3}), ax = ints({1});
  EXPECT_EQ(infer_static("Slice", {}, {known(DType::f32, {-1, 8}), constant_input(s), constant_input(e),
                                       constant_input(ax)})[0]
                .str(),
            "f32[-1, 2]");
  EXPECT_EQ(infer_static("Slice", {}, {known(DType::f32, {-1, 8}), known(DType::i64, {1}), constant_input(e)})[0].str(),
            "f32[-1, -1]");
  Tensor x = random_tensor({2, 2}, 4);
  expect_error([&] { run_forward({"Slice", {}, {x, ints({0}), ints({1}), ints({0}), ints({0})}}); },
               {"test_Slice", "steps"});
  expect_error([&] { run_forward({"Slice", {}, {x, ints({0, 0}), ints({1})}}); }, {"test_Slice", "length"});
  expect_error([&] { run_forward({"Slice", {}, {x, ints({0}), ints({1}), ints({2})}}); }, {"test_Slice", "axes 2"});
}

// ---------------- Cast ----------------

TEST(ShapeCast, FloatToIntTruncatesAndSaturates) {
  Tensor x = Tensor::from_vector({5}, {2.7f, -2.7f, 1e20f, -1e20f, std::numeric_limits<float>::quiet_NaN()});
  Tensor y = run_forward({"Cast", int_attr("to", 7), {x}})[0];
  ASSERT_EQ(y.dtype(), DType::i64);
  EXPECT_EQ(as_ints(y), (std::vector<int64_t>{2, -2, std::numeric_limits<int64_t>::max(),
                                              std::numeric_limits<int64_t>::min(), 0}));
  Tensor b = run_forward({"Cast", int_attr("to", 2), {x}})[0];
  EXPECT_EQ(b.data<uint8_t>()[0], 2);
  EXPECT_EQ(b.data<uint8_t>()[1], 0);
  EXPECT_EQ(b.data<uint8_t>()[2], 255);
}

TEST(ShapeCast, BoolHalfAndIntToFloat) {
  Tensor x = Tensor::from_vector({3}, {0.f, -0.5f, 3.f});
  Tensor b = run_forward({"Cast", int_attr("to", 9), {x}})[0];
  EXPECT_EQ(b.data<uint8_t>()[0], 0);
  EXPECT_EQ(b.data<uint8_t>()[1], 1);
  Tensor h = run_forward({"Cast", int_attr("to", 10), {x}})[0];
  EXPECT_EQ(h.dtype(), DType::f16);
  expect_values(run_forward({"Cast", int_attr("to", 1), {h}})[0], {0.f, -0.5f, 3.f});
  expect_values(run_forward({"Cast", int_attr("to", 1), {ints({7, -1})}})[0], {7.f, -1.f});
}

TEST(ShapeCast, InferGradientAndErrors) {
  EXPECT_EQ(infer_static("Cast", int_attr("to", 7), {known(DType::f32, {-1, 2})})[0].str(), "i64[-1, 2]");
  check_gradients({"Cast", int_attr("to", 1), {random_tensor({2, 3}, 5)}});
  Tensor x = random_tensor({2}, 6);
  expect_error([&] { run_forward({"Cast", int_attr("to", 11), {x}}); }, {"test_Cast", "11"});
  expect_error([&] { run_forward({"Cast", {}, {x}}); }, {"test_Cast", "'to'"});
}

}  // namespace
}  // namespace prunq::testing
