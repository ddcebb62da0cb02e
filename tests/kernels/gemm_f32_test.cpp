// prunq's fp32 GEMM variants against the reference triple loop: random shapes with every tail,
// K = 1, all transposition combinations, alpha/beta, padded leading dimensions, fused epilogues,
// guarded buffers (over-reads fault), thread-count independence and argument errors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"
#include "kernels/gemm_f32/gemm_f32.h"
#include "f32_test_util.h"

namespace prunq {
namespace {

using testing::GuardedFloats;
using testing::random_floats;

struct GemmCase {
  int64_t M, N, K;
  bool ta = false, tb = false;
  float alpha = 1.f, beta = 0.f;
  int64_t pad = 0;  // extra elements per row of every operand (leading dimension > row length)
  bool row_bias = false, col_bias = false;
  Activation act = Activation::none;
};

std::string describe(const GemmCase& c) {
  return "M=" + std::to_string(c.M) + " N=" + std::to_string(c.N) + " K=" + std::to_string(c.K) +
         " ta=" + std::to_string(c.ta) + " tb=" + std::to_string(c.tb) + " alpha=" + std::to_string(c.alpha) +
         " beta=" + std::to_string(c.beta) + " pad=" + std::to_string(c.pad) +
         " row_bias=" + std::to_string(c.row_bias) + " col_bias=" + std::to_string(c.col_bias) +
         " act=" + std::to_string(static_cast<int>(c.act));
}

// Runs one case on `isa` with every operand in a guarded buffer and checks every element of C
// (the padding between rows included: it must stay untouched).
void check_case(Isa isa, const GemmCase& c, uint64_t seed) {
  SCOPED_TRACE(describe(c));
  const int64_t a_rows = c.ta ? c.K : c.M, a_cols = c.ta ? c.M : c.K;
  const int64_t b_rows = c.tb ? c.N : c.K, b_cols = c.tb ? c.K : c.N;
  const int64_t lda = a_cols + c.pad, ldb = b_cols + c.pad, ldc = c.N + c.pad;
  // Exact-size buffers: the last row has no padding, so the final element abuts the guard page.
  auto size_of = [](int64_t rows, int64_t ld, int64_t cols) { return rows == 0 ? 0 : (rows - 1) * ld + cols; };
  const size_t a_n = size_of(a_rows, lda, a_cols), b_n = size_of(b_rows, ldb, b_cols), c_n = size_of(c.M, ldc, c.N);
  std::vector<float> a = random_floats(a_n, seed), b = random_floats(b_n, seed + 1), c0 = random_floats(c_n, seed + 2);
  std::vector<float> rb = random_floats(c.M, seed + 3), cb = random_floats(c.N, seed + 4);

  GemmEpilogue e;
  if (c.row_bias) e.row_bias = rb.data();
  if (c.col_bias) e.col_bias = cb.data();
  e = with_activation(e, c.act);

  // Reference result and the magnitude its error bound scales with.
  std::vector<float> want = c0;
  gemm_f32_reference(c.ta, c.tb, c.M, c.N, c.K, c.alpha, a.data(), lda, b.data(), ldb, c.beta, want.data(), ldc);
  gemm_f32_apply_epilogue(c.M, c.N, want.data(), ldc, e);
  std::vector<float> abs_a(a), abs_b(b), mag(c0);
  for (float& x : abs_a) x = std::fabs(x);
  for (float& x : abs_b) x = std::fabs(x);
  for (float& x : mag) x = std::fabs(x);
  gemm_f32_reference(c.ta, c.tb, c.M, c.N, c.K, std::fabs(c.alpha), abs_a.data(), lda, abs_b.data(), ldb,
                     std::fabs(c.beta), mag.data(), ldc);

  GuardedFloats ga(a_n), gb(b_n), gc(c_n), grb(c.M), gcb(c.N);
  ga.copy_from(a);
  gb.copy_from(b);
  gc.copy_from(c0);
  grb.copy_from(rb);
  gcb.copy_from(cb);
  if (c.row_bias) e.row_bias = grb.data();
  if (c.col_bias) e.col_bias = gcb.data();
  gemm_f32_prunq_isa(isa, c.ta, c.tb, c.M, c.N, c.K, c.alpha, ga.data(), lda, gb.data(), ldb, c.beta, gc.data(), ldc,
                     &e);

  std::vector<float> got = gc.to_vector();
  int bad = 0;
  for (int64_t i = 0; i < c.M && bad < 5; ++i)
    for (int64_t j = 0; j < ldc && (i + 1 < c.M || j < c.N) && bad < 5; ++j) {
      const size_t at = i * ldc + j;
      if (j >= c.N) {  // row padding must be untouched
        if (got[at] != c0[at]) ++bad, ADD_FAILURE() << "padding C[" << i << "," << j << "] was written";
        continue;
      }
      float bias_mag = (c.row_bias ? std::fabs(rb[i]) : 0.f) + (c.col_bias ? std::fabs(cb[j]) : 0.f);
      float tol = testing::sum_error_bound(c.K, mag[at] + bias_mag);
      if (!(std::fabs(got[at] - want[at]) <= tol))
        ++bad, ADD_FAILURE() << "C[" << i << "," << j << "] = " << got[at] << ", reference " << want[at]
                             << " (tolerance " << tol << ")";
    }
}

class GemmF32Variant : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    PRUNQ_SKIP_UNLESS_VARIANT_ALLOWED(GetParam());
    ASSERT_TRUE(gemm_f32_variant_available(GetParam())) << "CPU has " << isa_name(GetParam()) << " but the build lacks it";
  }
};

