// int8 convolution (implicit GEMM with indirection): every kernel bit-exact against the direct
// reference across kernel sizes, strides, paddings, dilations, odd channel counts and zero points.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "core/error.h"
#include "kernels/conv_s8/conv_s8.h"
#include "s8_test_util.h"

using namespace prunq;
using namespace prunq::s8test;

namespace {

// w_lo .. w_hi: the weight range ([-64, 64] makes AVX2 run its vpmaddubsw form).
void expect_conv_matches(GemmS8Kernel kern, const ConvS8Shape& s, int64_t batch, const QuantSpec& spec,
                         std::mt19937& rng, const char* what, int w_lo = -128, int w_hi = 127) {
  std::vector<uint8_t> in = random_bytes(rng, static_cast<size_t>(batch * s.in_h * s.in_w * s.in_c));
  std::vector<int8_t> w =
      random_weights(rng, static_cast<size_t>(s.out_c * s.in_c * s.kernel_h * s.kernel_w), w_lo, w_hi);
  const int64_t out_elems = batch * s.out_h() * s.out_w() * s.out_c, es = qout_size(spec.out_type);
  // One spare element after the output catches writes past its end.
  std::vector<uint8_t> want(static_cast<size_t>((out_elems + 1) * es), 0xAB), got = want;
  conv_s8_reference(s, w.data(), spec, batch, in.data(), want.data());
  // Direct, and whatever automatic picks (Winograd for 3x3 stride-1 layers on AVX-512 VNNI and AVX2).
  for (ConvS8Algorithm algo : {ConvS8Algorithm::direct, ConvS8Algorithm::automatic}) {
    std::fill(got.begin(), got.end(), uint8_t{0xAB});
    const PackedConvS8 packed = pack_conv_s8(s, w.data(), spec, kern, algo);
    if (kern == GemmS8Kernel::avx2 && !packed.winograd && w_lo >= -64 && w_hi <= 64)
      EXPECT_TRUE(packed.gemm.maddubs) << what;
    conv_s8(packed, batch, in.data(), got.data());
    for (size_t i = 0; i < want.size(); ++i)
      if (want[i] != got[i]) {
        FAIL() << what << ": kernel " << packed_gemm_s8_kernel_name(packed.gemm) << (packed.winograd ? " winograd " : " direct ")
               << s.kernel_h << "x" << s.kernel_w
               << " stride " << s.stride_h << " pad " << s.pad_top << " C " << s.in_c << "->" << s.out_c << " "
               << s.in_h << "x" << s.in_w << " out " << qout_name(spec.out_type) << ": byte " << i << " of "
               << want.size() << " differs";
      }
  }
}

}  // namespace

// One instance per kernel, so the kernels this CPU (or PRUNQ_ISA) lacks show up as skipped.
class ConvS8Kernels : public ::testing::TestWithParam<GemmS8Kernel> {};

TEST_P(ConvS8Kernels, KernelSizesStridesPaddingBitExact) {
  const GemmS8Kernel kern = GetParam();
  if (!gemm_s8_kernel_available(kern))
    GTEST_SKIP() << "kernel " << gemm_s8_kernel_name(kern) << " not available on this CPU / ISA cap";
  std::mt19937 rng(42);
  for (int64_t ksz : {1, 3, 5, 7})
    for (int64_t stride : {1, 2})
      for (int64_t c : {1, 3, 4, 8, 17}) {
        ConvS8Shape s;
        s.in_h = 9 + static_cast<int64_t>(rng() % 4);
        s.in_w = 8 + static_cast<int64_t>(rng() % 5);
        s.in_c = c;
        s.out_c = static_cast<int64_t>(1 + rng() % 40);
        s.kernel_h = s.kernel_w = ksz;
        s.stride_h = s.stride_w = stride;
        s.pad_top = s.pad_left = ksz / 2;
        s.pad_bottom = s.pad_right = ksz / 2 + (rng() % 2 ? 0 : 1);  // asymmetric sometimes
        int variant = static_cast<int>(rng() % 8);
        QOut out = static_cast<QOut>(rng() % 4);
        QuantSpec spec = random_spec(rng, s.out_c, out, variant & 1, variant & 2, variant & 4, true);
        if (rng() % 2) spec.act_min = 0;
        expect_conv_matches(kern, s, 2, spec, rng, "conv");
        expect_conv_matches(kern, s, 1, spec, rng, "conv, 7-bit weights", -64, 64);
        if (HasFailure()) return;
      }
}

