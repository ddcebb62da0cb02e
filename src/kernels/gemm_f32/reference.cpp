#include "kernels/gemm_f32/gemm_f32.h"

namespace prunq {

void gemm_f32_reference(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                        const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
                        int64_t ldc) {
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) {
      double acc = 0;
      for (int64_t k = 0; k < K; ++k) {
        float a = trans_a ? A[k * lda + i] : A[i * lda + k];
        float b = trans_b ? B[j * ldb + k] : B[k * ldb + j];
        acc += static_cast<double>(a) * b;
      }
      float prev = beta == 0.f ? 0.f : beta * C[i * ldc + j];  // beta == 0 ignores NaN garbage in C
      C[i * ldc + j] = static_cast<float>(alpha * acc) + prev;
    }
}

}  // namespace prunq
