// Packed int4 storage, quantization parameters on tensors (checks, copies, reshape), the
// saturating Tensor::to, and the reference quantize / dequantize that define the formats.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "core/quantize.h"
#include "core/tensor.h"
#include "support/error_of.h"

namespace prunq {
namespace {
using testing::error_of;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

Tensor f32(Shape shape, std::vector<float> v) { return Tensor::from_vector(std::move(shape), v); }

template <class T>
std::vector<T> values(const Tensor& t) {
  const T* p = t.data<T>();
  return std::vector<T>(p, p + t.numel());
}

std::vector<int> i4_values(const Tensor& t) {
  std::vector<int> v;
  for (int64_t i = 0; i < t.numel(); ++i) v.push_back(i4_get(static_cast<const uint8_t*>(t.raw()), i));
  return v;
}

QuantPtr per_axis(std::vector<float> scales, std::vector<int32_t> zps, int32_t axis) {
  QuantParams p;
  p.scales = std::move(scales);
  p.zero_points = std::move(zps);
  p.axis = axis;
  return make_quant(std::move(p));
}

TEST(DTypeTable, PackedInt4HasBitsNotBytes) {
  EXPECT_EQ(dtype_bits(DType::i4), 4);
  EXPECT_TRUE(is_packed(DType::i4));
  EXPECT_FALSE(is_packed(DType::i8));
  const size_t expected[] = {0, 1, 1, 2, 2, 3};
  for (int64_t n = 0; n < 6; ++n) EXPECT_EQ(storage_bytes(DType::i4, n), expected[n]) << n;
  EXPECT_EQ(storage_bytes(DType::f32, 3), 12u);
  EXPECT_EQ(dtype_size(DType::i64), 8u);
  EXPECT_TRUE(contains(error_of([] { dtype_size(DType::i4); }), "i4 is packed"));
  DType d;
  ASSERT_TRUE(parse_dtype("i4", &d));
  EXPECT_EQ(d, DType::i4);
  EXPECT_EQ(info(DType::i4).int_min, -8);
  EXPECT_EQ(info(DType::u8).int_max, 255);
}

TEST(Int4, ElementTwoIIsTheLowNibble) {
  Tensor t = Tensor::zeros(DType::i4, {3});
  EXPECT_EQ(t.nbytes(), 2u);
  uint8_t* p = static_cast<uint8_t*>(t.raw());
  i4_set(p, 0, 1);
  i4_set(p, 1, -2);
  i4_set(p, 2, 7);
  EXPECT_EQ(p[0], 0xE1);  // -2 = 0xE in the high nibble, 1 in the low one
  EXPECT_EQ(p[1], 0x07);  // the padding nibble stays zero
  EXPECT_EQ(i4_values(t), (std::vector<int>{1, -2, 7}));
  for (int v = -8; v <= 7; ++v) {
    i4_set(p, 1, v);
    EXPECT_EQ(i4_get(p, 1), v);
    EXPECT_EQ(i4_get(p, 0), 1);  // the neighbour is untouched
  }
}

TEST(Int4, PackAndUnpackRoundTripAndRefuseOutOfRange) {
  Tensor v(DType::i8, {2, 8});
  for (int i = 0; i < 16; ++i) v.data<int8_t>()[i] = static_cast<int8_t>(i - 8);
  Tensor packed = pack_int4(v);
  EXPECT_EQ(packed.dtype(), DType::i4);
  EXPECT_EQ(packed.shape(), (Shape{2, 8}));
  EXPECT_EQ(packed.nbytes(), 8u);
  EXPECT_EQ(static_cast<const uint8_t*>(packed.raw())[0], 0x98);  // -8 low, -7 high
  Tensor back = unpack_int4(packed);
  EXPECT_EQ(std::memcmp(back.raw(), v.raw(), 16), 0);
  v.data<int8_t>()[5] = 8;
  EXPECT_TRUE(contains(error_of([&] { pack_int4(v); }), "element 5"));
  // Parameters travel, and are checked against i4's range.
  Tensor small(DType::i8, {2});
  small.data<int8_t>()[0] = 1;
  small.data<int8_t>()[1] = -1;
  EXPECT_TRUE(same_quant(pack_int4(small.with_quant(per_tensor_quant(0.5f, 3))).quant(), per_tensor_quant(0.5f, 3)));
  EXPECT_TRUE(contains(error_of([&] { pack_int4(small.with_quant(per_tensor_quant(0.5f, 100))); }), "zero point 0 is 100"));
}

TEST(Tensor, ToSaturatesFloatToIntInsteadOfOverflowing) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  Tensor x = f32({9}, {300.f, -300.f, nan, inf, -inf, 1.9f, -1.9f, 127.5f, -0.5f});
  EXPECT_EQ(values<int8_t>(x.to(DType::i8)), (std::vector<int8_t>{127, -128, 0, 127, -128, 1, -1, 127, 0}));
  EXPECT_EQ(values<uint8_t>(x.to(DType::u8)), (std::vector<uint8_t>{255, 0, 0, 255, 0, 1, 0, 127, 0}));
  Tensor big = f32({4}, {3e9f, -3e9f, 1e19f, -1e19f});
  EXPECT_EQ(values<int32_t>(big.to(DType::i32)),
            (std::vector<int32_t>{INT32_MAX, INT32_MIN, INT32_MAX, INT32_MIN}));
  EXPECT_EQ(values<int64_t>(big.to(DType::i64)), (std::vector<int64_t>{3000000000LL, -3000000000LL, INT64_MAX, INT64_MIN}));
  EXPECT_EQ(i4_values(f32({5}, {9.f, -9.f, 3.7f, -3.7f, nan}).to(DType::i4)), (std::vector<int>{7, -8, 3, -3, 0}));
  // Integer narrowing saturates too (through the same path).
  Tensor wide = Tensor::from_vector_i64({3}, {1000, -1000, 5});
  EXPECT_EQ(values<int8_t>(wide.to(DType::i8)), (std::vector<int8_t>{127, -128, 5}));
  EXPECT_EQ(i4_values(wide.to(DType::i4)), (std::vector<int>{7, -8, 5}));
  EXPECT_EQ(values<float>(wide.to(DType::i4).to(DType::f32)), (std::vector<float>{7.f, -8.f, 5.f}));
}

TEST(Tensor, QuantParamsAreKeptByCopiesCloneAndReshape) {
  Tensor q = Tensor::zeros(DType::i8, {4, 3});
  EXPECT_FALSE(q.quantized());
  q.set_quant(per_tensor_quant(0.1f, -3));
  Tensor copy = q;
  EXPECT_EQ(copy.quant(), q.quant());
  EXPECT_TRUE(same_quant(q.clone().quant(), q.quant()));
  EXPECT_TRUE(same_quant(q.reshape({12}).quant(), q.quant()));
  EXPECT_TRUE(same_quant(q.contiguous().quant(), q.quant()));
  EXPECT_FALSE(q.to(DType::i8).quantized());  // a converting copy holds plain values
  EXPECT_FALSE(q.to(DType::f32).quantized());
  EXPECT_FALSE(q.with_quant(nullptr).quantized());
  EXPECT_TRUE(q.with_quant(nullptr).shares_storage(q));

  // Per channel: the axis follows the dim through a reshape, or the reshape is refused.
  Tensor pc = Tensor::zeros(DType::i8, {4, 3}).with_quant(per_axis({1, 2, 3, 4}, {}, 0));
  EXPECT_EQ(pc.reshape({4, 3, 1}).quant()->axis, 0);
  EXPECT_EQ(pc.reshape({1, 4, 3}).quant()->axis, 1);
  EXPECT_EQ(pc.reshape({1, 4, 3}).quant()->scales, (std::vector<float>{1, 2, 3, 4}));
  EXPECT_TRUE(contains(error_of([&] { pc.reshape({12}); }), "splits or merges"));
  EXPECT_TRUE(contains(error_of([&] { pc.reshape({2, 6}); }), "splits or merges"));
  Tensor last = Tensor::zeros(DType::u8, {2, 3}).with_quant(per_axis({1, 2, 3}, {0, 9, 255}, 1));
  EXPECT_EQ(last.reshape({2, 1, 3}).quant()->axis, 2);
  EXPECT_TRUE(contains(error_of([&] { last.reshape({6, 1}); }), "splits or merges"));
}

TEST(QuantParams, CheckedAgainstDtypeAndShape) {
  auto problem = [](QuantPtr q, DType t, Shape s) { return quant_problem(*q, t, s); };
  EXPECT_EQ(problem(per_tensor_quant(0.5f, -128), DType::i8, {2, 3}), "");
  EXPECT_EQ(problem(per_axis({1, 2}, {0, 255}, 0), DType::u8, {2, 3}), "");
  EXPECT_TRUE(contains(problem(per_tensor_quant(0.5f), DType::f32, {2}), "on a f32 tensor"));
  EXPECT_TRUE(contains(problem(per_tensor_quant(0.f), DType::i8, {2}), "scale 0 is 0"));
  EXPECT_TRUE(contains(problem(per_tensor_quant(-1.f), DType::i8, {2}), "finite and > 0"));
  EXPECT_TRUE(contains(problem(per_tensor_quant(NAN), DType::i8, {2}), "finite and > 0"));
  EXPECT_TRUE(contains(problem(per_tensor_quant(INFINITY), DType::i8, {2}), "finite and > 0"));
  EXPECT_TRUE(contains(problem(per_tensor_quant(1.f, 128), DType::i8, {2}), "outside i8's [-128, 127]"));
  EXPECT_TRUE(contains(problem(per_tensor_quant(1.f, -1), DType::u8, {2}), "outside u8's [0, 255]"));
  EXPECT_TRUE(contains(problem(per_tensor_quant(1.f, 8), DType::i4, {2}), "outside i4's [-8, 7]"));
  EXPECT_TRUE(contains(problem(per_tensor_quant(1.f, 1), DType::i32, {2}), "biases: zero point 0"));
  EXPECT_EQ(problem(per_tensor_quant(1.f), DType::i32, {2}), "");
  EXPECT_TRUE(contains(problem(per_axis({1, 2, 3}, {}, 0), DType::i8, {2, 3}), "3 scales, expected 2"));
  EXPECT_TRUE(contains(problem(per_axis({1, 2}, {}, 2), DType::i8, {2, 3}), "axis 2 is out of range for rank 2"));
  EXPECT_TRUE(contains(problem(per_axis({1, 2}, {1}, 0), DType::i8, {2, 3}), "1 zero points for 2 scales"));
  EXPECT_TRUE(contains(problem(per_axis({1, 2}, {}, -2), DType::i8, {2, 3}), "axis -2"));
  EXPECT_TRUE(contains(problem(make_quant(QuantParams{}), DType::i8, {2}), "no scales"));
  // Unknown dims leave the counts that depend on them unchecked.
  EXPECT_EQ(problem(per_axis({1, 2, 3}, {}, 0), DType::i8, {-1, 3}), "");
  EXPECT_EQ(quant_problem(*per_axis({1, 2, 3}, {}, 5), DType::i8, {}, /*rank_known=*/false), "");

  QuantParams g;  // int4 weight [2, 5]: per row, groups of 2 along dim 1 -> 3 groups per row
  g.axis = 0;
  g.group_size = 2;
  g.group_axis = 1;
  g.scales = {1, 2, 3, 4, 5, 6};
  EXPECT_EQ(quant_problem(g, DType::i4, {2, 5}), "");
  EXPECT_TRUE(contains(quant_problem(g, DType::i4, {2, 7}), "6 scales, expected 8"));
  QuantParams same_axis = g;
  same_axis.group_axis = 0;
  EXPECT_TRUE(contains(quant_problem(same_axis, DType::i4, {2, 5}), "not another axis"));
  QuantParams no_axis = g;
  no_axis.axis = -1;
  EXPECT_TRUE(contains(quant_problem(no_axis, DType::i4, {2, 5}), "need a per-channel axis"));
  QuantParams stray;
  stray.scales = {1};
  stray.group_axis = 1;
  EXPECT_TRUE(contains(quant_problem(stray, DType::i4, {2, 5}), "without a group size"));

  Tensor t = Tensor::zeros(DType::i8, {2, 3});
  EXPECT_TRUE(contains(error_of([&] { t.set_quant(per_axis({1}, {}, 0)); }), "tensor i8[2, 3]: bad quantization"));
  EXPECT_FALSE(t.quantized());
}

TEST(QuantParams, StringsAndEquality) {
  EXPECT_EQ(per_tensor_quant(0.25f, 3)->str(), "scale=0.25 zp=3");
  EXPECT_EQ(per_axis({1, 2}, {}, 0)->str(), "axis 0: 2 scales, symmetric");
  EXPECT_EQ(per_axis({1, 2}, {1, 2}, 1)->str(), "axis 1: 2 scales, 2 zero points");
  EXPECT_EQ(quant_str(nullptr), "");
  EXPECT_TRUE(same_quant(nullptr, nullptr));
  EXPECT_FALSE(same_quant(per_tensor_quant(1.f), nullptr));
  EXPECT_TRUE(same_quant(per_tensor_quant(1.f, 2), per_tensor_quant(1.f, 2)));
  EXPECT_FALSE(same_quant(per_tensor_quant(1.f, 2), per_tensor_quant(1.f, 3)));
  // ONNX-style lists: one scale is per tensor whatever the axis; all-zero points are symmetric.
  QuantPtr q = quant_from_lists({0.5f}, {0}, 1);
  EXPECT_TRUE(q->per_tensor());
  EXPECT_TRUE(q->symmetric());
  EXPECT_EQ(quant_from_lists({1, 2}, {0, 4}, 1)->axis, 1);
}

TEST(QuantIndex, MapsElementsToChannelsAndGroups) {
  QuantParams g;
  g.axis = 0;
  g.group_size = 2;
  g.group_axis = 1;
  g.scales.assign(6, 1.f);
  QuantIndex idx(g, {2, 5});
  const size_t expected[] = {0, 0, 1, 1, 2, 3, 3, 4, 4, 5};
  for (int64_t i = 0; i < 10; ++i) EXPECT_EQ(idx(i), expected[i]) << i;
  QuantIndex mid(*per_axis({1, 2, 3}, {}, 1), {2, 3, 2});
  const size_t m[] = {0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2};
  for (int64_t i = 0; i < 12; ++i) EXPECT_EQ(mid(i), m[i]) << i;
  QuantIndex whole(*per_tensor_quant(1.f), {7});
  EXPECT_EQ(whole(6), 0u);
}

TEST(Quantize, RoundsHalfToEvenAndSaturates) {
  Tensor x = f32({12}, {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 0.49999997f, 1000.f, -1000.f, NAN, INFINITY, -INFINITY});
  Tensor q = quantize(x, per_tensor_quant(1.f), DType::i8);
  EXPECT_EQ(values<int8_t>(q), (std::vector<int8_t>{0, 2, 2, 0, -2, -2, 0, 127, -128, 0, 127, -128}));
  EXPECT_TRUE(same_quant(q.quant(), per_tensor_quant(1.f)));
  // Zero point is added after rounding; NaN becomes the zero point (real 0).
  Tensor u = quantize(x, per_tensor_quant(0.5f, 10), DType::u8);
  EXPECT_EQ(values<uint8_t>(u), (std::vector<uint8_t>{11, 13, 15, 9, 7, 5, 11, 255, 0, 10, 255, 0}));
  EXPECT_EQ(values<int32_t>(quantize(f32({3}, {1e10f, -1e10f, 7.5f}), per_tensor_quant(1.f), DType::i32)),
            (std::vector<int32_t>{INT32_MAX, INT32_MIN, 8}));
  EXPECT_EQ(i4_values(quantize(f32({4}, {2.f, -20.f, 20.f, 0.75f}), per_tensor_quant(0.5f, -1), DType::i4)),
            (std::vector<int>{3, -8, 7, 1}));
}

TEST(Quantize, PerChannelAndPerGroup) {
  Tensor x = f32({2, 3}, {1, 2, 3, 1, 2, 3});
  Tensor q = quantize(x, per_axis({1.f, 0.5f}, {0, 1}, 0), DType::i8);
  EXPECT_EQ(values<int8_t>(q), (std::vector<int8_t>{1, 2, 3, 3, 5, 7}));
  Tensor qc = quantize(x, per_axis({1.f, 2.f, 4.f}, {}, 1), DType::i8);
  EXPECT_EQ(values<int8_t>(qc), (std::vector<int8_t>{1, 1, 1, 1, 1, 1}));
  EXPECT_EQ(values<float>(dequantize(qc)), (std::vector<float>{1, 2, 4, 1, 2, 4}));
  QuantParams g;
  g.axis = 0;
  g.group_size = 2;
  g.group_axis = 1;
  g.scales = {1, 2, 0.5f, 0.25f};
  Tensor w = f32({2, 4}, {1, 1, 4, 4, 1, 1, 1, 1});
  Tensor qw = quantize(w, make_quant(g), DType::i4);
  EXPECT_EQ(i4_values(qw), (std::vector<int>{1, 1, 2, 2, 2, 2, 4, 4}));
  EXPECT_EQ(max_abs_diff(dequantize(qw), w), 0.f);
  EXPECT_TRUE(contains(error_of([&] { quantize(x, per_axis({1.f, 2.f}, {}, 1), DType::i8); }), "2 scales, expected 3"));
  EXPECT_TRUE(contains(error_of([&] { quantize(x, per_tensor_quant(1.f), DType::f32); }), "on a f32 tensor"));
  EXPECT_TRUE(contains(error_of([&] { quantize(Tensor::zeros(DType::i8, {2}), per_tensor_quant(1.f), DType::i8); }),
                       "input must be f32"));
  EXPECT_TRUE(contains(error_of([&] { dequantize(Tensor::zeros(DType::i8, {2})); }), "no quantization parameters"));
}

// Every integer of each dtype survives dequantize -> quantize with the same parameters, and
// dequantize is (q - zp) * scale exactly.
TEST(Quantize, DequantizeThenQuantizeIsTheIdentityOnEveryValue) {
  struct Case {
    DType dtype;
    float scale;
    int32_t zp;
  };
  for (const Case& c : {Case{DType::i8, 0.0137f, -5}, Case{DType::u8, 0.21f, 128}, Case{DType::i4, 0.7f, 2},
                        Case{DType::u8, 3.0f, 0}}) {
    const int64_t lo = info(c.dtype).int_min, hi = info(c.dtype).int_max, n = hi - lo + 1;
    Tensor all = Tensor::zeros(c.dtype, {n});
    for (int64_t i = 0; i < n; ++i) {
      const int32_t v = static_cast<int32_t>(lo + i);
      if (c.dtype == DType::i4) i4_set(static_cast<uint8_t*>(all.raw()), i, v);
      else if (c.dtype == DType::i8) all.data<int8_t>()[i] = static_cast<int8_t>(v);
      else all.data<uint8_t>()[i] = static_cast<uint8_t>(v);
    }
    all.set_quant(per_tensor_quant(c.scale, c.zp));
    Tensor real = dequantize(all);
    for (int64_t i = 0; i < n; ++i)
      EXPECT_EQ(real.f32()[i], static_cast<float>(lo + i - c.zp) * c.scale) << dtype_name(c.dtype) << " " << i;
    Tensor again = quantize(real, all.quant(), c.dtype);
    EXPECT_EQ(std::memcmp(again.raw(), all.raw(), all.nbytes()), 0) << dtype_name(c.dtype);
  }
}

TEST(Quantize, ErrorIsAtMostHalfAStepInsideTheRange) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  std::vector<float> v(1000);
  for (float& x : v) x = dist(rng);
  Tensor x = f32({1000}, v);
  const float scale = 2.f / 255.f;
  Tensor back = dequantize(quantize(x, per_tensor_quant(scale, 0), DType::i8));
  EXPECT_LE(max_abs_diff(back, x), scale / 2 * 1.0001f);
}

}  // namespace
}  // namespace prunq
