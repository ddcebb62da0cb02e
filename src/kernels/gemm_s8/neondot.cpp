// int8 GEMM micro-kernel for the ARMv8.2 dot-product extension: SDOT by element multiplies the
// 4 int8 weights of each of 4 columns by 4 activations of one row (one 32-bit lane of a
// register holding 16 activation bytes) and adds the 4 products per int32 lane: 16 MACs per
// instruction on the vnni4 layout (4 registers per K group of a 16-column panel). Tile 4 rows x
// 16 columns: 16 accumulators, 4 weight and 4 activation registers. Activations are flipped to
// int8 once per 16 bytes (SDOT is int8 x int8; the packing's correction uses za - 128).
#include "kernels/gemm_s8/neon_common.h"

namespace prunq::gemm_s8_detail {
namespace {

constexpr int kMr = 4;

template <bool RowSum>
struct Tile {
  int32x4_t acc[kMr][4];
  int32x4_t rowsum[kMr];
  const int8_t* w;

  // One K group: lane L of a[r] holds row r's 4 activations of it.
  template <int L>
  [[gnu::always_inline]] inline void group(const int8x16_t (&a)[kMr]) {
    const int8x16_t w0 = vld1q_s8(w), w1 = vld1q_s8(w + 16), w2 = vld1q_s8(w + 32), w3 = vld1q_s8(w + 48);
#pragma GCC unroll 4
    for (int r = 0; r < kMr; ++r) {
      acc[r][0] = vdotq_laneq_s32(acc[r][0], w0, a[r], L);
      acc[r][1] = vdotq_laneq_s32(acc[r][1], w1, a[r], L);
      acc[r][2] = vdotq_laneq_s32(acc[r][2], w2, a[r], L);
      acc[r][3] = vdotq_laneq_s32(acc[r][3], w3, a[r], L);
    }
    w += 64;
  }

  [[gnu::always_inline]] inline void add_rowsums(const int8x16_t (&a)[kMr]) {
    if constexpr (RowSum)
#pragma GCC unroll 4
      for (int r = 0; r < kMr; ++r) rowsum[r] = vdotq_s32(rowsum[r], a[r], vdupq_n_s8(1));
  }
};

template <bool RowSum>
void tile(const UkernelCall& call) {
  const PackedGemmS8& p = *call.p;
  Tile<RowSum> t;
  for (int r = 0; r < kMr; ++r) {
    for (int v = 0; v < 4; ++v) t.acc[r][v] = vdupq_n_s32(0);
    t.rowsum[r] = vdupq_n_s32(0);
  }
  t.w = reinterpret_cast<const int8_t*>(call.w);
  const bool whole_tail = call.tail_overread && !RowSum;
  const int64_t groups = p.segment_groups;
  for (int64_t s = 0; s < p.segments; ++s) {
    const uint8_t* ap[kMr];
    for (int r = 0; r < kMr; ++r) ap[r] = call.a[s * kMr + r];
    int64_t g = 0;
    for (; g + 4 <= groups; g += 4) {
      int8x16_t a[kMr];
#pragma GCC unroll 4
      for (int r = 0; r < kMr; ++r) a[r] = load16_s8(ap[r] + g * 4);
      t.add_rowsums(a);
      t.template group<0>(a);
      t.template group<1>(a);
      t.template group<2>(a);
      t.template group<3>(a);
    }
    // The last 1..3 whole groups and the partial one, each alone in lane 0 (zeros above).
    for (; g < groups + (p.segment_tail ? 1 : 0); ++g) {
      const int bytes = g < groups ? 4 : p.segment_tail;
      int8x16_t a[kMr];
#pragma GCC unroll 4
      for (int r = 0; r < kMr; ++r)
        a[r] = vreinterpretq_s8_u32(vsetq_lane_u32(group4_s8(ap[r] + g * 4, bytes, whole_tail), vdupq_n_u32(0), 0));
      t.add_rowsums(a);
      t.template group<0>(a);
    }
  }
  int32_t rowsum[kMr];
  for (int r = 0; r < kMr; ++r) rowsum[r] = RowSum ? vaddvq_s32(t.rowsum[r]) : 0;
  store_tile16<kMr, RowSum>(call, t.acc, rowsum);
}

void run(const UkernelCall& call) { run_for_zero_points(call, tile<false>, tile<true>); }

}  // namespace

const UkernelInfo& ukernel_neon_dotprod() {
  static const UkernelInfo info = single_panel_ukernel(run, Layout::vnni4, kMr);
  return info;
}

}  // namespace prunq::gemm_s8_detail
