// QuantizeLinear / DequantizeLinear: ONNX opset-13 semantics (per tensor, per axis, default u8,
// i32 biases, i4), the output type carrying the parameters, agreement with parameters the input
// already carries, and every malformed scale / zero point named.
#include <gtest/gtest.h>

#include <cstring>

#include "core/quantize.h"
#include "ops/shape_test_util.h"
#include "graph/shape_inference.h"
#include "runtime/executor.h"

namespace prunq::testing {
namespace {

Tensor i8s(Shape s, std::vector<int8_t> v) {
  Tensor t(DType::i8, std::move(s));
  std::memcpy(t.raw(), v.data(), v.size());
  return t;
}
Tensor u8s(Shape s, std::vector<uint8_t> v) {
  Tensor t(DType::u8, std::move(s));
  std::memcpy(t.raw(), v.data(), v.size());
  return t;
}
Tensor i32s(Shape s, std::vector<int32_t> v) {
  Tensor t(DType::i32, std::move(s));
  std::memcpy(t.raw(), v.data(), v.size() * 4);
  return t;
}
template <class T>
std::vector<T> vals(const Tensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.numel());
}

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() && std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
}

Attributes axis(int64_t a) {
  Attributes at;
  at.set("axis", a);
  return at;
}

TEST(QuantizeLinear, OnnxExamplePerTensorU8) {
  // ONNX's own example: x / 2 + 128, ties to even, saturating.
  Tensor x = Tensor::from_vector({6}, {0, 2, 3, 1000, -254, -1000});
  Tensor y = run_forward({"QuantizeLinear", {}, {x, Tensor::scalar(2.f), u8s({}, {128})}})[0];
  EXPECT_EQ(vals<uint8_t>(y), (std::vector<uint8_t>{128, 129, 130, 255, 1, 0}));
  EXPECT_EQ(y.quant()->str(), "scale=2 zp=128");
  // Without a zero point: u8, zero point 0.
  Tensor z = run_forward({"QuantizeLinear", {}, {Tensor::from_vector({3}, {-1, 2.5f, 3.5f}), Tensor::scalar(1.f)}})[0];
  EXPECT_EQ(z.dtype(), DType::u8);
  EXPECT_EQ(vals<uint8_t>(z), (std::vector<uint8_t>{0, 2, 4}));
  EXPECT_TRUE(z.quant()->symmetric());
}

TEST(QuantizeLinear, PerAxisAndTypes) {
  Tensor x = Tensor::from_vector({1, 3, 2}, {-3, 3, -3, 3, -3, 3});
  Tensor scale = Tensor::from_vector({3}, {1.f, 2.f, 4.f});
  Tensor zp = i8s({3}, {0, -1, 10});
  Tensor y = run_forward({"QuantizeLinear", {}, {x, scale, zp}})[0];  // default axis 1
  EXPECT_EQ(vals<int8_t>(y), (std::vector<int8_t>{-3, 3, -3, 1, 9, 11}));  // -1.5 -> -2, 0.75 -> 1
  EXPECT_EQ(y.quant()->axis, 1);
  Tensor y2 = run_forward({"QuantizeLinear", axis(-2), {x, scale, zp}})[0];
  EXPECT_TRUE(same_bits(y2, y));
  // Inferred type: the parameters, from constant scale and zero point.
  std::vector<TensorType> t =
      infer_static("QuantizeLinear", {}, {known(DType::f32, {-1, 3, 2}), constant_input(scale), constant_input(zp)});
  EXPECT_EQ(t[0].str(), "i8[-1, 3, 2] q(axis 1: 3 scales, 3 zero points)");
  // A run-time scale: the type cannot know the parameters.
  t = infer_static("QuantizeLinear", {}, {known(DType::f32, {2}), known(DType::f32, {}), constant_input(zp)});
  EXPECT_EQ(t[0].str(), "i8[2]");
  // i4 through an i4 zero point.
  Tensor zp4 = Tensor::zeros(DType::i4, {});
  Tensor q4 = run_forward({"QuantizeLinear", {}, {Tensor::from_vector({3}, {-20, 1.2f, 20}), Tensor::scalar(0.5f), zp4}})[0];
  EXPECT_EQ(q4.dtype(), DType::i4);
  EXPECT_EQ(max_abs_diff(dequantize(q4), Tensor::from_vector({3}, {-4.f, 1.f, 3.5f})), 0.f);
}

