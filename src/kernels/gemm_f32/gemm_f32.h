// The one narrow fp32 GEMM interface everything (conv, linear, training) goes through.
// Row-major: C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C, where op(X) = X or X^T.
// Backed by OpenBLAS when the build links it, by prunq's own kernels otherwise.
#pragma once
#include <cstdint>

namespace prunq {

void gemm_f32(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
              int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

// The plain triple loop: the test oracle for every optimised fp32 GEMM.
void gemm_f32_reference(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                        const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
                        int64_t ldc);

// Which backend gemm_f32 uses: "openblas" or "prunq".
const char* gemm_f32_backend();

}  // namespace prunq
