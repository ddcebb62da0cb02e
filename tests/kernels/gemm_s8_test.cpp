// int8 GEMM: every kernel bit-exact against gemm_s8_reference on odd shapes, zero-point and scale
// extremes, saturation corners, all output types; output guard columns catch stray writes.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <limits>

#include "core/error.h"
#include "core/thread_pool.h"
#include "kernels/gemm_s8/gemm_s8.h"
#include "kernels/gemm_s8/s8_peak.h"
#include "s8_test_util.h"

using namespace prunq;
using namespace prunq::s8test;

namespace {

// Runs kernel k and the reference on the same data and requires identical bytes, including the
// untouched guard columns between rows (ldc > n).
void expect_same_as_reference(GemmS8Kernel k, int64_t m, int64_t n, int64_t kk, const std::vector<uint8_t>& a,
                              const std::vector<int8_t>& w, const QuantSpec& spec, const char* what) {
  const int64_t lda = kk + 3, ldc = n + 5, es = qout_size(spec.out_type);
  ASSERT_GE(static_cast<int64_t>(a.size()), m * lda);
  std::vector<uint8_t> want(static_cast<size_t>(m * ldc * es), 0xCD), got = want;
  gemm_s8_reference(w.data(), n, kk, kk, spec, m, a.data(), lda, want.data(), ldc);
  PackedGemmS8 p = pack_gemm_s8(w.data(), n, kk, kk, spec, k);
  gemm_s8(p, m, a.data(), lda, got.data(), ldc);
  for (int64_t i = 0; i < m * ldc * es; ++i)
    if (want[i] != got[i]) {
      int64_t e = i / es;
      FAIL() << what << ": kernel " << gemm_s8_kernel_name(k) << " M=" << m << " N=" << n << " K=" << kk
             << " out=" << qout_name(spec.out_type) << " differs at row " << e / ldc << " col " << e % ldc;
    }
}

}  // namespace

// One instance per kernel, so the kernels this CPU (or PRUNQ_ISA) lacks show up as skipped.
class GemmS8Kernels : public ::testing::TestWithParam<GemmS8Kernel> {};

TEST_P(GemmS8Kernels, OddShapesAllOutputTypesBitExact) {
  const GemmS8Kernel kern = GetParam();
  if (!gemm_s8_kernel_available(kern))
    GTEST_SKIP() << "kernel " << gemm_s8_kernel_name(kern) << " not available on this CPU / ISA cap";
  std::mt19937 rng(1234);
  const int64_t ms[] = {1, 5, 13, 37};
  const int64_t ns[] = {1, 7, 16, 17, 33, 64, 75};
  const int64_t ks[] = {1, 3, 4, 7, 31, 64, 130};
  for (int64_t m : ms)
    for (int64_t n : ns)
      for (int64_t k : ks) {
        int variant = static_cast<int>(rng() % 8);
        QOut out = static_cast<QOut>(rng() % 4);
        QuantSpec spec = random_spec(rng, n, out, variant & 1, variant & 2, variant & 4, rng() % 2);
        if (rng() % 3 == 0) spec.act_min = 0;  // fused ReLU
        std::vector<uint8_t> a = random_bytes(rng, static_cast<size_t>(m * (k + 3)));
        std::vector<int8_t> w = random_weights(rng, static_cast<size_t>(n * k));
        expect_same_as_reference(kern, m, n, k, a, w, spec, "odd shapes");
        if (HasFailure()) return;
      }
}

INSTANTIATE_TEST_SUITE_P(AllKernels, GemmS8Kernels,
                         ::testing::ValuesIn(kAllGemmS8Kernels),
                         [](const ::testing::TestParamInfo<GemmS8Kernel>& info) {
                           return std::string(gemm_s8_kernel_name(info.param));
                         });