TEST_P(GemmF32Variant, TailsInEveryDimension) {
  // Sizes around every micro-tile width in use (4, 6, 14 rows; 8, 16, 32 columns) and 1.
  const int64_t ms[] = {1, 2, 3, 4, 5, 6, 7, 9, 11, 12, 13, 14, 15, 29};  // every short-panel version
  const int64_t ns[] = {1, 7, 8, 9, 15, 16, 17, 31, 33, 47};
  const int64_t ks[] = {1, 2, 9, 64};
  uint64_t seed = 1;
  for (int64_t m : ms)
    for (int64_t n : ns)
      for (int64_t k : ks) check_case(GetParam(), {m, n, k}, seed++);
}

TEST_P(GemmF32Variant, TranspositionsAlphaBetaAndPaddedStrides) {
  const float ab[][2] = {{1.f, 0.f}, {0.5f, -1.5f}, {-2.f, 1.f}, {0.f, 0.75f}};
  uint64_t seed = 100;
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (const auto& [alpha, beta] : ab)
        for (int64_t pad : {0, 3}) {
          GemmCase c{19, 37, 23, ta, tb, alpha, beta, pad};
          check_case(GetParam(), c, seed++);
        }
}

TEST_P(GemmF32Variant, SpansSeveralCacheBlocks) {
  // K above two KC blocks (256: uneven split), N above several NC blocks (512 / 1024), M above
  // one MC block (~2048); trans flags make the packers take their strided paths too.
  check_case(GetParam(), {200, 70, 600, false, false, 1.f, 0.5f}, 7);
  check_case(GetParam(), {45, 130, 530, true, true, -1.f, 0.f, 2}, 8);
  check_case(GetParam(), {3, 2200, 5, false, true, 1.f, 1.f}, 9);
  check_case(GetParam(), {2100, 3, 300, true, false, 1.f, 0.f, 0, true, true, Activation::relu}, 10);
}

TEST_P(GemmF32Variant, FusedEpilogues) {
  uint64_t seed = 300;
  for (bool rb : {false, true})
    for (bool cb : {false, true})
      for (Activation act : {Activation::none, Activation::relu, Activation::relu6})
        for (float beta : {0.f, 1.f}) {
          // Inputs in [-4, 4] via alpha so ReLU6's upper clamp is reached too.
          GemmCase c{17, 35, 40, false, true, 4.f, beta, 1, rb, cb, act};
          check_case(GetParam(), c, seed++);
        }
  // The epilogue applies once even when K spans several blocks.
  check_case(GetParam(), {9, 20, 700, false, false, 1.f, 1.f, 0, true, true, Activation::relu6}, seed++);
}

TEST_P(GemmF32Variant, EmptyKLeavesBetaTimesCPlusEpilogue) {
  check_case(GetParam(), {5, 9, 0, false, false, 1.f, 0.5f, 0, true, true, Activation::relu}, 400);
  check_case(GetParam(), {5, 9, 0, false, false, 1.f, 0.f, 0, true, false}, 401);
}

