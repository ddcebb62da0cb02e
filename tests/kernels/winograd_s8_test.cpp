// int8 Winograd F(4x4, 3x3): the portable, AVX2, AVX-VNNI and AVX-512 VNNI stages bit-exact
// against the direct reference over image sizes that do and do not fill whole 4x4 tiles,
// paddings, odd and even channel counts (every partial 16- and 32-channel group, read from input
// that ends at an inaccessible page), partial output panels and halves, every output type, and
// weights at the edge of the exactness bound (|y| < 2^25), where the modular recovery of
// 576 * y must still be exact.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "core/error.h"
#include "f32_test_util.h"
#include "kernels/conv_s8/conv_s8.h"
#include "s8_test_util.h"

using namespace prunq;
using namespace prunq::s8test;

namespace {

ConvS8Shape conv3x3(int64_t h, int64_t w, int64_t c, int64_t o, int64_t pad_lo, int64_t pad_hi) {
  ConvS8Shape s;
  s.in_h = h;
  s.in_w = w;
  s.in_c = c;
  s.out_c = o;
  s.kernel_h = s.kernel_w = 3;
  s.pad_top = s.pad_left = pad_lo;
  s.pad_bottom = s.pad_right = pad_hi;
  return s;
}

// Runs the forced Winograd path of `kern` and compares every byte (plus one guard element).
void expect_winograd_matches(GemmS8Kernel kern, const ConvS8Shape& s, int64_t batch, const QuantSpec& spec,
                             const uint8_t* in, const std::vector<int8_t>& w, const std::string& what) {
  ASSERT_TRUE(winograd_s8_exact(s, w.data(), spec)) << what;
  const int64_t out_elems = batch * s.out_h() * s.out_w() * s.out_c, es = qout_size(spec.out_type);
  std::vector<uint8_t> want(static_cast<size_t>((out_elems + 1) * es), 0xAB), got = want;
  conv_s8_reference(s, w.data(), spec, batch, in, want.data());
  const PackedConvS8 p = pack_conv_s8(s, w.data(), spec, kern, ConvS8Algorithm::winograd);
  ASSERT_TRUE(p.winograd);
  conv_s8(p, batch, in, got.data());
  const auto diff = std::mismatch(want.begin(), want.end(), got.begin());
  EXPECT_TRUE(diff.first == want.end()) << what << ": kernel " << gemm_s8_kernel_name(kern) << ", " << s.in_h << "x"
                                        << s.in_w << " C " << s.in_c << "->" << s.out_c << " pad " << s.pad_top << "/"
                                        << s.pad_bottom << " out " << qout_name(spec.out_type) << ": byte "
                                        << (diff.first - want.begin()) << " of " << want.size() << " differs";
}

// The Winograd implementations: the portable stages always, the SIMD ones where they run.
std::vector<GemmS8Kernel> winograd_kernels() {
  std::vector<GemmS8Kernel> ks{GemmS8Kernel::scalar};
  for (GemmS8Kernel k : {GemmS8Kernel::avx2, GemmS8Kernel::avx_vnni, GemmS8Kernel::avx512_vnni})
    if (gemm_s8_kernel_available(k)) ks.push_back(k);
  return ks;
}

}  // namespace

TEST(WinogradS8, RandomShapesBitExact) {
  std::mt19937 rng(1234);
  for (GemmS8Kernel kern : winograd_kernels())
    for (int trial = 0; trial < 40; ++trial) {
      const int64_t h = 1 + rng() % 13, w = 1 + rng() % 13;
      const int64_t c = std::vector<int64_t>{1, 2, 3, 8, 31, 33, 64}[rng() % 7];
      const int64_t o = std::vector<int64_t>{1, 15, 16, 17, 40, 64, 65, 100}[rng() % 8];
      const int64_t pad_lo = rng() % 3, pad_hi = rng() % 3;
      ConvS8Shape s = conv3x3(h, w, c, o, pad_lo, pad_hi);
      if (s.in_h + pad_lo + pad_hi < 3 || s.in_w + pad_lo + pad_hi < 3) continue;  // kernel does not fit
      const int variant = static_cast<int>(rng() % 8);
      const QOut out = static_cast<QOut>(rng() % 4);
      QuantSpec spec = random_spec(rng, o, out, variant & 1, variant & 2, variant & 4, rng() % 2);
      if (rng() % 2) spec.act_min = 0;
      const int64_t batch = 1 + rng() % 3;
      const auto in = random_bytes(rng, static_cast<size_t>(batch * h * w * c));
      const auto wt = random_weights(rng, static_cast<size_t>(o * c * 9));
      expect_winograd_matches(kern, s, batch, spec, in.data(), wt, "trial " + std::to_string(trial));
      if (HasFailure()) return;
    }
}