TEST(GemmS8, ExtremeZeroPointsAndSaturationCorners) {
  std::mt19937 rng(7);
  const int64_t m = 11, n = 35, k = 515;  // K tail of 3, long enough for int16 saturation to show
  for (GemmS8Kernel kern : kernels_to_test())
    for (bool a_signed : {false, true})
      for (int a_fill : {0, 255, -1})
        for (int w_fill : {127, -128, 0})
          for (int32_t za : a_signed ? std::vector<int32_t>{-128, 127, 0} : std::vector<int32_t>{0, 255, 128}) {
            // a_fill/w_fill: constant corners (all 255 x all 127 is the vpmaddubsw trap); -1: random.
            std::vector<uint8_t> a = a_fill < 0 ? random_bytes(rng, static_cast<size_t>(m * (k + 3)))
                                                : std::vector<uint8_t>(static_cast<size_t>(m * (k + 3)),
                                                                       static_cast<uint8_t>(a_fill));
            std::vector<int8_t> w(static_cast<size_t>(n * k), static_cast<int8_t>(w_fill));
            if (w_fill == 0) w = random_weights(rng, w.size());
            for (QOut out : {QOut::s32, QOut::u8, QOut::s8, QOut::f32}) {
              QuantSpec spec = random_spec(rng, n, out, a_signed, true, false, true);
              spec.a_zero_point = za;
              expect_same_as_reference(kern, m, n, k, a, w, spec, "corners");
              spec.w_zero_points = {127};  // per-tensor weight zero point at the int8 edge
              expect_same_as_reference(kern, m, n, k, a, w, spec, "corners, w zero point 127");
              spec.w_zero_points = {-128};
              expect_same_as_reference(kern, m, n, k, a, w, spec, "corners, w zero point -128");
              if (HasFailure()) return;
            }
          }
}

TEST(GemmS8, ExtremeScalesAndClamps) {
  std::mt19937 rng(99);
  const int64_t m = 9, n = 21, k = 45;
  std::vector<uint8_t> a = random_bytes(rng, static_cast<size_t>(m * (k + 3)));
  std::vector<int8_t> w = random_weights(rng, static_cast<size_t>(n * k));
  for (GemmS8Kernel kern : kernels_to_test())
    for (double real : {1e-12, 1e-7, 3.1e-3, 0.5, 0.99999, 1.0, 3.7, 1000.0, 5e7})
      for (QOut out : {QOut::u8, QOut::s8}) {
        QuantSpec spec = random_spec(rng, n, out, false, true, true, true);
        spec.a_scale = 1.f;
        for (size_t i = 0; i < spec.w_scales.size(); ++i)
          spec.w_scales[i] = static_cast<float>(real * (1.0 + 0.01 * static_cast<double>(i)));
        spec.out_scale = 1.f;
        expect_same_as_reference(kern, m, n, k, a, w, spec, "extreme scale");
        spec.act_min = 0;
        spec.act_max = 6;  // ReLU6 in real units
        expect_same_as_reference(kern, m, n, k, a, w, spec, "extreme scale, ReLU6");
        if (HasFailure()) return;
      }
}

