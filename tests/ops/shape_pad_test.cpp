// Pad: constant/reflect/edge/wrap values, negative pads (cropping), axes input, opset-2 style
// attributes, NCHW spatial padding, gradients of every mode (reflect/edge/wrap accumulate),
// inference with unknown dims and the errors.
#include "ops/shape_test_util.h"

namespace prunq::testing {
namespace {

Tensor ints(std::vector<int64_t> v) { return Tensor::from_vector_i64({int64_t(v.size())}, v); }

Attributes mode(const std::string& m) {
  Attributes a;
  a.set("mode", m);
  return a;
}

TEST(ShapePad, ModesOn1D) {
  Tensor x = Tensor::from_vector({3}, {1, 2, 3});
  Tensor pads = ints({2, 2});
  expect_values(run_forward({"Pad", {}, {x, pads}})[0], {0, 0, 1, 2, 3, 0, 0});
  expect_values(run_forward({"Pad", {}, {x, pads, Tensor::scalar(9.f)}})[0], {9, 9, 1, 2, 3, 9, 9});
  expect_values(run_forward({"Pad", mode("reflect"), {x, pads}})[0], {3, 2, 1, 2, 3, 2, 1});
  expect_values(run_forward({"Pad", mode("edge"), {x, pads}})[0], {1, 1, 1, 2, 3, 3, 3});
  expect_values(run_forward({"Pad", mode("wrap"), {x, pads}})[0], {2, 3, 1, 2, 3, 1, 2});
}

TEST(ShapePad, NegativePadsCrop) {
  Tensor x = Tensor::from_vector({5}, {1, 2, 3, 4, 5});
  expect_values(run_forward({"Pad", {}, {x, ints({-1, 1})}})[0], {2, 3, 4, 5, 0});
  expect_values(run_forward({"Pad", {}, {x, ints({-2, -3})}})[0], {});
}

TEST(ShapePad, SpatialPaddingOfNCHW) {
  Tensor x = random_tensor({2, 3, 4, 5}, 1);
  Tensor y = run_forward({"Pad", {}, {x, ints({0, 0, 1, 2, 0, 0, 1, 2}), Tensor::scalar(-1.f)}})[0];
  ASSERT_EQ(y.shape(), (Shape{2, 3, 6, 9}));
  for (int64_t nc = 0; nc < 6; ++nc)
    for (int64_t h = 0; h < 6; ++h)
      for (int64_t w = 0; w < 9; ++w) {
        bool inside = h >= 1 && h < 5 && w >= 2 && w < 7;
        float want = inside ? x.f32()[(nc * 4 + h - 1) * 5 + w - 2] : -1.f;
        ASSERT_EQ(y.f32()[(nc * 6 + h) * 9 + w], want) << nc << " " << h << " " << w;
      }
}

TEST(ShapePad, AxesInputAndOpset2Attributes) {
  Tensor x = Tensor::from_vector({2, 2}, {1, 2, 3, 4});
  Tensor y = run_forward({"Pad", {}, {x, ints({1, 0}), Tensor(), ints({-1})}})[0];
  ASSERT_EQ(y.shape(), (Shape{2, 3}));
  expect_values(y, {0, 1, 2, 0, 3, 4});
  Attributes old;
  old.set("pads", std::vector<int64_t>{1, 0, 0, 0});
  old.set("value", 5.f);
  expect_values(run_forward({"Pad", old, {x}})[0], {5, 5, 1, 2, 3, 4});
}

TEST(ShapePad, IntegerData) {
  Tensor x = Tensor::from_vector_i64({2}, {7, 8});
  Tensor y = run_forward({"Pad", {}, {x, ints({1, 0}), Tensor::from_vector_i64({}, {-3})}})[0];
  ASSERT_EQ(y.dtype(), DType::i64);
  EXPECT_EQ(y.data<int64_t>()[0], -3);
  EXPECT_EQ(y.data<int64_t>()[2], 8);
}

TEST(ShapePad, GradientsOfEveryMode) {
  Tensor x = random_tensor({1, 2, 3, 4}, 2);
  Tensor pads = ints({0, 0, 1, 2, 0, 1, 2, 1});
  for (const char* m : {"constant", "reflect", "edge", "wrap"}) {
    SCOPED_TRACE(m);
    check_gradients({"Pad", mode(m), {x, pads}});
  }
  check_gradients({"Pad", {}, {x, ints({0, 0, -1, 1, 0, 0, 1, -1})}});  // cropping
}

TEST(ShapePad, InferWithUnknownBatchAndRuntimePads) {
  Tensor pads = ints({0, 0, 1, 1, 0, 0, 1, 1});
  EXPECT_EQ(infer_static("Pad", {}, {known(DType::f32, {-1, 3, 8, 8}), constant_input(pads)})[0].str(),
            "f32[-1, 3, 10, 10]");
  EXPECT_EQ(infer_static("Pad", {}, {known(DType::f32, {-1, 3, 8, 8}), known(DType::i64, {8})})[0].str(),
            "f32[-1, -1, -1, -1]");
}

TEST(ShapePad, Errors) {
  Tensor x = Tensor::from_vector({3}, {1, 2, 3});
  expect_error([&] { run_forward({"Pad", mode("reflect"), {x, ints({3, 0})}}); }, {"test_Pad", "reflect", "[3]"});
  expect_error([&] { run_forward({"Pad", {}, {x, ints({1, 1, 1})}}); }, {"test_Pad", "pads", "rank 1"});
  expect_error([&] { run_forward({"Pad", mode("circular"), {x, ints({1, 1})}}); }, {"test_Pad", "circular"});
  expect_error([&] { run_forward({"Pad", {}, {x, ints({-2, -2})}}); }, {"test_Pad", "crop"});
  expect_error([&] { run_forward({"Pad", {}, {x}}); }, {"test_Pad", "pads are required"});
}

}  // namespace
}  // namespace prunq::testing
