// Internal: the contract between the shared GEMM driver (blocking, packing, threading) and the
// per-ISA micro-kernels. A micro-kernel multiplies one packed A panel (mr rows) by one packed B
// panel (nr columns) over kc and stores the mr x nr tile into C with the tile epilogue.
//
// Packed layouts (both zero-padded to full panels; B panels start 64-byte aligned and their rows
// stay aligned for nr = 16 or 32, A panels are only read by broadcasts and need no alignment):
//   A panel: a[k * mr + i] = op(A)[i, k]     B panel: b[k * nr + j] = op(B)[k, j]
#pragma once
#include <cstdint>

#include "core/cpu_features.h"

namespace prunq::gemm_detail {

// How a finished tile is written. The driver calls a micro-kernel once per K block:
// the first block uses the caller's beta, later ones beta = 1; only the last block carries the
// biases and the clamp.
struct TileStore {
  float alpha = 1.f;
  float beta = 0.f;                  // 0: C is not read
  const float* row_bias = nullptr;   // row_bias[i] for tile row i (already offset to the tile)
  const float* col_bias = nullptr;   // col_bias[j] for tile column j
  bool clamp = false;
  float clamp_min = 0.f, clamp_max = 0.f;
};

// Packs a panel whose k runs along source rows: dst[k * w + j] = src[j * ld + k] for j < valid,
// zeros for valid <= j < w (a transposition: A panels of a non-transposed A, B panels of a
// transposed B). The per-ISA versions are what keep small-M GEMMs from being packing-bound.
using PackFn = void (*)(const float* src, int64_t ld, int64_t kc, int valid, int w, float* dst);
void pack_strided_scalar(const float* src, int64_t ld, int64_t kc, int valid, int w, float* dst);
// Packs a panel whose rows are contiguous in the source: dst[k * w + j] = src[k * ld + j].
void pack_contiguous_scalar(const float* src, int64_t ld, int64_t kc, int valid, int w, float* dst);
#if defined(__x86_64__) || defined(__i386__)
void pack_strided_avx2(const float* src, int64_t ld, int64_t kc, int valid, int w, float* dst);
void pack_contiguous_avx2(const float* src, int64_t ld, int64_t kc, int valid, int w, float* dst);
#endif
#if defined(__aarch64__)
void pack_strided_neon(const float* src, int64_t ld, int64_t kc, int valid, int w, float* dst);
void pack_contiguous_neon(const float* src, int64_t ld, int64_t kc, int valid, int w, float* dst);
#endif

// m <= mr and n <= nr: the valid part of the tile (tails); rows/columns beyond are not touched.
using UkernelFn = void (*)(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int m, int n,
                           const TileStore& store);

// A micro-kernel with the cache blocking that suits it.
struct Ukernel {
  const char* name;
  Isa isa;
  int mr, nr;
  int64_t mc, kc, nc;  // cache blocks: mc multiple of mr, nc multiple of nr
  UkernelFn run;
  PackFn pack_strided, pack_contiguous;
};

// Each returns its variant; the x86 ones exist only in x86 builds, the NEON one only in aarch64
// builds (their files carry ISA flags or need the architecture's SIMD).
const Ukernel& ukernel_scalar();
#if defined(__x86_64__) || defined(__i386__)
const Ukernel& ukernel_avx2();
const Ukernel& ukernel_avx512();
#endif
#if defined(__aarch64__)
const Ukernel& ukernel_neon();
#endif

// The variant active_isa() selects (the best compiled one at or below the capped level).
const Ukernel& ukernel_active();
// Exactly the variant for an ISA level; null if this build or this CPU lacks it.
const Ukernel* ukernel_for(Isa isa);

}  // namespace prunq::gemm_detail