// Accumulators at the int32 edges and at rounding ties, through every requantization path:
// shifts 31 and 32 (the 64-bit shift path), >= 33 (the 32-bit high-half path) and mixed per
// channel. Activations equal to the zero point make each accumulator exactly its channel's bias.
TEST(GemmS8, RequantizationEdgesPerShiftRange) {
  const int64_t m = 3, k = 8;
  const std::vector<int32_t> biases = {INT32_MAX, INT32_MIN, INT32_MAX - 1, INT32_MIN + 1, 0, 1, -1,
                                       1 << 20, -(1 << 20), (1 << 20) + (1 << 19), -((1 << 20) + (1 << 19)),
                                       3 << 19, -(3 << 19), 123456789, -987654321, 65535, -65536};
  const int64_t n = static_cast<int64_t>(biases.size());
  const std::vector<uint8_t> a(static_cast<size_t>(m * (k + 3)), 7);
  std::mt19937 rng(5);
  const std::vector<int8_t> w = random_weights(rng, static_cast<size_t>(n * k));
  // Powers of two make the ties exact: (3 << 19) * 2^-20 = 1.5.
  const std::vector<std::vector<double>> reals = {{0.75}, {0.3}, {0.2}, {0x1p-20}, {1e-9}, {0.75, 0.2, 0x1p-20}, {0.2, 0x1p-40}};
  for (GemmS8Kernel kern : kernels_to_test())
    for (const std::vector<double>& r : reals)
      for (QOut out : {QOut::u8, QOut::s8})
        for (int32_t zp : {0, 100}) {
          QuantSpec spec;
          spec.a_zero_point = 7;
          spec.out_type = out;
          spec.out_zero_point = out == QOut::u8 ? zp : zp - 128;
          spec.bias = biases;
          for (int64_t i = 0; i < n; ++i) spec.w_scales.push_back(static_cast<float>(r[static_cast<size_t>(i) % r.size()]));
          expect_same_as_reference(kern, m, n, k, a, w, spec, "requantization edges");
          if (HasFailure()) return;
        }
}

TEST(GemmS8, ReluClampAndFloatOutput) {
  std::mt19937 rng(5);
  const int64_t m = 19, n = 40, k = 72;
  std::vector<uint8_t> a = random_bytes(rng, static_cast<size_t>(m * (k + 3)));
  std::vector<int8_t> w = random_weights(rng, static_cast<size_t>(n * k));
  for (GemmS8Kernel kern : kernels_to_test()) {
    QuantSpec spec = random_spec(rng, n, QOut::f32, false, true, false, true);
    spec.act_min = 0;
    spec.act_max = 1.5f;
    expect_same_as_reference(kern, m, n, k, a, w, spec, "f32 ReLU clamp");
    spec.act_min = -0.f;  // the -0 / +0 tie must resolve the same way everywhere
    expect_same_as_reference(kern, m, n, k, a, w, spec, "f32 -0 clamp");
  }
}

TEST(GemmS8, ResultDoesNotDependOnThreadCount) {
  std::mt19937 rng(3);
  const int64_t m = 301, n = 130, k = 257;
  std::vector<uint8_t> a = random_bytes(rng, static_cast<size_t>(m * (k + 3)));
  std::vector<int8_t> w = random_weights(rng, static_cast<size_t>(n * k));
  QuantSpec spec = random_spec(rng, n, QOut::u8, false, true, false, true);
  int saved = num_threads();
  for (GemmS8Kernel kern : kernels_to_test()) {
    PackedGemmS8 p = pack_gemm_s8(w.data(), n, k, k, spec, kern);
    std::vector<uint8_t> one(static_cast<size_t>(m * n)), two(one.size());
    set_num_threads(1);
    gemm_s8(p, m, a.data(), k + 3, one.data(), n);
    set_num_threads(2);
    gemm_s8(p, m, a.data(), k + 3, two.data(), n);
    EXPECT_EQ(one, two) << gemm_s8_kernel_name(kern);
  }
  set_num_threads(saved);
}

TEST(GemmS8, KnownValuesByHand) {
  // 1x2 output, K=3: acc0 = (10-2)*1 + (20-2)*(-2) + (30-2)*3 = 56, acc1 = (8*4 + 18*5 + 28*(-6)) + 7 = -39.
  const uint8_t a[3] = {10, 20, 30};
  const int8_t w[6] = {1, -2, 3, 4, 5, -6};
  QuantSpec spec;
  spec.a_zero_point = 2;
  spec.w_scales = {1.f};
  spec.bias = {0, 7};
  spec.out_type = QOut::s32;
  for (GemmS8Kernel kern : kernels_to_test()) {
    int32_t c[2] = {0, 0};
    gemm_s8(pack_gemm_s8(w, 2, 3, 3, spec, kern), 1, a, 3, c, 2);
    EXPECT_EQ(c[0], 56);
    EXPECT_EQ(c[1], -39);
  }
  // Requantized: scale 1/8, zero point 100 -> 100 + round(56/8) = 107, 100 + round(-39/8 = -4.875) = 95.
  spec.out_type = QOut::u8;
  spec.out_scale = 8.f;
  spec.out_zero_point = 100;
  for (GemmS8Kernel kern : kernels_to_test()) {
    uint8_t c[2] = {0, 0};
    gemm_s8(pack_gemm_s8(w, 2, 3, 3, spec, kern), 1, a, 3, c, 2);
    EXPECT_EQ(c[0], 107);
    EXPECT_EQ(c[1], 95);
  }
}