TEST_P(GemmF32Variant, BetaZeroIgnoresNaNInC) {
  const int64_t M = 7, N = 18, K = 5;
  std::vector<float> a = random_floats(M * K, 1), b = random_floats(K * N, 2);
  std::vector<float> c(M * N, std::numeric_limits<float>::quiet_NaN()), want(M * N);
  gemm_f32_reference(false, false, M, N, K, 1.f, a.data(), K, b.data(), N, 0.f, want.data(), N);
  gemm_f32_prunq_isa(GetParam(), false, false, M, N, K, 1.f, a.data(), K, b.data(), N, 0.f, c.data(), N);
  for (int64_t i = 0; i < M * N; ++i) ASSERT_NEAR(c[i], want[i], 1e-5f) << "element " << i;
}

TEST_P(GemmF32Variant, SameBitsWithOneOrTwoThreads) {
  // Threads split C, never K, so every element is summed in the same order either way.
  const int64_t M = 96, N = 160, K = 300;
  std::vector<float> a = random_floats(M * K, 11), b = random_floats(K * N, 12);
  std::vector<float> c1(M * N), c2(M * N), c3(M * N);
  const int saved = num_threads();
  set_num_threads(1);
  gemm_f32_prunq_isa(GetParam(), false, false, M, N, K, 1.f, a.data(), K, b.data(), N, 0.f, c1.data(), N);
  set_num_threads(2);
  gemm_f32_prunq_isa(GetParam(), false, false, M, N, K, 1.f, a.data(), K, b.data(), N, 0.f, c2.data(), N);
  // Tall: the split goes along M instead.
  std::vector<float> at = random_floats(N * K, 13);
  gemm_f32_prunq_isa(GetParam(), false, false, N, M, K, 1.f, at.data(), K, b.data(), M, 0.f, c3.data(), M);
  set_num_threads(1);
  std::vector<float> c4(M * N);
  gemm_f32_prunq_isa(GetParam(), false, false, N, M, K, 1.f, at.data(), K, b.data(), M, 0.f, c4.data(), M);
  set_num_threads(saved);
  EXPECT_EQ(c1, c2);
  EXPECT_EQ(c3, c4);
}

INSTANTIATE_TEST_SUITE_P(Variants, GemmF32Variant, ::testing::ValuesIn(testing::kF32Variants),
                         testing::isa_param_name);

TEST(GemmF32, DispatchedEntryPointsMatchReference) {
  const int64_t M = 33, N = 65, K = 70;
  std::vector<float> a = random_floats(M * K, 21), b = random_floats(K * N, 22), bias = random_floats(M, 23);
  std::vector<float> want(M * N), got(M * N), fused(M * N);
  gemm_f32_reference(false, false, M, N, K, 1.f, a.data(), K, b.data(), N, 0.f, want.data(), N);
  gemm_f32(false, false, M, N, K, 1.f, a.data(), K, b.data(), N, 0.f, got.data(), N);
  for (int64_t i = 0; i < M * N; ++i) ASSERT_NEAR(got[i], want[i], 1e-4f) << "gemm_f32 element " << i;
  GemmEpilogue e = with_activation(GemmEpilogue{bias.data()}, Activation::relu);
  gemm_f32_epilogue(false, false, M, N, K, 1.f, a.data(), K, b.data(), N, 0.f, fused.data(), N, e);
  gemm_f32_prunq(false, false, M, N, K, 1.f, a.data(), K, b.data(), N, 0.f, got.data(), N, &e);
  gemm_f32_apply_epilogue(M, N, want.data(), N, e);
  for (int64_t i = 0; i < M * N; ++i) {
    ASSERT_NEAR(fused[i], want[i], 1e-4f) << "gemm_f32_epilogue element " << i;
    ASSERT_NEAR(got[i], want[i], 1e-4f) << "gemm_f32_prunq element " << i;
  }
  std::string backend = gemm_f32_backend();
  EXPECT_TRUE(backend == "openblas" || backend == "prunq") << backend;
}