TEST(WinogradS8, EveryChannelTailReadsOnlyItsInput) {
  // Channel counts 1..35 leave every remainder of the 16- and 32-channel groups; the input ends
  // where an inaccessible page begins, so a group load that reads past the last pixel faults.
  // Output channels 1..19 leave every remainder of the 8-channel halves.
  std::mt19937 rng(21);
  for (GemmS8Kernel kern : winograd_kernels())
    for (int64_t c = 1; c <= 35; ++c) {
      const int64_t o = 1 + (c * 7) % 19, batch = 2;
      const ConvS8Shape s = conv3x3(5, 6, c, o, 1, 1);
      const QuantSpec spec = random_spec(rng, o, static_cast<QOut>(c % 4), c % 2, true, c % 3 == 0, true);
      const std::vector<uint8_t> bytes = random_bytes(rng, static_cast<size_t>(batch * 5 * 6 * c));
      prunq::testing::GuardedFloats guarded((bytes.size() + 3) / 4);
      uint8_t* in = reinterpret_cast<uint8_t*>(guarded.data()) + (guarded.size() * 4 - bytes.size());
      std::memcpy(in, bytes.data(), bytes.size());
      const auto wt = random_weights(rng, static_cast<size_t>(o * c * 9));
      expect_winograd_matches(kern, s, batch, spec, in, wt, "C " + std::to_string(c));
      if (HasFailure()) return;
    }
}

TEST(WinogradS8, ManyBlocksAndFashionMnistShapes) {
  // More tiles than one block (24) in odd counts, across images: 28x28 and 14x14 at batch 3.
  std::mt19937 rng(5);
  for (GemmS8Kernel kern : winograd_kernels())
    for (auto [c, o, hw] : {std::tuple<int64_t, int64_t, int64_t>{32, 64, 28}, {64, 128, 14}, {16, 24, 19}}) {
      const ConvS8Shape s = conv3x3(hw, hw, c, o, 1, 1);
      QuantSpec spec = random_spec(rng, o, QOut::u8, false, true, false, true);
      spec.act_min = 0;
      const auto in = random_bytes(rng, static_cast<size_t>(3 * hw * hw * c));
      const auto wt = random_weights(rng, static_cast<size_t>(o * c * 9), -40, 40);
      expect_winograd_matches(kern, s, 3, spec, in.data(), wt, "fmnist-like");
    }
}

TEST(WinogradS8, ExactAtTheEdgeOfTheBound) {
  // Input 0 or 255 with zero point 0 (|x - za| <= 255) and weights -128 against zero point 127
  // (|w - zw| = 255): |y| <= 255 * 255 * 9 * C, just below 2^25 for C = 57 and above for C = 58.
  for (GemmS8Kernel kern : winograd_kernels()) {
    std::mt19937 rng(99);
    const int64_t c = 57, o = 20;
    const ConvS8Shape s = conv3x3(6, 7, c, o, 1, 1);
    QuantSpec spec;
    spec.a_zero_point = 0;
    spec.w_scales = {1.f};
    spec.w_zero_points = {127};
    spec.out_type = QOut::s32;
    std::vector<uint8_t> in = random_bytes(rng, static_cast<size_t>(2 * 6 * 7 * c));
    for (auto& x : in) x = x < 128 ? 0 : 255;
    std::vector<uint8_t> full(in.size(), 255);
    std::vector<int8_t> w(static_cast<size_t>(o * c * 9), -128);
    for (size_t i = 0; i < w.size(); i += 7) w[i] = 127;  // some terms of 0, so signs mix within a sum
    expect_winograd_matches(kern, s, 2, spec, in.data(), w, "mixed extremes");
    std::fill(w.begin(), w.end(), int8_t{-128});
    expect_winograd_matches(kern, s, 2, spec, full.data(), w, "largest |y|");
    ASSERT_FALSE(HasFailure());
    const ConvS8Shape wide = conv3x3(6, 7, c + 1, o, 1, 1);
    std::vector<int8_t> w_wide(static_cast<size_t>(o * (c + 1) * 9), -128);
    EXPECT_FALSE(winograd_s8_exact(wide, w_wide.data(), spec));
    EXPECT_FALSE(pack_conv_s8(wide, w_wide.data(), spec, kern).winograd);  // automatic stays direct
    EXPECT_THROW(pack_conv_s8(wide, w_wide.data(), spec, kern, ConvS8Algorithm::winograd), Error);
  }
}