TEST(GemmS8, BadInputIsAnError) {
  const int8_t w[4] = {1, 2, 3, 4};
  QuantSpec spec;
  spec.w_scales = {1.f};
  EXPECT_THROW(pack_gemm_s8(w, 0, 4, spec), Error);
  spec.a_zero_point = 300;
  EXPECT_THROW(pack_gemm_s8(w, 1, 4, spec), Error);
  spec.a_zero_point = 0;
  spec.w_scales = {1.f, 2.f, 3.f};
  EXPECT_THROW(pack_gemm_s8(w, 2, 2, spec), Error);
  spec.w_scales = {-1.f};
  EXPECT_THROW(pack_gemm_s8(w, 1, 4, spec), Error);
  spec.w_scales = {1.f};
  spec.bias = {1, 2, 3};
  EXPECT_THROW(pack_gemm_s8(w, 1, 4, spec), Error);
  spec.bias.clear();
  spec.w_zero_points = {200};
  EXPECT_THROW(pack_gemm_s8(w, 1, 4, spec), Error);
  spec.w_zero_points.clear();
  spec.out_zero_point = 256;
  EXPECT_THROW(pack_gemm_s8(w, 1, 4, spec), Error);
  spec.out_zero_point = 0;
  PackedGemmS8 p = pack_gemm_s8(w, 1, 4, spec);
  uint8_t a[4] = {}, c[1] = {};
  EXPECT_THROW(gemm_s8(p, 1, a, 2, c, 1), Error);  // lda < K
}

// The vpmaddubsw form of the AVX2 kernel is chosen exactly when every weight pair keeps
// a0*w0 + a1*w1 inside int16 for all activation bytes (see avx2_maddubs.cpp): the bound's edges.
TEST(GemmS8Maddubs, PairBoundEdges) {
  auto fits = [](std::vector<int8_t> w, int64_t segments = 1) {
    return weights_fit_maddubs(w.data(), 1, static_cast<int64_t>(w.size()), static_cast<int64_t>(w.size()), segments);
  };
  for (auto pair : std::vector<std::pair<int, int>>{{64, 64}, {127, 1}, {1, 127}, {-128, 0}, {0, -128}, {-64, -64},
                                                    {127, -128}, {-128, 127}, {-127, -1}, {-1, -127}, {0, 0}})
    EXPECT_TRUE(fits({0, 0, static_cast<int8_t>(pair.first), static_cast<int8_t>(pair.second)}))
        << pair.first << ", " << pair.second;
  for (auto pair : std::vector<std::pair<int, int>>{{64, 65}, {65, 64}, {127, 2}, {-128, -1}, {-1, -128}, {-65, -64},
                                                    {127, 127}, {-128, -128}})
    EXPECT_FALSE(fits({0, 0, static_cast<int8_t>(pair.first), static_cast<int8_t>(pair.second)}))
        << pair.first << ", " << pair.second;
  // Pairs are K positions (0,1), (2,3) of a segment: (1,2) is no pair, and an odd segment's last
  // weight pairs with the zero padding, so pairs restart at every segment.
  EXPECT_TRUE(fits({0, 127, 127, 0}));
  EXPECT_FALSE(fits({0, 0, 127, 127, 0, 0}));
  EXPECT_TRUE(fits({0, 0, 127, 127, 0, 0}, 2));
  EXPECT_TRUE(fits({-128}));
}

