// Depthwise int8 convolution: every kernel bit-exact against the direct reference for 3x3 / 5x5
// (and odd sizes) at stride 1 and 2, padding, channel tails, zero points and all output types.
#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "kernels/dwconv_s8/dwconv_s8.h"
#include "s8_test_util.h"

using namespace prunq;
using namespace prunq::s8test;

namespace {

std::vector<DwConvS8Kernel> dw_kernels() {
  std::vector<DwConvS8Kernel> ks;
  for (DwConvS8Kernel k : {DwConvS8Kernel::scalar, DwConvS8Kernel::avx2, DwConvS8Kernel::avx512_vnni, DwConvS8Kernel::neon})
    if (dwconv_s8_kernel_available(k)) ks.push_back(k);
  return ks;
}

void expect_dw_matches(DwConvS8Kernel kern, const DwConvS8Shape& s, int64_t batch, const QuantSpec& spec,
                       std::mt19937& rng, const char* what, int a_fill = -1) {
  const size_t in_n = static_cast<size_t>(batch * s.in_h * s.in_w * s.channels);
  std::vector<uint8_t> in = a_fill < 0 ? random_bytes(rng, in_n) : std::vector<uint8_t>(in_n, uint8_t(a_fill));
  std::vector<int8_t> w = random_weights(rng, static_cast<size_t>(s.channels * s.kernel_h * s.kernel_w));
  const int64_t out_elems = batch * s.out_h() * s.out_w() * s.channels, es = qout_size(spec.out_type);
  std::vector<uint8_t> want(static_cast<size_t>((out_elems + 1) * es), 0xAB), got = want;
  dwconv_s8_reference(s, w.data(), spec, batch, in.data(), want.data());
  dwconv_s8(pack_dwconv_s8(s, w.data(), spec, kern), batch, in.data(), got.data());
  for (size_t i = 0; i < want.size(); ++i)
    if (want[i] != got[i]) {
      FAIL() << what << ": kernel " << dwconv_s8_kernel_name(kern) << " " << s.kernel_h << "x" << s.kernel_w
             << " stride " << s.stride_h << " pad " << s.pad_top << " C " << s.channels << " " << s.in_h << "x"
             << s.in_w << " out " << qout_name(spec.out_type) << ": byte " << i << " of " << want.size()
             << " differs";
    }
}

}  // namespace

// One instance per kernel, so the kernels this CPU (or PRUNQ_ISA) lacks show up as skipped.
class DwConvS8Kernels : public ::testing::TestWithParam<DwConvS8Kernel> {};

TEST_P(DwConvS8Kernels, KernelsStridesChannelTailsBitExact) {
  const DwConvS8Kernel kern = GetParam();
  if (!dwconv_s8_kernel_available(kern))
    GTEST_SKIP() << "kernel " << dwconv_s8_kernel_name(kern) << " not available on this CPU / ISA cap";
  std::mt19937 rng(11);
  for (int64_t k : {3, 5, 2, 7})
    for (int64_t stride : {1, 2})
      for (int64_t c : {1, 7, 16, 32, 45, 96}) {
        DwConvS8Shape s;
        s.in_h = 7 + static_cast<int64_t>(rng() % 5);
        s.in_w = 6 + static_cast<int64_t>(rng() % 6);
        s.channels = c;
        s.kernel_h = s.kernel_w = k;
        s.stride_h = s.stride_w = stride;
        s.pad_top = s.pad_left = k / 2;
        s.pad_bottom = s.pad_right = (k - 1) / 2 + static_cast<int64_t>(rng() % 2);
        int variant = static_cast<int>(rng() % 8);
        QuantSpec spec = random_spec(rng, c, static_cast<QOut>(rng() % 4), variant & 1, variant & 2, variant & 4,
                                     true);
        if (rng() % 2) spec.act_min = 0;
        expect_dw_matches(kern, s, 2, spec, rng, "dwconv");
        if (HasFailure()) return;
      }
}

INSTANTIATE_TEST_SUITE_P(AllKernels, DwConvS8Kernels,
                         ::testing::Values(DwConvS8Kernel::scalar, DwConvS8Kernel::avx2, DwConvS8Kernel::avx512_vnni,
                                           DwConvS8Kernel::neon),
                         [](const ::testing::TestParamInfo<DwConvS8Kernel>& info) {
                           return std::string(dwconv_s8_kernel_name(info.param));
                         });