TEST(QuantizeLinear, BadParametersAreNamed) {
  Tensor x = Tensor::from_vector({2, 2}, {1, 2, 3, 4});
  expect_error([&] { run_forward({"QuantizeLinear", {}, {x, Tensor::scalar(0.f)}}); },
               {"node 'test_QuantizeLinear' (QuantizeLinear)", "scale 0 is 0"});
  expect_error([&] { run_forward({"QuantizeLinear", {}, {x, Tensor::scalar(-1.f)}}); }, {"finite and > 0"});
  expect_error([&] { run_forward({"QuantizeLinear", {}, {x, Tensor::from_vector({2, 1}, {1, 1})}}); },
               {"scalar or a 1-D tensor"});
  expect_error([&] { run_forward({"QuantizeLinear", {}, {x, Tensor::from_vector({3}, {1, 1, 1})}}); },
               {"3 scales, expected 2"});
  expect_error([&] { run_forward({"QuantizeLinear", axis(2), {x, Tensor::from_vector({2}, {1, 1})}}); },
               {"axis 2 is out of range for rank 2"});
  expect_error([&] { run_forward({"QuantizeLinear", {}, {x, Tensor::scalar(1.f), u8s({1}, {0})}}); },
               {"zero point u8[1] does not match the scale f32[]"});
  expect_error([&] { run_forward({"QuantizeLinear", {}, {x, Tensor::scalar(1.f), Tensor::scalar(0.f)}}); },
               {"must be i8, u8 or i4, got f32"});
  expect_error([&] { run_forward({"QuantizeLinear", {}, {x, Tensor::scalar(1.f), i32s({}, {0})}}); },
               {"must be i8, u8 or i4, got i32"});
  expect_error([&] { run_forward({"QuantizeLinear", {}, {u8s({2}, {1, 2}), Tensor::scalar(1.f)}}); },
               {"x must be f32"});
  expect_error([&] { run_forward({"QuantizeLinear", {}, {x, i8s({}, {1})}}); }, {"scale must be f32"});
  expect_error([&] { infer_static("QuantizeLinear", {}, {known(DType::f32, {2})}); }, {"needs x and y_scale"});
}

TEST(DequantizeLinear, PerTensorPerAxisBiasAndInt4) {
  Tensor y = run_forward({"DequantizeLinear", {}, {u8s({4}, {0, 3, 128, 255}), Tensor::scalar(2.f), u8s({}, {128})}})[0];
  expect_values(y, {-256, -250, 0, 254});
  EXPECT_FALSE(y.quantized());
  // Per axis (ONNX's test_dequantizelinear_axis layout: [1, 3, 1, 2], axis 1).
  Tensor x = u8s({1, 3, 1, 2}, {0, 1, 2, 3, 4, 5});
  Tensor s = Tensor::from_vector({3}, {1.f, 2.f, 0.5f});
  Tensor z = u8s({3}, {0, 2, 4});
  expect_values(run_forward({"DequantizeLinear", {}, {x, s, z}})[0], {0, 1, 0, 2, 0, 0.5f});
  // int32 biases: no zero point (or 0), any value.
  expect_values(run_forward({"DequantizeLinear", {}, {i32s({3}, {-1000000, 0, 7}), Tensor::scalar(0.001f)}})[0],
                {-1000000.f * 0.001f, 0.f, 7.f * 0.001f}, 0.f);  // one f32 multiplication
  expect_error([&] { run_forward({"DequantizeLinear", {}, {i32s({1}, {1}), Tensor::scalar(1.f), i32s({}, {3})}}); },
               {"zero point 0 is 3", "i32 tensors are biases"});
  // Packed int4 weights, per row.
  Tensor w = pack_int4(i8s({2, 3}, {-8, 0, 7, 1, 2, 3}));
  expect_values(run_forward({"DequantizeLinear", axis(0), {w, Tensor::from_vector({2}, {0.5f, 0.25f})}})[0],
                {-4, 0, 3.5f, 0.25f, 0.5f, 0.75f});
  std::vector<TensorType> t = infer_static("DequantizeLinear", {}, {known(DType::i8, {-1, 3}), constant_input(s)});
  EXPECT_EQ(t[0].str(), "f32[-1, 3]");
  expect_error([&] { infer_static("DequantizeLinear", {}, {known(DType::f32, {2}), constant_input(s)}); },
               {"must be i8, u8 or i4 (or i32), got f32"});
  expect_error([&] { run_forward({"DequantizeLinear", {}, {x, s, i8s({3}, {0, 0, 0})}}); },
               {"zero point i8[3] is not u8"});
}