// Bit-exact at the bound: all-255 activations against pairs that sum to exactly +-128 (int16
// lanes at +-32640), with every zero point and output type, odd shapes and K tails; one pair
// past the bound switches to the exact vpmaddwd form.
TEST(GemmS8Maddubs, BitExactAtTheBound) {
  if (!gemm_s8_kernel_available(GemmS8Kernel::avx2)) GTEST_SKIP() << "AVX2 not available on this CPU / ISA cap";
  std::mt19937 rng(77);
  const std::vector<std::pair<int, int>> edge = {{64, 64}, {127, 1}, {1, 127}, {-128, 0}, {0, -128}, {-64, -64},
                                                 {127, -128}, {-127, -1}, {-1, -127}, {0, 127}, {100, 28}};
  for (int64_t m : {1, 6, 7, 20})
    for (int64_t n : {1, 16, 33})
      for (int64_t k : {1, 3, 4, 7, 130, 515}) {
        std::vector<int8_t> w(static_cast<size_t>(n * k));
        for (int64_t col = 0; col < n; ++col)
          for (int64_t i = 0; i < k; i += 2) {
            const auto& e = edge[rng() % edge.size()];
            w[col * k + i] = static_cast<int8_t>(e.first);
            if (i + 1 < k) w[col * k + i + 1] = static_cast<int8_t>(e.second);
          }
        for (int a_kind = 0; a_kind < 3; ++a_kind) {
          std::vector<uint8_t> a = a_kind == 0   ? std::vector<uint8_t>(static_cast<size_t>(m * (k + 3)), 255)
                                   : a_kind == 1 ? random_bytes(rng, static_cast<size_t>(m * (k + 3)), 250, 255)
                                                 : random_bytes(rng, static_cast<size_t>(m * (k + 3)));
          const int variant = static_cast<int>(rng() % 8);
          QuantSpec spec = random_spec(rng, n, static_cast<QOut>(rng() % 4), variant & 1, variant & 2, variant & 4, true);
          ASSERT_TRUE(pack_gemm_s8(w.data(), n, k, k, spec, GemmS8Kernel::avx2).maddubs);
          expect_same_as_reference(GemmS8Kernel::avx2, m, n, k, a, w, spec, "maddubs at the bound");
          spec.out_type = QOut::s32;  // the raw accumulators, no requantization to hide an error
          expect_same_as_reference(GemmS8Kernel::avx2, m, n, k, a, w, spec, "maddubs at the bound, s32");
          if (k >= 2) {
            std::vector<int8_t> over = w;
            over[0] = 64, over[1] = 65;  // 255 * 129 = 32895: would saturate
            ASSERT_FALSE(pack_gemm_s8(over.data(), n, k, k, spec, GemmS8Kernel::avx2).maddubs);
            expect_same_as_reference(GemmS8Kernel::avx2, m, n, k, a, over, spec, "one pair past the bound");
          }
          if (HasFailure()) return;
        }
      }
}

// The peak loops behind bench_kernels_s8's "of_peak": one per SIMD kernel this CPU runs (AVX2's
// is vpmaddubsw + vpmaddwd), none for the scalar kernel.
TEST(GemmS8, PeakLoopPerSimdKernel) {
  for (GemmS8Kernel k : {GemmS8Kernel::avx2, GemmS8Kernel::avx_vnni, GemmS8Kernel::avx512_vnni}) {
    if (!cpu_supports(gemm_s8_kernel_isa(k))) {
      EXPECT_THROW(measure_s8_peak_gmacs(k, 0.004), Error) << gemm_s8_kernel_name(k);
      continue;
    }
    EXPECT_GT(measure_s8_peak_gmacs(k, 0.004), 0.0) << gemm_s8_kernel_name(k);
  }
  EXPECT_THROW(measure_s8_peak_gmacs(GemmS8Kernel::scalar, 0.004), Error);
}
