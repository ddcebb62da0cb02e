// fp32 inference convolution (1x1 GEMM path and implicit-GEMM KxK path) on every allowed GEMM
// variant against the direct reference: padding, stride, dilation, groups, batch, odd sizes,
// bias + activation epilogues, all buffers guarded against over-reads; prepacked weights give
// the same bits; parameter errors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/error.h"
#include "kernels/conv_f32/conv_f32.h"
#include "f32_test_util.h"

namespace prunq {
namespace {

using testing::GuardedFloats;
using testing::random_floats;

Conv2dParams conv(int64_t n, int64_t cin, int64_t h, int64_t w, int64_t cout, int64_t kh, int64_t kw,
                  int64_t stride = 1, int64_t pad = 0, int64_t dilation = 1, int64_t groups = 1) {
  Conv2dParams p;
  p.batch = n;
  p.in_channels = cin;
  p.in_h = h;
  p.in_w = w;
  p.out_channels = cout;
  p.kernel_h = kh;
  p.kernel_w = kw;
  p.stride_h = p.stride_w = stride;
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = pad;
  p.dilation_h = p.dilation_w = dilation;
  p.groups = groups;
  return p;
}

std::string describe(const Conv2dParams& p) {
  auto s = [](int64_t v) { return std::to_string(v); };
  return "N=" + s(p.batch) + " Cin=" + s(p.in_channels) + " " + s(p.in_h) + "x" + s(p.in_w) + " Cout=" +
         s(p.out_channels) + " k=" + s(p.kernel_h) + "x" + s(p.kernel_w) + " stride=" + s(p.stride_h) + "," +
         s(p.stride_w) + " pads=" + s(p.pad_top) + "," + s(p.pad_left) + "," + s(p.pad_bottom) + "," +
         s(p.pad_right) + " dil=" + s(p.dilation_h) + "," + s(p.dilation_w) + " groups=" + s(p.groups);
}

void check_conv(Isa isa, const Conv2dParams& p, bool with_bias, Activation act, uint64_t seed) {
  SCOPED_TRACE(describe(p));
  const size_t in_n = p.batch * p.in_channels * p.in_h * p.in_w;
  const int64_t taps = (p.in_channels / p.groups) * p.kernel_h * p.kernel_w;
  const size_t w_n = p.out_channels * taps;
  const size_t out_n = p.batch * p.out_channels * p.out_h() * p.out_w();
  std::vector<float> x = random_floats(in_n, seed), w = random_floats(w_n, seed + 1), b = random_floats(p.out_channels, seed + 2);
  // Scale the weights so ReLU6's upper bound is reached for some outputs.
  for (float& v : w) v *= 3.f;

  std::vector<float> want(out_n), mag(out_n);
  testing::conv_reference_with_magnitude(p, x, w, b, with_bias, act, want, mag);

  GuardedFloats gx(in_n), gw(w_n), gb(p.out_channels), gy(out_n);
  gx.copy_from(x);
  gw.copy_from(w);
  gb.copy_from(b);
  std::fill(gy.data(), gy.data() + out_n, std::numeric_limits<float>::quiet_NaN());  // every output must be written
  conv2d_f32_isa(isa, p, gx.data(), gw.data(), with_bias ? gb.data() : nullptr, act, gy.data());

  int bad = 0;
  for (size_t i = 0; i < out_n && bad < 5; ++i) {
    const float tol = testing::sum_error_bound(taps, mag[i]);
    if (!(std::fabs(gy.data()[i] - want[i]) <= tol))
      ++bad, ADD_FAILURE() << "output[" << i << "] = " << gy.data()[i] << ", reference " << want[i] << " (tolerance "
                           << tol << ")";
  }
}

class ConvF32Variant : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override { PRUNQ_SKIP_UNLESS_VARIANT_ALLOWED(GetParam()); }
};

TEST_P(ConvF32Variant, PointwiseIsStraightGemm) {
  check_conv(GetParam(), conv(1, 16, 7, 9, 24, 1, 1), true, Activation::none, 1);
  check_conv(GetParam(), conv(2, 3, 5, 5, 33, 1, 1), true, Activation::relu, 2);
  check_conv(GetParam(), conv(1, 37, 1, 1, 5, 1, 1), false, Activation::relu6, 3);
  // Strided or padded 1x1 takes the implicit-GEMM path.
  check_conv(GetParam(), conv(1, 8, 9, 11, 12, 1, 1, 2), true, Activation::none, 4);
  check_conv(GetParam(), conv(1, 4, 5, 6, 7, 1, 1, 1, 1), true, Activation::none, 5);
}

TEST_P(ConvF32Variant, KxKStridePaddingDilation) {
  uint64_t seed = 10;
  for (int64_t k : {3, 5})
    for (int64_t stride : {1, 2})
      for (int64_t pad : {0, 1, 2})
        for (int64_t dil : {1, 2}) check_conv(GetParam(), conv(1, 5, 13, 11, 19, k, k, stride, pad, dil), true, Activation::relu, seed++);
}

TEST_P(ConvF32Variant, AsymmetricPadsStridesAndKernels) {
  Conv2dParams p = conv(2, 3, 10, 17, 8, 2, 3);
  p.stride_h = 1;
  p.stride_w = 3;
  p.pad_top = 0;
  p.pad_left = 2;
  p.pad_bottom = 1;
  p.pad_right = 0;
  p.dilation_h = 3;
  check_conv(GetParam(), p, true, Activation::relu6, 40);
  // Kernel larger than the unpadded input: whole im2col rows come from padding.
  check_conv(GetParam(), conv(1, 2, 2, 3, 4, 5, 5, 1, 2), true, Activation::none, 41);
}

TEST_P(ConvF32Variant, GroupedAndDepthwiseThroughGemm) {
  check_conv(GetParam(), conv(2, 8, 9, 9, 12, 3, 3, 1, 1, 1, 4), true, Activation::relu, 50);
  check_conv(GetParam(), conv(1, 6, 8, 7, 6, 3, 3, 2, 1, 1, 6), false, Activation::none, 51);
}

TEST_P(ConvF32Variant, LargeEnoughToThreadAndBlock) {
  // K = 64*9 = 576 spans several KC blocks, 28x28 = 784 pixels several NR panels and both threads.
  check_conv(GetParam(), conv(1, 64, 28, 28, 40, 3, 3, 1, 1), true, Activation::relu, 60);
}

TEST_P(ConvF32Variant, PrepackedWeightsGiveTheSameBits) {
  // Same micro-kernel, same K blocks, same summation order: prepacking must change nothing.
  // Cases: several KC blocks (K = 40*9 = 360), row tails, groups, pointwise, batch 2, and
  // M > N so two threads split rows instead of columns.
  const Conv2dParams cases[] = {conv(2, 40, 9, 8, 30, 3, 3, 1, 1), conv(1, 8, 7, 7, 12, 3, 3, 2, 1, 1, 4),
                                conv(1, 24, 6, 6, 17, 1, 1), conv(1, 16, 4, 4, 64, 3, 3, 1, 1)};
  uint64_t seed = 80;
  for (const Conv2dParams& p : cases) {
    SCOPED_TRACE(describe(p));
    const size_t in_n = p.batch * p.in_channels * p.in_h * p.in_w;
    const size_t w_n = p.out_channels * (p.in_channels / p.groups) * p.kernel_h * p.kernel_w;
    const size_t out_n = p.batch * p.out_channels * p.out_h() * p.out_w();
    std::vector<float> x = random_floats(in_n, seed++), w = random_floats(w_n, seed++), b = random_floats(p.out_channels, seed++);
    std::vector<float> direct(out_n), packed(out_n);
    conv2d_f32_isa(GetParam(), p, x.data(), w.data(), b.data(), Activation::relu, direct.data());
    PackedConv2dF32 pw = prepack_conv2d_f32_isa(GetParam(), p, w.data());
    std::fill(w.begin(), w.end(), std::numeric_limits<float>::quiet_NaN());  // the original is not read again
    GuardedFloats gx(in_n), gy(out_n);
    gx.copy_from(x);
    conv2d_f32_prepacked(pw, p.batch, gx.data(), b.data(), Activation::relu, gy.data());
    EXPECT_EQ(gy.to_vector(), direct);
  }
}

INSTANTIATE_TEST_SUITE_P(Variants, ConvF32Variant, ::testing::ValuesIn(testing::kF32Variants),
                         testing::isa_param_name);

TEST(ConvF32, ActiveVariantMatchesReference) {
  Conv2dParams p = conv(1, 3, 12, 12, 8, 3, 3, 2, 1);
  std::vector<float> x = random_floats(3 * 144, 70), w = random_floats(8 * 27, 71), b = random_floats(8, 72);
  std::vector<float> want(8 * 36), got(8 * 36);
  conv2d_f32_reference(p, x.data(), w.data(), b.data(), Activation::relu, want.data());
  conv2d_f32(p, x.data(), w.data(), b.data(), Activation::relu, got.data());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5f) << i;
}