// gemm_f32 splits large products into row or column blocks across the pool (one single-threaded
// BLAS call per block when OpenBLAS is the backend): every transposition and both split
// directions, with padded leading dimensions and beta, must match the reference.
TEST(GemmF32, DispatchedEntryPointSplitsAcrossThreadsCorrectly) {
  const int saved_threads = num_threads();
  set_num_threads(2);
  struct Shape3 { int64_t M, N, K; };
  for (Shape3 s : {Shape3{300, 40, 70}, Shape3{40, 300, 70}}) {
    for (int t = 0; t < 4; ++t) {
      const bool ta = t & 1, tb = t & 2;
      const int64_t lda = (ta ? s.M : s.K) + 3, ldb = (tb ? s.K : s.N) + 5, ldc = s.N + 7;
      std::vector<float> a = random_floats((ta ? s.K : s.M) * lda, 31), b = random_floats((tb ? s.N : s.K) * ldb, 32);
      std::vector<float> want = random_floats(s.M * ldc, 33), got = want;
      gemm_f32_reference(ta, tb, s.M, s.N, s.K, 0.75f, a.data(), lda, b.data(), ldb, 0.5f, want.data(), ldc);
      gemm_f32(ta, tb, s.M, s.N, s.K, 0.75f, a.data(), lda, b.data(), ldb, 0.5f, got.data(), ldc);
      for (int64_t i = 0; i < s.M * ldc; ++i)
        ASSERT_NEAR(got[i], want[i], 1e-4f) << "M=" << s.M << " N=" << s.N << " trans " << ta << tb << " at " << i;
    }
  }
  set_num_threads(saved_threads);
}

TEST(GemmF32, BadArgumentsThrow) {
  std::vector<float> a(64), b(64), c(64);
  EXPECT_THROW(gemm_f32_prunq(false, false, 4, 4, 4, 1.f, a.data(), 3, b.data(), 4, 0.f, c.data(), 4), Error);
  EXPECT_THROW(gemm_f32_prunq(false, true, 4, 4, 4, 1.f, a.data(), 4, b.data(), 3, 0.f, c.data(), 4), Error);
  EXPECT_THROW(gemm_f32_prunq(false, false, 4, 4, 4, 1.f, a.data(), 4, b.data(), 4, 0.f, c.data(), 2), Error);
  EXPECT_THROW(gemm_f32_prunq(false, false, -1, 4, 4, 1.f, a.data(), 4, b.data(), 4, 0.f, c.data(), 4), Error);
  EXPECT_THROW(gemm_f32_prunq(false, false, 4, 4, 4, 1.f, nullptr, 4, b.data(), 4, 0.f, c.data(), 4), Error);
  EXPECT_THROW(gemm_f32(false, false, 4, 4, 4, 1.f, a.data(), 2, b.data(), 4, 0.f, c.data(), 4), Error);
  // Empty results need no data at all.
  EXPECT_NO_THROW(gemm_f32_prunq(false, false, 0, 4, 4, 1.f, nullptr, 4, nullptr, 4, 0.f, nullptr, 4));
  for (Isa isa : testing::kF32Variants) {
    if (gemm_f32_variant_available(isa)) continue;
    EXPECT_THROW(gemm_f32_prunq_isa(isa, false, false, 1, 1, 1, 1.f, a.data(), 1, b.data(), 1, 0.f, c.data(), 1),
                 Error);
  }
}

TEST(GemmF32, IsaCapSelectsPlainerVariant) {
  // gemm_f32_prunq follows set_isa_cap at once: under a scalar cap it must give the scalar
  // variant's exact bits.
  const int64_t M = 20, N = 40, K = 50;
  std::vector<float> a = random_floats(M * K, 31), b = random_floats(K * N, 32), capped(M * N), scalar(M * N);
  const Isa before = active_isa();
  set_isa_cap(Isa::scalar);
  gemm_f32_prunq(false, false, M, N, K, 1.f, a.data(), K, b.data(), N, 0.f, capped.data(), N);
  set_isa_cap(before);
  gemm_f32_prunq_isa(Isa::scalar, false, false, M, N, K, 1.f, a.data(), K, b.data(), N, 0.f, scalar.data(), N);
  EXPECT_EQ(capped, scalar);
}

}  // namespace
}  // namespace prunq
