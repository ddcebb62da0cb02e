// int8 GEMM micro-kernel for every AArch64 core (ARMv8.0 Advanced SIMD, no dot product): SMULL
// multiplies 8 int8 weights by 8 int8 activations into exact int16 products, SADALP adds them
// pairwise into int32 accumulators. (The common SMULL + SMLAL2 int16 accumulation would
// overflow for two -128 x -128 products, so it is not exact for arbitrary data.) On the vnni4
// layout one register holds 4 columns x 4 K; with the row's 4 activations repeated across a
// register, SMULL / SMULL2 cover columns 0-1 / 2-3, and each accumulator keeps two half sums per
// column, joined by one ADDP at the end: 4 instructions per 16 MACs. Tile 2 rows x 16 columns:
// 16 accumulators, 4 weight registers. Activations are flipped to int8 once per 16 bytes (the
// packing's correction uses za - 128).
#include "kernels/gemm_s8/neon_common.h"

namespace prunq::gemm_s8_detail {
namespace {

constexpr int kMr = 2;

template <bool RowSum>
void tile(const UkernelCall& call) {
  int32x4_t lo[kMr][4], hi[kMr][4];  // [row][4-column register]: half sums of columns 0-1 / 2-3
  int32x4_t rowsum[kMr];
  for (int r = 0; r < kMr; ++r) {
    for (int v = 0; v < 4; ++v) lo[r][v] = hi[r][v] = vdupq_n_s32(0);
    rowsum[r] = vdupq_n_s32(0);
  }
  const int8_t* w = reinterpret_cast<const int8_t*>(call.w);
  // `groups` consecutive K groups (1..4), group l in lane l of a[r].
  auto step = [&](const int8x16_t (&a)[kMr], int groups) {
    if constexpr (RowSum)  // pairwise widening adds of the activation bytes, no multiplies
      for (int r = 0; r < kMr; ++r) rowsum[r] = vpadalq_s16(rowsum[r], vpaddlq_s8(a[r]));
#pragma GCC unroll 4
    for (int l = 0; l < 4; ++l) {
      if (l >= groups) break;
      int8x16_t x[kMr];  // the row's 4 activations of group l, repeated
#pragma GCC unroll 2
      for (int r = 0; r < kMr; ++r) x[r] = dup_group(a[r], l);
#pragma GCC unroll 4
      for (int v = 0; v < 4; ++v) {
        const int8x16_t wv = vld1q_s8(w + 64 * l + 16 * v);
#pragma GCC unroll 2
        for (int r = 0; r < kMr; ++r) {
          lo[r][v] = vpadalq_s16(lo[r][v], vmull_s8(vget_low_s8(wv), vget_low_s8(x[r])));
          hi[r][v] = vpadalq_s16(hi[r][v], vmull_high_s8(wv, x[r]));
        }
      }
    }
    w += 64 * groups;
  };
  for_each_a_vnni4<kMr, RowSum>(call, step);
  TileSums<kMr> out;
  for (int r = 0; r < kMr; ++r) {
    for (int v = 0; v < 4; ++v) vst1q_s32(out.sums[r] + 4 * v, vpaddq_s32(lo[r][v], hi[r][v]));
    out.rowsum[r] = RowSum ? vaddvq_s32(rowsum[r]) : 0;
  }
  store_tile16<kMr, RowSum>(call, out);
}

void run(const UkernelCall& call) { run_for_zero_points(call, tile<false>, tile<true>); }

}  // namespace

const UkernelInfo& ukernel_neon() {
  static const UkernelInfo info = single_panel_ukernel(run, Layout::vnni4, kMr);
  return info;
}

}  // namespace prunq::gemm_s8_detail
