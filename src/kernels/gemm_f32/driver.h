// Internal: the shared fp32 GEMM driver. It splits C between threads, walks the MC/KC/NC cache
// blocks, packs A and B panels and calls one ISA's micro-kernel per tile. B comes through a
// packer callback so the convolution kernels can pack im2col panels straight from an NCHW
// image (implicit GEMM: only the current KC x NC block is ever materialised).
#pragma once
#include <cstdint>

#include "kernels/gemm_f32/gemm_f32.h"
#include "kernels/gemm_f32/ukernel.h"

namespace prunq::gemm_detail {

// A row-major matrix used as op(X): element (r, c) is p[r * ld + c], or p[c * ld + r] if trans.
struct MatrixF32 {
  const float* p;
  int64_t ld;
  bool trans;
};

// Writes op(B)[k0 : k0+kc, n0 : n0+nc] for micro-kernel uk as ceil(nc / uk.nr) panels of
// kc x uk.nr floats (panel q at dst + q * kc * nr, row k of it at + k * nr), zero-padding
// columns past nc.
struct BPacker {
  void (*pack)(const void* ctx, const Ukernel& uk, int64_t k0, int64_t kc, int64_t n0, int64_t nc, float* dst);
  const void* ctx;
};

// The packer for an ordinary matrix B (ctx: const MatrixF32*).
void pack_b_matrix(const void* ctx, const Ukernel& uk, int64_t k0, int64_t kc, int64_t n0, int64_t nc, float* dst);
// Writes op(A)[m0 : m0+mc, k0 : k0+kc] as ceil(mc / uk.mr) panels of kc x mr (zero-padded rows).
void pack_a_matrix(const MatrixF32& A, const Ukernel& uk, int64_t m0, int64_t mc, int64_t k0, int64_t kc, float* dst);

struct GemmProblem {
  int64_t M = 0, N = 0, K = 0;
  float alpha = 1.f, beta = 0.f;
  MatrixF32 A{};
  BPacker B{};
  float* C = nullptr;
  int64_t ldc = 0;
  const GemmEpilogue* epilogue = nullptr;  // may be null
  // Optional: op(A) already packed by pack_a_whole for the same micro-kernel, M and K; then A
  // is not read (weights packed once at load instead of on every call).
  const float* a_packed = nullptr;
};

// Floats pack_a_whole writes for an M x K op(A).
int64_t packed_a_floats(const Ukernel& uk, int64_t M, int64_t K);
// Packs all of op(A) in the order run_gemm walks it: for each KC block (starting at pc, kc
// long), all ceil(M / mr) panels, the block at dst + pc * round_up(M, mr).
void pack_a_whole(const Ukernel& uk, const MatrixF32& A, int64_t M, int64_t K, float* dst);

// Runs the problem with the given micro-kernel, using parallel_for when it is big enough.
void run_gemm(const Ukernel& uk, const GemmProblem& p);

}  // namespace prunq::gemm_detail