TEST(ConvF32, BadParametersThrow) {
  std::vector<float> buf(4096);
  auto run = [&](const Conv2dParams& p) { conv2d_f32(p, buf.data(), buf.data(), nullptr, Activation::none, buf.data() + 2048); };
  EXPECT_THROW(run(conv(1, 3, 4, 4, 4, 5, 5)), Error);           // kernel larger than the input
  EXPECT_THROW(run(conv(1, 3, 8, 8, 4, 3, 3, 1, 1, 1, 2)), Error);  // groups do not divide channels
  EXPECT_THROW(run(conv(1, 3, 8, 8, 4, 3, 3, 0)), Error);        // zero stride
  EXPECT_THROW(run(conv(0, 3, 8, 8, 4, 3, 3)), Error);           // empty batch
  Conv2dParams neg = conv(1, 3, 8, 8, 4, 3, 3);
  neg.pad_left = -1;
  EXPECT_THROW(run(neg), Error);
  EXPECT_THROW(conv2d_f32(conv(1, 1, 4, 4, 1, 3, 3), nullptr, buf.data(), nullptr, Activation::none, buf.data()), Error);
  EXPECT_THROW(conv2d_f32_prepacked(PackedConv2dF32{}, 1, buf.data(), nullptr, Activation::none, buf.data()), Error);
  EXPECT_THROW(prepack_conv2d_f32(conv(1, 3, 8, 8, 4, 3, 3), nullptr), Error);
  PackedConv2dF32 pw = prepack_conv2d_f32(conv(1, 3, 8, 8, 4, 3, 3), buf.data());
  EXPECT_THROW(conv2d_f32_prepacked(pw, 0, buf.data(), nullptr, Activation::none, buf.data() + 2048), Error);
}

}  // namespace
}  // namespace prunq
