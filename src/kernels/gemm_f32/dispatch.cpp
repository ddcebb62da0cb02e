// Chooses the fp32 GEMM backend. OpenBLAS when linked (PRUNQ_HAVE_OPENBLAS); otherwise prunq's
// own kernel. Until the optimised kernels land this falls back to the reference loop.
#include "kernels/gemm_f32/gemm_f32.h"

#ifdef PRUNQ_HAVE_OPENBLAS
#include <cblas.h>
#endif

namespace prunq {

void gemm_f32(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
              int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  if (M <= 0 || N <= 0) return;
#ifdef PRUNQ_HAVE_OPENBLAS
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              static_cast<int>(M), static_cast<int>(N), static_cast<int>(K), alpha, A, static_cast<int>(lda), B,
              static_cast<int>(ldb), beta, C, static_cast<int>(ldc));
#else
  gemm_f32_reference(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
#endif
}

const char* gemm_f32_backend() {
#ifdef PRUNQ_HAVE_OPENBLAS
  return "openblas";
#else
  return "prunq";
#endif
}

}  // namespace prunq
