// AArch64 NEON micro-kernel: an 8x12 tile in 24 q-register accumulators (8 rows x 3 vectors of
// 4 floats), B rows as 3 loads and the 8 A values of a k step as 2 loads used lane by lane (FMLA
// by element), so 29 of the 32 vector registers are live and each k step issues 24 FMAs for 5
// loads: the tile shape of the Cortex-A57/A72 BLAS kernels. Column tails go through a small
// stack buffer (NEON has no masked loads); a short last row panel (M % 8 <= 4) runs a 4-row
// version.
#include <arm_neon.h>

#include "kernels/gemm_f32/ukernel.h"

namespace prunq::gemm_detail {
namespace {

constexpr int kMr = 8, kNv = 3, kNr = kNv * 4;

// The first n (0..4) floats at p, zeros above, reading nothing past them.
inline float32x4_t load_n(const float* p, int n) {
  if (n >= 4) return vld1q_f32(p);
  float t[4] = {0.f, 0.f, 0.f, 0.f};
  for (int i = 0; i < n; ++i) t[i] = p[i];
  return vld1q_f32(t);
}

inline void store_n(float* p, float32x4_t v, int n) {
  if (n >= 4) return vst1q_f32(p, v);
  float t[4];
  vst1q_f32(t, v);
  for (int i = 0; i < n; ++i) p[i] = t[i];
}

inline float32x4_t finish(float32x4_t acc, const float* c, int n, float32x4_t rb, const float* cb,
                          const TileStore& st) {
  float32x4_t v = vmulq_n_f32(acc, st.alpha);
  if (st.beta != 0.f) v = vfmaq_n_f32(v, load_n(c, n), st.beta);
  v = vaddq_f32(v, rb);
  if (cb) v = vaddq_f32(v, load_n(cb, n));
  if (st.clamp) v = vminq_f32(vmaxq_f32(v, vdupq_n_f32(st.clamp_min)), vdupq_n_f32(st.clamp_max));
  return v;
}

// kRows (4 or 8) of the 8-row panel (whose stride stays kMr); rows >= m are computed, not stored.
template <int kRows>
void tile(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int m, int n, const TileStore& st) {
  float32x4_t acc[kRows][kNv];
#pragma GCC unroll 8
  for (int i = 0; i < kRows; ++i)
#pragma GCC unroll 3
    for (int j = 0; j < kNv; ++j) acc[i][j] = vdupq_n_f32(0.f);

  for (int64_t k = 0; k < kc; ++k) {
    const float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4), b2 = vld1q_f32(b + 8);
    __builtin_prefetch(b + 8 * kNr);
    const float32x4_t a0 = vld1q_f32(a);
    const float32x4_t a1 = kRows > 4 ? vld1q_f32(a + 4) : a0;
#pragma GCC unroll 8
    for (int i = 0; i < kRows; ++i) {
      const float32x4_t ai = i < 4 ? a0 : a1;
      // The lane index must be a constant: i % 4 is one after unrolling.
      switch (i % 4) {
        case 0:
          acc[i][0] = vfmaq_laneq_f32(acc[i][0], b0, ai, 0);
          acc[i][1] = vfmaq_laneq_f32(acc[i][1], b1, ai, 0);
          acc[i][2] = vfmaq_laneq_f32(acc[i][2], b2, ai, 0);
          break;
        case 1:
          acc[i][0] = vfmaq_laneq_f32(acc[i][0], b0, ai, 1);
          acc[i][1] = vfmaq_laneq_f32(acc[i][1], b1, ai, 1);
          acc[i][2] = vfmaq_laneq_f32(acc[i][2], b2, ai, 1);
          break;
        case 2:
          acc[i][0] = vfmaq_laneq_f32(acc[i][0], b0, ai, 2);
          acc[i][1] = vfmaq_laneq_f32(acc[i][1], b1, ai, 2);
          acc[i][2] = vfmaq_laneq_f32(acc[i][2], b2, ai, 2);
          break;
        default:
          acc[i][0] = vfmaq_laneq_f32(acc[i][0], b0, ai, 3);
          acc[i][1] = vfmaq_laneq_f32(acc[i][1], b1, ai, 3);
          acc[i][2] = vfmaq_laneq_f32(acc[i][2], b2, ai, 3);
          break;
      }
    }
    a += kMr;
    b += kNr;
  }

  // The epilogue reads the tile back from the stack: with the accumulators live across it, GCC
  // spilled a third of them inside the k loop (a load + store per FMA).
  float tile_out[kRows][kNr];
#pragma GCC unroll 8
  for (int i = 0; i < kRows; ++i)
#pragma GCC unroll 3
    for (int j = 0; j < kNv; ++j) vst1q_f32(&tile_out[i][4 * j], acc[i][j]);
  for (int i = 0; i < m; ++i) {
    float* ci = c + i * ldc;
    const float32x4_t rb = vdupq_n_f32(st.row_bias ? st.row_bias[i] : 0.f);
    for (int j = 0; j < kNv; ++j) {
      const int valid = n - 4 * j;
      if (valid <= 0) break;
      const float* cb = st.col_bias ? st.col_bias + 4 * j : nullptr;
      store_n(ci + 4 * j, finish(vld1q_f32(&tile_out[i][4 * j]), ci + 4 * j, valid, rb, cb, st), valid);
    }
  }
}

void ukernel_8x12(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int m, int n,
                  const TileStore& st) {
  if (m <= 4) return tile<4>(kc, a, b, c, ldc, m, n, st);
  tile<8>(kc, a, b, c, ldc, m, n, st);
}

}  // namespace

const Ukernel& ukernel_neon() {
  // A panel 8x256 (8 KiB) in a 32 KiB L1, B block 256x384 (384 KiB) in the 512 KiB - 1 MiB L2
  // of Cortex-A53/A72 boards, A block up to 512x256 (512 KiB): boards seldom have an L3.
  static const Ukernel k{"gemm_f32_8x12__neon", Isa::neon, kMr, kNr, 512, 256, 384, ukernel_8x12,
                         pack_strided_neon, pack_contiguous_neon};
  return k;
}

}  // namespace prunq::gemm_detail
