// int8 GEMM micro-kernel for the ARMv8.2 dot-product extension: SDOT by element multiplies the
// 4 int8 weights of each of 4 columns by 4 activations of one row (one 32-bit lane of a
// register holding 16 activation bytes) and adds the 4 products per int32 lane: 16 MACs per
// instruction on the vnni4 layout (4 registers per K group of a 16-column panel). Tile 4 rows x
// 16 columns: 16 accumulators, 4 activation registers and the weights of one 4-column slice of
// 4 K groups at a time (loading all 16 weight registers of 4 groups at once spilled
// accumulators). Activations are flipped to int8 once per 16 bytes (SDOT is int8 x int8; the
// packing's correction uses za - 128).
#include "kernels/gemm_s8/neon_common.h"

namespace prunq::gemm_s8_detail {
namespace {

constexpr int kMr = 4;

// acc += w . lane L of a (L constant after unrolling).
inline int32x4_t dot_lane(int32x4_t acc, int8x16_t w, int8x16_t a, int L) {
  switch (L) {
    case 0: return vdotq_laneq_s32(acc, w, a, 0);
    case 1: return vdotq_laneq_s32(acc, w, a, 1);
    case 2: return vdotq_laneq_s32(acc, w, a, 2);
    default: return vdotq_laneq_s32(acc, w, a, 3);
  }
}

template <bool RowSum>
void tile(const UkernelCall& call) {
  int32x4_t acc[kMr][4], rowsum[kMr];
  for (int r = 0; r < kMr; ++r) {
    for (int v = 0; v < 4; ++v) acc[r][v] = vdupq_n_s32(0);
    rowsum[r] = vdupq_n_s32(0);
  }
  const int8_t* w = reinterpret_cast<const int8_t*>(call.w);
  // `groups` consecutive K groups (1..4), group L in lane L of a[r].
  auto step = [&](const int8x16_t (&a)[kMr], int groups) {
    if constexpr (RowSum)
      for (int r = 0; r < kMr; ++r) rowsum[r] = vdotq_s32(rowsum[r], a[r], vdupq_n_s8(1));
#pragma GCC unroll 4
    for (int v = 0; v < 4; ++v) {
      int8x16_t wg[4];
#pragma GCC unroll 4
      for (int l = 0; l < 4; ++l)
        if (l < groups) wg[l] = vld1q_s8(w + 64 * l + 16 * v);
#pragma GCC unroll 4
      for (int r = 0; r < kMr; ++r)
#pragma GCC unroll 4
        for (int l = 0; l < 4; ++l)
          if (l < groups) acc[r][v] = dot_lane(acc[r][v], wg[l], a[r], l);
    }
    w += 64 * groups;
  };
  for_each_a_vnni4<kMr, RowSum>(call, step);
  TileSums<kMr> out;
  for (int r = 0; r < kMr; ++r) {
    for (int v = 0; v < 4; ++v) vst1q_s32(out.sums[r] + 4 * v, acc[r][v]);
    out.rowsum[r] = RowSum ? vaddvq_s32(rowsum[r]) : 0;
  }
  store_tile16<kMr, RowSum>(call, out);
}

void run(const UkernelCall& call) { run_for_zero_points(call, tile<false>, tile<true>); }

}  // namespace

const UkernelInfo& ukernel_neon_dotprod() {
  static const UkernelInfo info = single_panel_ukernel(run, Layout::vnni4, kMr);
  return info;
}

}  // namespace prunq::gemm_s8_detail
