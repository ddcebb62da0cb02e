// Depthwise fp32 kernels on every allowed variant against the direct convolution reference:
// 3x3/5x5 x stride 1/2 x padding over row widths around the vector lengths (tails), the generic
// path (dilation, non-square kernels, unequal strides, asymmetric pads), epilogues, guarded
// buffers; and parameter errors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/error.h"
#include "kernels/conv_f32/conv_f32.h"
#include "kernels/dwconv_f32/dwconv_f32.h"
#include "f32_test_util.h"

namespace prunq {
namespace {

using testing::GuardedFloats;
using testing::random_floats;

Conv2dParams depthwise(int64_t n, int64_t c, int64_t h, int64_t w, int64_t k, int64_t stride, int64_t pad,
                       int64_t dilation = 1) {
  Conv2dParams p;
  p.batch = n;
  p.in_channels = p.out_channels = p.groups = c;
  p.in_h = h;
  p.in_w = w;
  p.kernel_h = p.kernel_w = k;
  p.stride_h = p.stride_w = stride;
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = pad;
  p.dilation_h = p.dilation_w = dilation;
  return p;
}

void check_dw(Isa isa, const Conv2dParams& p, bool with_bias, Activation act, uint64_t seed) {
  SCOPED_TRACE("C=" + std::to_string(p.in_channels) + " " + std::to_string(p.in_h) + "x" + std::to_string(p.in_w) +
               " k=" + std::to_string(p.kernel_h) + "x" + std::to_string(p.kernel_w) + " stride=" +
               std::to_string(p.stride_h) + "," + std::to_string(p.stride_w) + " pad=" + std::to_string(p.pad_top) +
               "," + std::to_string(p.pad_left) + "," + std::to_string(p.pad_bottom) + "," +
               std::to_string(p.pad_right) + " dil=" + std::to_string(p.dilation_h));
  const size_t in_n = p.batch * p.in_channels * p.in_h * p.in_w, taps = p.kernel_h * p.kernel_w;
  const size_t w_n = p.in_channels * taps, out_n = p.batch * p.in_channels * p.out_h() * p.out_w();
  std::vector<float> x = random_floats(in_n, seed), w = random_floats(w_n, seed + 1, -3.f, 3.f),
                     b = random_floats(p.in_channels, seed + 2);
  std::vector<float> want(out_n), mag(out_n);
  testing::conv_reference_with_magnitude(p, x, w, b, with_bias, act, want, mag);

  GuardedFloats gx(in_n), gw(w_n), gb(p.in_channels), gy(out_n);
  gx.copy_from(x);
  gw.copy_from(w);
  gb.copy_from(b);
  std::fill(gy.data(), gy.data() + out_n, std::numeric_limits<float>::quiet_NaN());
  dwconv2d_f32_isa(isa, p, gx.data(), gw.data(), with_bias ? gb.data() : nullptr, act, gy.data());
  int bad = 0;
  for (size_t i = 0; i < out_n && bad < 5; ++i) {
    const float tol = testing::sum_error_bound(static_cast<int64_t>(taps), mag[i]);
    if (!(std::fabs(gy.data()[i] - want[i]) <= tol))
      ++bad, ADD_FAILURE() << "output[" << i << "] = " << gy.data()[i] << ", reference " << want[i] << " (tolerance "
                           << tol << ")";
  }
}

class DwConvF32Variant : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    PRUNQ_SKIP_UNLESS_VARIANT_ALLOWED(GetParam());
    ASSERT_TRUE(dwconv2d_f32_variant_available(GetParam()));
  }
};

TEST_P(DwConvF32Variant, FastKernelsOverWidthsAndPads) {
  uint64_t seed = 1;
  // Widths around 8 and 16 lanes (and their stride-2 doubles) exercise every tail.
  for (int64_t k : {3, 5})
    for (int64_t stride : {1, 2})
      for (int64_t pad : {0, 1, 2})
        for (int64_t w : {5, 7, 8, 9, 16, 17, 31, 33, 40}) {
          if (w + 2 * pad < k) continue;
          check_dw(GetParam(), depthwise(1, 3, 6, w, k, stride, pad), true,
                   seed % 3 == 0 ? Activation::relu6 : Activation::none, seed);
          ++seed;
        }
}

TEST_P(DwConvF32Variant, BatchChannelsAndEpilogues) {
  check_dw(GetParam(), depthwise(2, 17, 14, 14, 3, 1, 1), true, Activation::relu, 100);
  check_dw(GetParam(), depthwise(2, 9, 15, 13, 3, 2, 1), false, Activation::relu6, 101);
  check_dw(GetParam(), depthwise(1, 32, 28, 28, 5, 2, 2), true, Activation::none, 102);  // enough work to thread
}

TEST_P(DwConvF32Variant, GenericPath) {
  check_dw(GetParam(), depthwise(1, 4, 11, 12, 3, 1, 2, 2), true, Activation::none, 200);  // dilation
  check_dw(GetParam(), depthwise(1, 4, 11, 12, 7, 1, 3), true, Activation::relu, 201);     // 7x7
  check_dw(GetParam(), depthwise(1, 4, 11, 12, 3, 3, 1), true, Activation::none, 202);     // stride 3
  Conv2dParams p = depthwise(1, 3, 9, 10, 3, 1, 0);
  p.kernel_w = 5;  // non-square
  p.stride_w = 2;  // unequal strides
  p.pad_left = 2;
  p.pad_bottom = 1;
  check_dw(GetParam(), p, true, Activation::relu6, 203);
  // Asymmetric pads on the fast path, and a 1x1 plane (everything but the centre is padding).
  Conv2dParams q = depthwise(1, 3, 8, 9, 3, 2, 0);
  q.pad_top = 1;
  q.pad_right = 1;
  check_dw(GetParam(), q, true, Activation::none, 204);
  check_dw(GetParam(), depthwise(1, 5, 1, 1, 3, 1, 1), true, Activation::none, 205);
}

INSTANTIATE_TEST_SUITE_P(Variants, DwConvF32Variant, ::testing::ValuesIn(testing::kF32Variants),
                         testing::isa_param_name);

TEST(DwConvF32, ActiveVariantMatchesReference) {
  Conv2dParams p = depthwise(1, 8, 10, 10, 3, 1, 1);
  std::vector<float> x = random_floats(800, 1), w = random_floats(72, 2), b = random_floats(8, 3);
  std::vector<float> want(800), got(800);
  conv2d_f32_reference(p, x.data(), w.data(), b.data(), Activation::relu, want.data());
  dwconv2d_f32(p, x.data(), w.data(), b.data(), Activation::relu, got.data());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5f) << i;
}

TEST(DwConvF32, RejectsNonDepthwiseAndBadParameters) {
  std::vector<float> buf(4096);
  auto run = [&](const Conv2dParams& p) { dwconv2d_f32(p, buf.data(), buf.data(), nullptr, Activation::none, buf.data() + 2048); };
  Conv2dParams grouped = depthwise(1, 4, 8, 8, 3, 1, 1);
  grouped.groups = 2;
  EXPECT_THROW(run(grouped), Error);
  Conv2dParams multiplier = depthwise(1, 4, 8, 8, 3, 1, 1);
  multiplier.out_channels = 8;
  EXPECT_THROW(run(multiplier), Error);
  EXPECT_THROW(run(depthwise(1, 4, 2, 2, 5, 1, 0)), Error);  // kernel larger than the input
  EXPECT_THROW(run(depthwise(1, 4, 8, 8, 3, 0, 1)), Error);  // zero stride
}

}  // namespace
}  // namespace prunq
