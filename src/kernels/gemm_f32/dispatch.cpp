// Chooses the fp32 GEMM backend: OpenBLAS when linked (PRUNQ_HAVE_OPENBLAS) for training speed
// on workstations, prunq's own kernels otherwise. PRUNQ_GEMM=prunq forces prunq's kernels even
// when OpenBLAS is linked (tests and benchmarks compare the two this way).
#include <algorithm>
#include <climits>
#include <cstdlib>
#include <string_view>

#include "core/error.h"
#include "core/thread_pool.h"
#include "kernels/gemm_f32/gemm_f32.h"

#ifdef PRUNQ_HAVE_OPENBLAS
#include <cblas.h>
// Declared here because Debian's generic cblas.h alternative may lack OpenBLAS's extensions.
extern "C" void openblas_set_num_threads(int num_threads);
#endif

namespace prunq {
namespace {

#ifdef PRUNQ_HAVE_OPENBLAS
bool use_openblas() {
  static const bool use = [] {
    const char* e = std::getenv("PRUNQ_GEMM");
    std::string_view v = e ? e : "";
    if (v.empty() || v == "openblas") return true;
    if (v == "prunq") return false;
    fail("PRUNQ_GEMM='", v, "' is not one of prunq, openblas");
  }();
  return use;
}

bool fits_int(int64_t v) { return v <= INT_MAX; }

void gemm_openblas(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                   int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  PRUNQ_CHECK(M >= 0 && N >= 0 && K >= 0, "gemm_f32: negative size M=", M, " N=", N, " K=", K);
  PRUNQ_CHECK(fits_int(M) && fits_int(N) && fits_int(K) && fits_int(lda) && fits_int(ldb) && fits_int(ldc),
              "gemm_f32: sizes exceed the BLAS int range (M=", M, " N=", N, " K=", K, ")");
  PRUNQ_CHECK(lda >= (trans_a ? M : K) && ldb >= (trans_b ? K : N) && ldc >= N,
              "gemm_f32: leading dimension too small (lda=", lda, " ldb=", ldb, " ldc=", ldc, ")");
  if (M == 0 || N == 0) return;
  // OpenBLAS's own worker threads and prunq's pool would both want every core (measured: a
  // fmnist-cnn training step 2.5x slower, a third of it system time). prunq's pool owns the
  // threads; OpenBLAS computes single-threaded blocks (gemm_openblas_threaded splits them).
  static const bool single = (openblas_set_num_threads(1), true);
  (void)single;
  // BLAS rejects ld < 1 even for empty operands.
  auto ld = [](int64_t v) { return static_cast<int>(v < 1 ? 1 : v); };
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              static_cast<int>(M), static_cast<int>(N), static_cast<int>(K), alpha, A, ld(lda), B, ld(ldb), beta,
              C, ld(ldc));
}
// Splits C into row or column blocks across prunq's pool, one single-threaded BLAS call each.
// Inside a parallel region (ops that thread over the batch) parallel_for runs inline.
void gemm_openblas_threaded(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                            const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
                            int64_t ldc) {
  constexpr int64_t kMinWorkPerThread = 1 << 18;  // MACs: below this, splitting costs more than it saves
  if (num_threads() == 1 || M * N * K < 2 * kMinWorkPerThread) {
    gemm_openblas(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return;
  }
  if (M >= N) {
    parallel_for(M, [&](int64_t b, int64_t e) {
      const float* a = trans_a ? A + b : A + b * lda;
      gemm_openblas(trans_a, trans_b, e - b, N, K, alpha, a, lda, B, ldb, beta, C + b * ldc, ldc);
    }, 16);
  } else {
    // Column blocks in multiples of 16 floats keep every block's stores on whole cache lines.
    int64_t blocks = (N + 15) / 16;
    parallel_for(blocks, [&](int64_t b, int64_t e) {
      int64_t j0 = b * 16, j1 = std::min(N, e * 16);
      const float* bp = trans_b ? B + j0 * ldb : B + j0;
      gemm_openblas(trans_a, trans_b, M, j1 - j0, K, alpha, A, lda, bp, ldb, beta, C + j0, ldc);
    }, 1);
  }
}
#endif

}  // namespace

void gemm_f32(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
              int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
#ifdef PRUNQ_HAVE_OPENBLAS
  if (use_openblas()) return gemm_openblas_threaded(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
#endif
  gemm_f32_prunq(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void gemm_f32_epilogue(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                       const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
                       int64_t ldc, const GemmEpilogue& epilogue) {
#ifdef PRUNQ_HAVE_OPENBLAS
  if (use_openblas()) {
    gemm_openblas_threaded(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return gemm_f32_apply_epilogue(M, N, C, ldc, epilogue);
  }
#endif
  gemm_f32_prunq(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, &epilogue);
}

const char* gemm_f32_backend() {
#ifdef PRUNQ_HAVE_OPENBLAS
  return use_openblas() ? "openblas" : "prunq";
#else
  return "prunq";
#endif
}

}  // namespace prunq
