// Entry points of prunq's own fp32 GEMM: argument checks, then the shared driver with the
// micro-kernel of the active (or an explicitly requested) ISA level.
#include "core/error.h"
#include "kernels/gemm_f32/driver.h"
#include "kernels/gemm_f32/gemm_f32.h"

namespace prunq {
namespace {

using gemm_detail::GemmProblem;
using gemm_detail::MatrixF32;

void check_args(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda,
                const float* B, int64_t ldb, const float* C, int64_t ldc) {
  PRUNQ_CHECK(M >= 0 && N >= 0 && K >= 0, "gemm_f32: negative size M=", M, " N=", N, " K=", K);
  // Stored shapes: A is [M,K] ([K,M] if trans_a), B is [K,N] ([N,K] if trans_b), C is [M,N].
  const int64_t a_cols = trans_a ? M : K, b_cols = trans_b ? K : N;
  PRUNQ_CHECK(lda >= a_cols, "gemm_f32: lda=", lda, " is smaller than A's row length ", a_cols);
  PRUNQ_CHECK(ldb >= b_cols, "gemm_f32: ldb=", ldb, " is smaller than B's row length ", b_cols);
  PRUNQ_CHECK(ldc >= N, "gemm_f32: ldc=", ldc, " is smaller than N=", N);
  if (M > 0 && N > 0) {
    PRUNQ_CHECK(C, "gemm_f32: C is null for a ", M, "x", N, " result");
    PRUNQ_CHECK(K == 0 || (A && B), "gemm_f32: A or B is null with K=", K);
  }
}

void run(const gemm_detail::Ukernel& uk, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K,
         float alpha, const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc,
         const GemmEpilogue* epilogue) {
  check_args(trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc);
  const MatrixF32 b{B, ldb, trans_b};
  GemmProblem p;
  p.M = M;
  p.N = N;
  p.K = K;
  p.alpha = alpha;
  p.beta = beta;
  p.A = MatrixF32{A, lda, trans_a};
  p.B = gemm_detail::BPacker{gemm_detail::pack_b_matrix, &b};
  p.C = C;
  p.ldc = ldc;
  p.epilogue = epilogue;
  gemm_detail::run_gemm(uk, p);
}

}  // namespace

void gemm_f32_prunq(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                    int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc,
                    const GemmEpilogue* epilogue) {
  run(gemm_detail::ukernel_active(), trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, epilogue);
}

void gemm_f32_prunq_isa(Isa isa, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                        const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
                        int64_t ldc, const GemmEpilogue* epilogue) {
  const gemm_detail::Ukernel* uk = gemm_detail::ukernel_for(isa);
  PRUNQ_CHECK(uk, "gemm_f32: no ", isa_name(isa), " variant in this build or on this CPU");
  run(*uk, trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, epilogue);
}

bool gemm_f32_variant_available(Isa isa) { return gemm_detail::ukernel_for(isa) != nullptr; }

const char* gemm_f32_variant_name(Isa isa) {
  const gemm_detail::Ukernel* uk = gemm_detail::ukernel_for(isa);
  return uk ? uk->name : "unavailable";
}

}  // namespace prunq