INSTANTIATE_TEST_SUITE_P(AllKernels, ConvS8Kernels,
                         ::testing::ValuesIn(kAllGemmS8Kernels),
                         [](const ::testing::TestParamInfo<GemmS8Kernel>& info) {
                           return std::string(gemm_s8_kernel_name(info.param));
                         });

TEST(ConvS8, ExtremeZeroPointsInPaddingAndDilation) {
  std::mt19937 rng(8);
  for (GemmS8Kernel kern : kernels_to_test())
    for (bool a_signed : {false, true})
      for (int32_t za : a_signed ? std::vector<int32_t>{-128, 127} : std::vector<int32_t>{0, 255}) {
        ConvS8Shape s;
        s.in_h = 7;
        s.in_w = 6;
        s.in_c = 12;
        s.out_c = 20;
        s.kernel_h = 3;
        s.kernel_w = 2;  // non-square
        s.dilation_h = 2;
        s.pad_top = 3;
        s.pad_bottom = 1;
        s.pad_left = 2;
        s.pad_right = 0;
        QuantSpec spec = random_spec(rng, s.out_c, QOut::s32, a_signed, true, true, true);
        spec.a_zero_point = za;
        expect_conv_matches(kern, s, 3, spec, rng, "zero point / dilation");
        spec.out_type = QOut::u8;
        spec.out_zero_point = 255;
        expect_conv_matches(kern, s, 1, spec, rng, "zero point / dilation, u8");
        if (HasFailure()) return;
      }
}

TEST(ConvS8, HorizontalDilationUsesPerTapSegments) {
  std::mt19937 rng(9);
  for (GemmS8Kernel kern : kernels_to_test())
    for (int64_t c : {3, 8}) {
      ConvS8Shape s;
      s.in_h = 8;
      s.in_w = 9;
      s.in_c = c;
      s.out_c = 18;
      s.kernel_h = s.kernel_w = 3;
      s.dilation_w = 2;
      s.stride_w = 2;
      s.pad_top = s.pad_bottom = 1;
      s.pad_left = s.pad_right = 2;
      QuantSpec spec = random_spec(rng, s.out_c, QOut::s8, true, true, false, true);
      expect_conv_matches(kern, s, 2, spec, rng, "dilation_w 2");
      if (HasFailure()) return;
    }
}

TEST(ConvS8, FashionMnistLayerShapeBitExact) {
  // The 3x3 pad-1 layers of fmnist-cnn at a small batch (C = 1 exercises 1-byte K segments).
  std::mt19937 rng(77);
  for (GemmS8Kernel kern : kernels_to_test())
    for (auto [c, o, hw] : {std::tuple<int64_t, int64_t, int64_t>{1, 32, 28}, {32, 64, 28}, {64, 128, 14}}) {
      ConvS8Shape s;
      s.in_h = s.in_w = hw;
      s.in_c = c;
      s.out_c = o;
      s.kernel_h = s.kernel_w = 3;
      s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = 1;
      QuantSpec spec = random_spec(rng, o, QOut::u8, false, true, false, true);
      spec.act_min = 0;
      expect_conv_matches(kern, s, 1, spec, rng, "fmnist layer");
    }
}

TEST(ConvS8, BadShapesAreErrors) {
  ConvS8Shape s;
  s.in_h = s.in_w = 4;
  s.in_c = 2;
  s.out_c = 3;
  s.kernel_h = s.kernel_w = 5;  // does not fit without padding
  QuantSpec spec;
  spec.w_scales = {1.f};
  std::vector<int8_t> w(3 * 2 * 25);
  EXPECT_THROW(pack_conv_s8(s, w.data(), spec), Error);
  s.kernel_h = s.kernel_w = 3;
  s.stride_h = 0;
  EXPECT_THROW(pack_conv_s8(s, w.data(), spec), Error);
  s.stride_h = 1;
  s.pad_left = -1;
  EXPECT_THROW(pack_conv_s8(s, w.data(), spec), Error);
  s.pad_left = 0;
  EXPECT_NO_THROW(pack_conv_s8(s, w.data(), spec));
}