TEST(WinogradS8, OnlyThreeByThreeStrideOne) {
  QuantSpec spec;
  spec.w_scales = {0.01f};
  std::vector<int8_t> w(8 * 8 * 25, 1);
  ConvS8Shape s = conv3x3(9, 9, 8, 8, 1, 1);
  EXPECT_TRUE(winograd_s8_exact(s, w.data(), spec));
  s.stride_h = 2;
  EXPECT_FALSE(winograd_s8_exact(s, w.data(), spec));
  s.stride_h = 1;
  s.dilation_w = 2;
  EXPECT_FALSE(winograd_s8_exact(s, w.data(), spec));
  s.dilation_w = 1;
  s.kernel_h = s.kernel_w = 5;
  EXPECT_FALSE(winograd_s8_exact(s, w.data(), spec));
  EXPECT_THROW(pack_conv_s8(s, w.data(), spec, GemmS8Kernel::scalar, ConvS8Algorithm::winograd), Error);
}

TEST(WinogradS8, AutomaticChoice) {
  QuantSpec spec;
  spec.w_scales = {0.01f};
  std::vector<int8_t> w(64 * 64 * 9, 3);
  const ConvS8Shape wide = conv3x3(14, 14, 64, 64, 1, 1), narrow = conv3x3(28, 28, 1, 32, 1, 1);
  // Winograd where the AVX-512 VNNI or AVX2 stages run (not the unmeasured AVX-VNNI ones, nor the
  // scalar ones), and not for 1-channel layers.
  const GemmS8Kernel best = best_gemm_s8_kernel();
  const bool measured = best == GemmS8Kernel::avx512_vnni || best == GemmS8Kernel::avx2;
  const bool env_off = std::getenv("PRUNQ_CONV_S8") != nullptr;
  EXPECT_EQ(pack_conv_s8(wide, w.data(), spec).winograd, measured && !env_off);
  if (gemm_s8_kernel_available(GemmS8Kernel::avx2)) {
    EXPECT_EQ(pack_conv_s8(wide, w.data(), spec, GemmS8Kernel::avx2).winograd, !env_off);
  }
  if (gemm_s8_kernel_available(GemmS8Kernel::avx_vnni)) {
    EXPECT_FALSE(pack_conv_s8(wide, w.data(), spec, GemmS8Kernel::avx_vnni).winograd);
  }
  EXPECT_FALSE(pack_conv_s8(narrow, w.data(), spec).winograd);
  // 8 input channels: Winograd on AVX2 when the direct form would be vpmaddwd (weights past the
  // vpmaddubsw bound: 100, 100 pairs), direct when it would be vpmaddubsw (all 3s), never on AVX-512
  // VNNI (winograd_min_channels).
  const ConvS8Shape eight = conv3x3(28, 28, 8, 16, 1, 1);
  const std::vector<int8_t> big(w.size(), 100);
  if (gemm_s8_kernel_available(GemmS8Kernel::avx512_vnni)) {
    EXPECT_FALSE(pack_conv_s8(eight, big.data(), spec, GemmS8Kernel::avx512_vnni).winograd);
  }
  if (gemm_s8_kernel_available(GemmS8Kernel::avx2)) {
    EXPECT_EQ(pack_conv_s8(eight, big.data(), spec, GemmS8Kernel::avx2).winograd, !env_off);
    EXPECT_FALSE(pack_conv_s8(eight, w.data(), spec, GemmS8Kernel::avx2).winograd);
    EXPECT_TRUE(pack_conv_s8(eight, w.data(), spec, GemmS8Kernel::avx2, ConvS8Algorithm::direct).gemm.maddubs);
    const ConvS8Shape twelve = conv3x3(28, 28, 12, 24, 1, 1);
    EXPECT_EQ(pack_conv_s8(twelve, w.data(), spec, GemmS8Kernel::avx2).winograd, !env_off);
  }
  EXPECT_FALSE(pack_conv_s8(wide, w.data(), spec, GemmS8Kernel::scalar).winograd);
  EXPECT_FALSE(pack_conv_s8(wide, w.data(), spec, best_gemm_s8_kernel(), ConvS8Algorithm::direct).winograd);
}
