// Reshape, Flatten, Squeeze, Unsqueeze: values and views, 0 / -1 / allowzero semantics, shape
// inference from constant inputs with an unknown batch, gradients and the errors.
#include "ops/shape_test_util.h"

namespace prunq::testing {
namespace {

Tensor ints(std::vector<int64_t> v) { return Tensor::from_vector_i64({int64_t(v.size())}, v); }

Attributes int_attr(const std::string& k, int64_t v) {
  Attributes a;
  a.set(k, v);
  return a;
}

// ---------------- Reshape ----------------

TEST(ShapeReshape, ZeroCopiesAndMinusOneInfers) {
  Tensor x = random_tensor({2, 3, 4}, 1);
  Tensor y = run_forward({"Reshape", {}, {x, ints({4, -1})}})[0];
  EXPECT_EQ(y.shape(), (Shape{4, 6}));
  EXPECT_TRUE(y.shares_storage(x));  // a view, no copy
  EXPECT_EQ(run_forward({"Reshape", {}, {x, ints({0, -1})}})[0].shape(), (Shape{2, 12}));
  EXPECT_EQ(run_forward({"Reshape", {}, {x, ints({0, 0, 2, 2})}})[0].shape(), (Shape{2, 3, 2, 2}));
  EXPECT_EQ(max_abs_diff(run_forward({"Reshape", {}, {x, ints({24})}})[0], x.reshape({24})), 0.f);
}

TEST(ShapeReshape, AllowZeroMakesZeroALiteralDim) {
  Tensor x(DType::f32, {2, 0, 3});
  EXPECT_EQ(run_forward({"Reshape", int_attr("allowzero", 1), {x, ints({0, 3})}})[0].shape(), (Shape{0, 3}));
  // Without allowzero the 0 copies dim 0 (2): [2, 3] has 6 elements, the input 0.
  expect_error([&] { run_forward({"Reshape", {}, {x, ints({0, 3})}}); }, {"test_Reshape", "[2, 0, 3]"});
  Tensor y = random_tensor({2, 3}, 2);
  expect_error([&] { run_forward({"Reshape", int_attr("allowzero", 1), {y, ints({0, -1})}}); },
               {"test_Reshape", "allowzero"});
}

TEST(ShapeReshape, InferFromConstantShapeWithUnknownBatch) {
  auto in = known(DType::f32, {-1, 64, 7, 7});
  Tensor s1 = ints({-1, 3136}), s2 = ints({0, -1}), s3 = ints({0, 64, -1}), s4 = ints({-1, 49});
  EXPECT_EQ(infer_static("Reshape", {}, {in, constant_input(s1)})[0].str(), "f32[-1, 3136]");
  EXPECT_EQ(infer_static("Reshape", {}, {in, constant_input(s2)})[0].str(), "f32[-1, 3136]");
  EXPECT_EQ(infer_static("Reshape", {}, {in, constant_input(s3)})[0].str(), "f32[-1, 64, 49]");
  EXPECT_EQ(infer_static("Reshape", {}, {in, constant_input(s4)})[0].str(), "f32[-1, 49]");
  // A computed shape: only its length is known.
  EXPECT_EQ(infer_static("Reshape", {}, {in, known(DType::i64, {3})})[0].str(), "f32[-1, -1, -1]");
  Tensor bad = ints({5, 100});
  expect_error([&] { infer_static("Reshape", {}, {known(DType::f32, {2, 3}), constant_input(bad)}); },
               {"test_Reshape", "[2, 3]", "[5, 100]"});
}

TEST(ShapeReshape, BadShapeInputs) {
  Tensor x = random_tensor({2, 3}, 3);
  expect_error([&] { run_forward({"Reshape", {}, {x, ints({-1, -1})}}); }, {"test_Reshape", "more than one -1"});
  expect_error([&] { run_forward({"Reshape", {}, {x, ints({4, -1})}}); }, {"test_Reshape", "cannot reshape"});
  expect_error([&] { run_forward({"Reshape", {}, {x, ints({-2, 3})}}); }, {"test_Reshape", "-2"});
  expect_error([&] { run_forward({"Reshape", {}, {x, Tensor::from_vector({2}, {3.f, 2.f})}}); },
               {"test_Reshape", "int64"});
}

TEST(ShapeReshape, GradientAndShapeInputNotDifferentiable) {
  Tensor x = random_tensor({2, 3, 2}, 4);
  OpCase c{"Reshape", {}, {x, ints({3, -1})}};
  check_gradients(c);
  EXPECT_FALSE(get_op(make_node(c)).input_differentiable(1));
}

// ---------------- Flatten ----------------

TEST(ShapeFlatten, EveryAxis) {
  Tensor x = random_tensor({2, 3, 4}, 5);
  const std::vector<std::pair<int64_t, Shape>> cases = {
      {0, {1, 24}}, {1, {2, 12}}, {2, {6, 4}}, {3, {24, 1}}, {-1, {6, 4}}, {-3, {1, 24}}};
  for (const auto& [axis, want] : cases) {
    Tensor y = run_forward({"Flatten", int_attr("axis", axis), {x}})[0];
    EXPECT_EQ(y.shape(), want) << "axis " << axis;
    EXPECT_EQ(max_abs_diff(y.reshape({24}), x.reshape({24})), 0.f);
  }
  EXPECT_EQ(run_forward({"Flatten", {}, {x}})[0].shape(), (Shape{2, 12}));  // default axis 1
}

TEST(ShapeFlatten, InferGradientAndErrors) {
  EXPECT_EQ(infer_static("Flatten", {}, {known(DType::f32, {-1, 16, 5, 5})})[0].str(), "f32[-1, 400]");
  EXPECT_EQ(infer_static("Flatten", int_attr("axis", 2), {known(DType::f32, {-1, 16, 5, 5})})[0].str(),
            "f32[-1, 25]");
  check_gradients({"Flatten", {}, {random_tensor({2, 2, 3}, 6)}});
  expect_error([] { infer_static("Flatten", int_attr("axis", 4), {known(DType::f32, {1, 2, 3})}); },
               {"test_Flatten", "axis 4"});
}

// ---------------- Squeeze / Unsqueeze ----------------

TEST(ShapeSqueeze, AxesInputAttributeAndAll) {
  Tensor x = random_tensor({2, 1, 3, 1}, 7);
  EXPECT_EQ(run_forward({"Squeeze", {}, {x, ints({1})}})[0].shape(), (Shape{2, 3, 1}));
  EXPECT_EQ(run_forward({"Squeeze", {}, {x, ints({-1, 1})}})[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(run_forward({"Squeeze", {}, {x}})[0].shape(), (Shape{2, 3}));
  Attributes old;
  old.set("axes", std::vector<int64_t>{3});
  EXPECT_EQ(run_forward({"Squeeze", old, {x}})[0].shape(), (Shape{2, 1, 3}));
  check_gradients({"Squeeze", {}, {x, ints({3})}});
}

TEST(ShapeSqueeze, InferAndErrors) {
  Tensor ax = ints({1});
  EXPECT_EQ(infer_static("Squeeze", {}, {known(DType::f32, {-1, 1, 8}), constant_input(ax)})[0].str(),
            "f32[-1, 8]");
  // Without axes, whether the unknown batch is 1 decides the rank.
  EXPECT_FALSE(infer_static("Squeeze", {}, {known(DType::f32, {-1, 1, 8})})[0].rank_known);
  EXPECT_EQ(infer_static("Squeeze", {}, {known(DType::f32, {-1, 1, 8}), known(DType::i64, {1})})[0].str(),
            "f32[-1, -1]");
  Tensor x = random_tensor({2, 3}, 8);
  expect_error([&] { run_forward({"Squeeze", {}, {x, ints({1})}}); }, {"test_Squeeze", "axis 1", "size 3"});
  expect_error([&] { run_forward({"Squeeze", {}, {x, ints({2})}}); }, {"test_Squeeze", "axes 2"});
}

TEST(ShapeUnsqueeze, AxesPositionsInTheOutput) {
  Tensor x = random_tensor({2, 3}, 9);
  EXPECT_EQ(run_forward({"Unsqueeze", {}, {x, ints({0, 3})}})[0].shape(), (Shape{1, 2, 3, 1}));
  EXPECT_EQ(run_forward({"Unsqueeze", {}, {x, ints({-1})}})[0].shape(), (Shape{2, 3, 1}));
  EXPECT_EQ(run_forward({"Unsqueeze", {}, {x, ints({1})}})[0].shape(), (Shape{2, 1, 3}));
  Tensor s = Tensor::from_vector_i64({}, {5});
  EXPECT_EQ(run_forward({"Unsqueeze", {}, {s, ints({0})}})[0].shape(), (Shape{1}));
  check_gradients({"Unsqueeze", {}, {x, ints({0, 2})}});
}

TEST(ShapeUnsqueeze, InferAndErrors) {
  Tensor ax = ints({-1});
  EXPECT_EQ(infer_static("Unsqueeze", {}, {known(DType::f32, {-1, 8}), constant_input(ax)})[0].str(),
            "f32[-1, 8, 1]");
  EXPECT_EQ(infer_static("Unsqueeze", {}, {known(DType::f32, {-1, 8}), known(DType::i64, {2})})[0].str(),
            "f32[-1, -1, -1, -1]");
  Tensor x = random_tensor({2, 3}, 10);
  expect_error([&] { run_forward({"Unsqueeze", {}, {x, ints({1, 1})}}); }, {"test_Unsqueeze", "repeated"});
  expect_error([&] { run_forward({"Unsqueeze", {}, {x, ints({3})}}); }, {"test_Unsqueeze", "axes 3"});
  expect_error([&] { run_forward({"Unsqueeze", {}, {x}}); }, {"test_Unsqueeze", "axes are required"});
}

}  // namespace
}  // namespace prunq::testing
