// The one narrow fp32 GEMM interface everything (conv, linear, training) goes through.
// Row-major: C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C, where op(X) = X or X^T.
// Backed by OpenBLAS when the build links it, by prunq's own kernels otherwise.
// beta == 0 never reads C (so C may hold garbage, even NaN), as in BLAS.
#pragma once
#include <cstdint>
#include <limits>

#include "core/cpu_features.h"

namespace prunq {

void gemm_f32(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
              int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

// The plain triple loop: the test oracle for every optimised fp32 GEMM.
void gemm_f32_reference(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                        const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
                        int64_t ldc);

// Which backend gemm_f32 uses: "openblas" or "prunq" (PRUNQ_GEMM=prunq forces "prunq").
const char* gemm_f32_backend();

// What happens to each result element after the product, fused into the kernel's store:
//   C[i,j] = clamp(alpha * AB[i,j] + beta * C[i,j] + row_bias[i] + col_bias[j], clamp_min, clamp_max)
// Null biases are skipped; the default clamp range lets every value through.
struct GemmEpilogue {
  const float* row_bias = nullptr;  // [M], e.g. per-output-channel bias of an NCHW conv
  const float* col_bias = nullptr;  // [N], e.g. bias of a Linear layer computing X * W^T
  float clamp_min = -std::numeric_limits<float>::infinity();
  float clamp_max = std::numeric_limits<float>::infinity();
};

enum class Activation { none, relu, relu6 };
// Returns e with clamp_min/clamp_max set for the activation (none leaves the range open).
GemmEpilogue with_activation(GemmEpilogue e, Activation act);

// prunq's own blocked, packed, threaded kernel at the active ISA level, whatever backend
// gemm_f32 uses. epilogue may be null.
void gemm_f32_prunq(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                    int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc,
                    const GemmEpilogue* epilogue = nullptr);

// gemm_f32 with a fused epilogue: prunq's kernel, or the BLAS followed by one epilogue pass.
void gemm_f32_epilogue(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                       const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
                       int64_t ldc, const GemmEpilogue& epilogue);

// One specific variant (scalar, avx2, avx512, neon; the VNNI, dot-product and i8mm levels map to
// the variant below them), for tests and benchmarks. Throws prunq::Error if this build or this CPU lacks it.
void gemm_f32_prunq_isa(Isa isa, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                        const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
                        int64_t ldc, const GemmEpilogue* epilogue = nullptr);
// True when gemm_f32_prunq_isa(isa, ...) can run here (compiled in and supported by the CPU;
// the PRUNQ_ISA cap is not consulted: tests check active_isa() themselves).
bool gemm_f32_variant_available(Isa isa);
// The micro-kernel name the variant for isa uses, e.g. "gemm_f32_14x32__avx512".
const char* gemm_f32_variant_name(Isa isa);

// Applies the epilogue to C[M,N] in place as if alpha*AB were 0 and beta 1: the reference for
// the fused epilogues, and the BLAS path's second pass.
void gemm_f32_apply_epilogue(int64_t M, int64_t N, float* C, int64_t ldc, const GemmEpilogue& epilogue);

}  // namespace prunq