TEST(DequantizeLinear, MustAgreeWithParametersTheInputCarries) {
  Tensor x = i8s({2}, {1, 2}).with_quant(per_tensor_quant(0.5f, 1));
  expect_values(run_forward({"DequantizeLinear", {}, {x, Tensor::scalar(0.5f), i8s({}, {1})}})[0], {0, 0.5f});
  expect_error([&] { run_forward({"DequantizeLinear", {}, {x, Tensor::scalar(0.25f), i8s({}, {1})}}); },
               {"x is quantized as (scale=0.5 zp=1) but the node's scale and zero point say (scale=0.25 zp=1)"});
  expect_error([&] {
    infer_static("DequantizeLinear", {},
                 {InferInput{TensorType{DType::i8, {2}, true, per_tensor_quant(0.5f, 1)}},
                  constant_input(Tensor::scalar(0.5f))});
  }, {"x is quantized as (scale=0.5 zp=1) but the node's scale and zero point say (scale=0.5 zp=0)"});
}

// QuantizeLinear -> element moves -> DequantizeLinear through the executor: the integer value
// between them carries the parameters, and the round trip is within half a step.
TEST(QuantizeLinear, QdqGraphRoundTrip) {
  Graph g;
  g.name = "qdq";
  ValueId x = g.add_input("x", TensorType{DType::f32, {-1, 4}, true});
  ValueId s = g.add_initializer("s", Tensor::from_vector({4}, {0.01f, 0.02f, 0.04f, 0.08f}), false);
  ValueId z = g.add_initializer("z", i8s({4}, {0, 5, -5, 0}), false);
  ValueId q = g.add_value("q"), r = g.add_value("r"), y = g.add_value("y");
  Attributes last = axis(-1);
  g.add_node(Node{"QuantizeLinear", "quant", "", {x, s, z}, {q}, last});
  g.add_node(Node{"Relu", "relu", "", {q}, {r}, {}});
  g.add_node(Node{"DequantizeLinear", "dequant", "", {r, s, z}, {y}, last});
  g.add_output(y);
  Executor ex(g);
  Tensor in = random_tensor({8, 4}, 3, -1.f, 1.f);
  Tensor out = ex.run({in})[0];
  const float steps[] = {0.01f, 0.02f, 0.04f, 0.08f};  // every channel's range covers [-1, 1]
  for (int64_t i = 0; i < in.numel(); ++i)
    EXPECT_NEAR(out.f32()[i], std::max(in.f32()[i], 0.f), steps[i % 4] / 2 * 1.0001f) << i;
  // The integer values in between say how they are read.
  std::vector<TensorType> types = compute_value_types(g);
  EXPECT_EQ(types[size_t(q)].str(), "i8[-1, 4] q(axis 1: 4 scales, 4 zero points)");
  EXPECT_EQ(types[size_t(r)].str(), types[size_t(q)].str());
  EXPECT_EQ(types[size_t(y)].str(), "f32[-1, 4]");
}

}  // namespace
}  // namespace prunq::testing
