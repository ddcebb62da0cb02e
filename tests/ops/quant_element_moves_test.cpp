// The ops that only move or clamp elements on i8 / u8 and quantized inputs: their integer
// forwards against the float oracle quantize(op_f32(dequantize(x))) (bit for bit), plain-integer
// semantics by hand, how shape inference carries the parameters (per-channel axes follow the
// dim), and the refusals (packed i4, a per-channel axis an op splits, unequal Concat inputs).
#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <random>

#include "core/quantize.h"
#include "ops/shape_test_util.h"

namespace prunq::testing {
namespace {

QuantPtr per_axis(std::vector<float> scales, std::vector<int32_t> zps, int32_t axis) {
  QuantParams p;
  p.scales = std::move(scales);
  p.zero_points = std::move(zps);
  p.axis = axis;
  return make_quant(std::move(p));
}

// Random integers over the whole range of `dtype`, with parameters `q`.
Tensor random_q(DType dtype, Shape shape, QuantPtr q, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Tensor t(dtype, std::move(shape));
  std::uniform_int_distribution<int> d(int(info(dtype).int_min), int(info(dtype).int_max));
  for (int64_t i = 0; i < t.numel(); ++i) {
    if (dtype == DType::i8) t.data<int8_t>()[i] = static_cast<int8_t>(d(rng));
    else t.data<uint8_t>()[i] = static_cast<uint8_t>(d(rng));
  }
  if (q) t.set_quant(std::move(q));
  return t;
}

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() && std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
}

// Runs `c` on its quantized input 0, and the same op on dequantize(input 0) in f32; quantizing
// the f32 result with the output's parameters must give the integer result exactly, and the
// output's parameters must be `expected_quant`.
void expect_matches_float_oracle(const OpCase& c, const QuantPtr& expected_quant) {
  const Tensor y = run_forward(c)[0];
  ASSERT_TRUE(y.quantized()) << c.op;
  EXPECT_TRUE(same_quant(y.quant(), expected_quant)) << c.op << ": got " << y.quant()->str();
  OpCase f = c;
  f.inputs[0] = dequantize(c.inputs[0]);
  const Tensor yf = run_forward(f)[0];
  EXPECT_TRUE(same_bits(y, quantize(yf, y.quant(), y.dtype()))) << c.op;
}

Attributes ints(const char* key, std::vector<int64_t> v) {
  Attributes a;
  a.set(key, std::move(v));
  return a;
}

TEST(QuantElementMoves, ShapeOpsKeepParametersAndValues) {
  const QuantPtr pt = per_tensor_quant(0.05f, 3);
  const Tensor x = random_q(DType::i8, {2, 3, 4}, pt, 1);
  expect_matches_float_oracle({"Reshape", {}, {x, Tensor::from_vector_i64({2}, {6, 4})}}, pt);
  Attributes flat;
  flat.set("axis", int64_t{2});
  expect_matches_float_oracle({"Flatten", flat, {x}}, pt);
  expect_matches_float_oracle({"Transpose", ints("perm", {2, 0, 1}), {x}}, pt);
  expect_matches_float_oracle({"Identity", {}, {x}}, pt);
  const Tensor x1 = random_q(DType::u8, {2, 1, 4}, per_tensor_quant(0.1f, 128), 2);
  expect_matches_float_oracle({"Squeeze", {}, {x1, Tensor::from_vector_i64({1}, {1})}}, x1.quant());
  expect_matches_float_oracle({"Unsqueeze", {}, {x1, Tensor::from_vector_i64({1}, {0})}}, x1.quant());
}

TEST(QuantElementMoves, PerChannelAxisFollowsItsDim) {
  // Channels on axis 1 of [2, 3, 4].
  const QuantPtr q = per_axis({0.1f, 0.2f, 0.3f}, {-1, 0, 5}, 1);
  const Tensor x = random_q(DType::i8, {2, 3, 4}, q, 3);
  expect_matches_float_oracle({"Transpose", ints("perm", {1, 2, 0}), {x}}, per_axis({0.1f, 0.2f, 0.3f}, {-1, 0, 5}, 0));
  expect_matches_float_oracle({"Transpose", ints("perm", {0, 2, 1}), {x}}, per_axis({0.1f, 0.2f, 0.3f}, {-1, 0, 5}, 2));
  expect_matches_float_oracle({"Unsqueeze", {}, {x, Tensor::from_vector_i64({2}, {0, 3})}},
                              per_axis({0.1f, 0.2f, 0.3f}, {-1, 0, 5}, 2));
  expect_matches_float_oracle({"Reshape", {}, {x, Tensor::from_vector_i64({4}, {2, 3, 2, 2})}}, q);
  Attributes keep;
  keep.set("axis", int64_t{1});  // [2, 12]: the channel dim is merged away
  expect_error([&] { run_forward({"Flatten", keep, {x}}); }, {"Flatten", "quantized per channel", "axis 1: 3 scales"});
  expect_error([&] { run_forward({"Reshape", {}, {x, Tensor::from_vector_i64({2}, {6, 4})}}); },
               {"Reshape", "quantized per channel"});
  // Static inference follows the same rule with an unknown batch.
  std::vector<TensorType> t = infer_static(
      "Transpose", ints("perm", {0, 2, 1}), {InferInput{TensorType{DType::i8, {-1, 3, 4}, true, q}}});
  EXPECT_EQ(t[0].str(), "i8[-1, 4, 3] q(axis 2: 3 scales, 3 zero points)");
  Tensor spec = Tensor::from_vector_i64({3}, {0, 3, 4});
  t = infer_static("Reshape", {}, {InferInput{TensorType{DType::i8, {-1, 12}, true, per_tensor_quant(0.5f)}},
                                   constant_input(spec)});
  EXPECT_EQ(t[0].str(), "i8[-1, 3, 4] q(scale=0.5 zp=0)");
}

TEST(QuantElementMoves, ReluIsMaxWithTheZeroPoint) {
  const Tensor x = random_q(DType::u8, {64}, per_tensor_quant(0.02f, 100), 4);
  expect_matches_float_oracle({"Relu", {}, {x}}, x.quant());
  const Tensor y = run_forward({"Relu", {}, {x}})[0];
  for (int64_t i = 0; i < 64; ++i) EXPECT_EQ(y.data<uint8_t>()[i], std::max<uint8_t>(x.data<uint8_t>()[i], 100));
  // Per channel: each channel's own zero point.
  const Tensor pc = random_q(DType::i8, {2, 3, 5}, per_axis({0.1f, 0.1f, 0.3f}, {-20, 0, 40}, 1), 5);
  expect_matches_float_oracle({"Relu", {}, {pc}}, pc.quant());
  // Plain integers (ONNX opset 14): max(x, 0).
  Tensor plain(DType::i8, {4});
  const int8_t v[] = {-128, -1, 0, 127};
  std::memcpy(plain.raw(), v, 4);
  const Tensor r = run_forward({"Relu", {}, {plain}})[0];
  EXPECT_EQ(std::vector<int8_t>(r.data<int8_t>(), r.data<int8_t>() + 4), (std::vector<int8_t>{0, 0, 0, 127}));
  EXPECT_FALSE(r.quantized());
}

TEST(QuantElementMoves, ClipBoundsAreConvertedToTheQuantizedDomain) {
  const Tensor x = random_q(DType::i8, {200}, per_tensor_quant(0.05f, -10), 6);
  for (auto [lo, hi] : {std::pair{0.f, 6.f}, {-1.23f, 0.51f}, {-100.f, 100.f}, {0.5f, 0.2f}, {0.025f, 0.075f}}) {
    OpCase c{"Clip", {}, {x, Tensor::scalar(lo), Tensor::scalar(hi)}};
    expect_matches_float_oracle(c, x.quant());
  }
  const Tensor pc = random_q(DType::u8, {3, 2, 4}, per_axis({0.5f, 0.05f}, {0, 128}, 1), 7);
  expect_matches_float_oracle({"Clip", {}, {pc, Tensor::scalar(-1.f), Tensor::scalar(2.f)}}, pc.quant());
  expect_matches_float_oracle({"Clip", {}, {pc, Tensor(), Tensor::scalar(2.f)}}, pc.quant());

  // Plain integers: the integers inside [min, max]; bounds of the input's own type (ONNX) or f32.
  Tensor plain(DType::u8, {5});
  const uint8_t v[] = {0, 2, 3, 7, 255};
  std::memcpy(plain.raw(), v, 5);
  Tensor lo8(DType::u8, {}), hi8(DType::u8, {});
  lo8.data<uint8_t>()[0] = 3;
  hi8.data<uint8_t>()[0] = 7;
  Tensor r = run_forward({"Clip", {}, {plain, lo8, hi8}})[0];
  EXPECT_EQ(std::vector<uint8_t>(r.data<uint8_t>(), r.data<uint8_t>() + 5), (std::vector<uint8_t>{3, 3, 3, 7, 7}));
  r = run_forward({"Clip", {}, {plain, Tensor::scalar(2.5f), Tensor::scalar(6.9f)}})[0];
  EXPECT_EQ(std::vector<uint8_t>(r.data<uint8_t>(), r.data<uint8_t>() + 5), (std::vector<uint8_t>{3, 3, 3, 6, 6}));
  r = run_forward({"Clip", {}, {plain}})[0];  // no bounds: unchanged
  EXPECT_TRUE(same_bits(r, plain));
  expect_error([&] { run_forward({"Clip", {}, {Tensor::zeros(DType::i32, {2})}}); }, {"must be f32, i8 or u8", "i32"});
}

TEST(QuantElementMoves, MaxPoolOnIntegers) {
  Attributes a;
  a.set("kernel_shape", std::vector<int64_t>{2, 2});
  a.set("strides", std::vector<int64_t>{1, 1});
  a.set("pads", std::vector<int64_t>{1, 0, 0, 1});
  const Tensor x = random_q(DType::u8, {2, 3, 5, 4}, per_tensor_quant(0.1f, 7), 8);
  expect_matches_float_oracle({"MaxPool", a, {x}}, x.quant());
  const Tensor pc = random_q(DType::i8, {1, 3, 4, 4}, per_axis({1.f, 2.f, 3.f}, {}, 1), 9);
  expect_matches_float_oracle({"MaxPool", a, {pc}}, pc.quant());
  // Indices too, the same as for f32.
  OpCase c{"MaxPool", a, {pc}, 2};
  OpCase f = c;
  f.inputs[0] = dequantize(pc);
  EXPECT_TRUE(same_bits(run_forward(c)[1], run_forward(f)[1]));
  // Plain int8 by hand: [[-128, -5], [3, -128]] -> 3.
  Attributes whole;
  whole.set("kernel_shape", std::vector<int64_t>{2, 2});
  Tensor p(DType::i8, {1, 1, 2, 2});
  const int8_t v[] = {-128, -5, 3, -128};
  std::memcpy(p.raw(), v, 4);
  EXPECT_EQ(run_forward({"MaxPool", whole, {p}})[0].data<int8_t>()[0], 3);
  // A window stays inside one (n, c) plane: parameters per N or per C survive, per row do not.
  const Tensor per_n = random_q(DType::i8, {2, 1, 2, 2}, per_axis({1.f, 2.f}, {}, 0), 10);
  expect_matches_float_oracle({"MaxPool", whole, {per_n}}, per_n.quant());
  const Tensor per_row = random_q(DType::i8, {1, 1, 2, 2}, per_axis({1.f, 2.f}, {}, 2), 10);
  expect_error([&] { run_forward({"MaxPool", whole, {per_row}}); }, {"MaxPool", "quantized per channel"});
}

TEST(QuantElementMoves, ConcatNeedsEqualParameters) {
  Attributes a;
  a.set("axis", int64_t{1});
  const QuantPtr q = per_tensor_quant(0.1f, 4);
  const Tensor x = random_q(DType::i8, {2, 3}, q, 11), y = random_q(DType::i8, {2, 2}, q, 12);
  const Tensor z = run_forward({"Concat", a, {x, y}})[0];
  EXPECT_TRUE(same_quant(z.quant(), q));
  EXPECT_EQ(z.data<int8_t>()[3], y.data<int8_t>()[0]);
  const Tensor other = random_q(DType::i8, {2, 2}, per_tensor_quant(0.2f, 4), 13);
  expect_error([&] { run_forward({"Concat", a, {x, other}}); },
               {"input 1 is quantized as (scale=0.2 zp=4), input 0 as (scale=0.1 zp=4)", "QConcat"});
  expect_error([&] { run_forward({"Concat", a, {x, random_q(DType::i8, {2, 2}, nullptr, 14)}}); },
               {"input 1 is quantized as (none)"});
  // Per channel along another axis is fine; along the concatenated one it is not.
  const QuantPtr rows = per_axis({1.f, 2.f}, {}, 0);
  const Tensor r1 = random_q(DType::i8, {2, 3}, rows, 15), r2 = random_q(DType::i8, {2, 1}, rows, 16);
  EXPECT_TRUE(same_quant(run_forward({"Concat", a, {r1, r2}})[0].quant(), rows));
  Attributes a0;
  a0.set("axis", int64_t{0});
  expect_error([&] { run_forward({"Concat", a0, {r1, r1}}); }, {"along the concatenated axis 0"});
  std::vector<TensorType> t = infer_static("Concat", a, {InferInput{TensorType{DType::i8, {-1, 3}, true, q}},
                                                         InferInput{TensorType{DType::i8, {-1, 2}, true, q}}});
  EXPECT_EQ(t[0].str(), "i8[-1, 5] q(scale=0.1 zp=4)");
}

TEST(QuantElementMoves, PackedInt4IsRefusedWhereElementsMoveByBytes) {
  Tensor w = pack_int4(Tensor::zeros(DType::i8, {2, 4}));
  expect_error([&] { infer_static("Transpose", {}, {known(DType::i4, {2, 4})}); }, {"i4 is packed"});
  Attributes a;
  a.set("axis", int64_t{0});
  expect_error([&] { infer_static("Concat", a, {known(DType::i4, {2, 4})}); }, {"i4 is packed"});
  expect_error([&] { infer_static("MaxPool", {}, {known(DType::i4, {1, 1, 2, 4})}); }, {"must be f32, i8 or u8"});
  // Views are fine: a reshape of packed storage is the same bytes.
  const Tensor r = run_forward({"Reshape", {}, {w, Tensor::from_vector_i64({1}, {8})}})[0];
  EXPECT_EQ(r.dtype(), DType::i4);
  EXPECT_TRUE(r.shares_storage(w));
}

// Other ops leave the parameters behind: a Cast holds the stored integers, not real values.
TEST(QuantElementMoves, OpsThatComputeDropTheParameters) {
  Attributes to;
  to.set("to", int64_t{1});
  std::vector<TensorType> t =
      infer_static("Cast", to, {InferInput{TensorType{DType::i8, {2}, true, per_tensor_quant(0.5f)}}});
  EXPECT_EQ(t[0].str(), "f32[2]");
  Attributes same;
  same.set("to", int64_t{3});
  t = infer_static("Cast", same, {InferInput{TensorType{DType::i8, {2}, true, per_tensor_quant(0.5f)}}});
  EXPECT_EQ(t[0].str(), "i8[2]");
}

}  // namespace
}  // namespace prunq::testing