TEST(DwConvS8, ExtremeZeroPointsAndSaturationCorners) {
  std::mt19937 rng(12);
  DwConvS8Shape s;
  s.in_h = s.in_w = 9;
  s.channels = 37;
  s.kernel_h = s.kernel_w = 5;
  s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = 2;
  for (DwConvS8Kernel kern : dw_kernels())
    for (bool a_signed : {false, true})
      for (int32_t za : a_signed ? std::vector<int32_t>{-128, 127} : std::vector<int32_t>{0, 255})
        for (int a_fill : {0, 255, -1})
          for (QOut out : {QOut::s32, QOut::u8, QOut::s8, QOut::f32}) {
            QuantSpec spec = random_spec(rng, s.channels, out, a_signed, true, true, true);
            spec.a_zero_point = za;
            spec.w_zero_points = {a_fill == 255 ? -128 : 127};  // (w - zw) up to +-255
            expect_dw_matches(kern, s, 1, spec, rng, "dw corners", a_fill);
            if (HasFailure()) return;
          }
}

TEST(DwConvS8, DilationAndNonSquareKernels) {
  std::mt19937 rng(13);
  for (DwConvS8Kernel kern : dw_kernels()) {
    DwConvS8Shape s;
    s.in_h = 10;
    s.in_w = 8;
    s.channels = 50;
    s.kernel_h = 3;
    s.kernel_w = 1;
    s.dilation_h = 2;
    s.pad_top = 2;
    s.pad_bottom = 1;
    QuantSpec spec = random_spec(rng, s.channels, QOut::u8, false, false, false, false);
    expect_dw_matches(kern, s, 2, spec, rng, "dw dilation");
  }
}

// Rows wide enough for several 4-output steps plus a tail, dilation along both axes, kernels of
// one row / column and even heights (the AVX2 kernel pairs kernel rows: the last row of an odd
// height pairs with nothing), asymmetric padding larger than the kernel's reach.
TEST(DwConvS8, WideRowsDilationAndKernelShapes) {
  std::mt19937 rng(14);
  struct Case {
    int64_t kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
  };
  const Case cases[] = {{3, 3, 1, 1, 1, 2, 1, 2, 1, 2}, {3, 3, 2, 2, 2, 2, 2, 2, 1, 1}, {1, 5, 1, 1, 1, 1, 0, 2, 0, 2},
                        {4, 2, 1, 2, 1, 1, 1, 0, 2, 1}, {5, 5, 2, 1, 1, 1, 2, 2, 2, 2}, {3, 1, 1, 1, 3, 1, 3, 0, 3, 0}};
  for (DwConvS8Kernel kern : dw_kernels())
    for (const Case& k : cases)
      for (int64_t c : {5, 16, 40}) {
        DwConvS8Shape s;
        s.in_h = 9;
        s.in_w = 27;
        s.channels = c;
        s.kernel_h = k.kh, s.kernel_w = k.kw, s.stride_h = k.sh, s.stride_w = k.sw;
        s.dilation_h = k.dh, s.dilation_w = k.dw;
        s.pad_top = k.pt, s.pad_left = k.pl, s.pad_bottom = k.pb, s.pad_right = k.pr;
        const int variant = static_cast<int>(rng() % 8);
        QuantSpec spec = random_spec(rng, c, static_cast<QOut>(rng() % 4), variant & 1, variant & 2, variant & 4, true);
        if (rng() % 2) spec.act_min = 0;
        expect_dw_matches(kern, s, 2, spec, rng, "dw wide rows");
        if (HasFailure()) return;
      }
}

TEST(DwConvS8, BadInputIsAnError) {
  DwConvS8Shape s;
  s.in_h = s.in_w = 2;
  s.channels = 4;
  s.kernel_h = s.kernel_w = 3;  // does not fit without padding
  QuantSpec spec;
  spec.w_scales = {1.f};
  std::vector<int8_t> w(4 * 9);
  EXPECT_THROW(pack_dwconv_s8(s, w.data(), spec), Error);
  s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = 1;
  spec.bias = {1, 2};
  EXPECT_THROW(pack_dwconv_s8(s, w.data(), spec), Error);
  spec.bias.clear();
  spec.w_scales = {1.f, 2.f};
  EXPECT_THROW(pack_dwconv_s8(s, w.data(), spec), Error);
  spec.w_scales = {1.f};
  PackedDwConvS8 p = pack_dwconv_s8(s, w.data(), spec);
  EXPECT_THROW(dwconv_s8(p, -1, w.data(), w.data()), Error);
}
