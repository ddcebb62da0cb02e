// Code shared by the NEON int8 GEMM micro-kernels (neon.cpp, neondot.cpp, neoni8mm.cpp): the
// activation loads (bytes flipped to int8, the signed instructions' domain) and the tile epilogue
// (correction, weight zero points, requantization, store). Each kernel file is compiled with its
// own -march, so everything here has internal linkage (unnamed namespace): the linker must never
// swap one file's copy (e.g. built with +i8mm) into another's.
#pragma once
#include <arm_neon.h>

#include <cstring>

#include "kernels/gemm_s8/ukernel.h"
#include "kernels/requant/requant_neon.h"

namespace prunq::gemm_s8_detail {
namespace {

// 16 activation bytes as int8 (x ^ 0x80 = x - 128).
inline int8x16_t load16_s8(const uint8_t* p) {
  return vreinterpretq_s8_u8(veorq_u8(vld1q_u8(p), vdupq_n_u8(0x80)));
}

inline int8x8_t load8_s8(const uint8_t* p) { return vreinterpret_s8_u8(veor_u8(vld1_u8(p), vdup_n_u8(0x80))); }

// Lane L (0..3) of a repeated over all four 32-bit lanes (L is a constant once the callers'
// loops are unrolled; the intrinsic needs one).
inline int8x16_t dup_group(int8x16_t a, int L) {
  const int32x4_t v = vreinterpretq_s32_s8(a);
  switch (L) {
    case 0: return vreinterpretq_s8_s32(vdupq_laneq_s32(v, 0));
    case 1: return vreinterpretq_s8_s32(vdupq_laneq_s32(v, 1));
    case 2: return vreinterpretq_s8_s32(vdupq_laneq_s32(v, 2));
    default: return vreinterpretq_s8_s32(vdupq_laneq_s32(v, 3));
  }
}

// One K group of `bytes` (1..4) activations as int8 in the low 32 bits, zeros above. `whole`:
// the caller allows reading the full 4 bytes (their extras meet zero weights); otherwise the
// bytes past `bytes` are neither read nor flipped, so they are 0 in the row sums too.
inline uint32_t group4_s8(const uint8_t* p, int bytes, bool whole) {
  uint32_t v;
  if (whole || bytes == 4) {
    std::memcpy(&v, p, 4);
    return v ^ 0x80808080u;
  }
  return load_tail(p, bytes) ^ (0x80808080u & ((1u << (8 * bytes)) - 1));
}

// Walks the tile's activations on the vnni4 layout, segment by segment, calling step(a, groups)
// with a[r] holding row r's next `groups` K groups as int8, group l in lane l: 16 bytes (4
// groups) at a time, then each of the last 1..3 whole groups and the partial one alone in lane 0
// (zeros above).
template <int Mr, bool RowSum, typename Step>
inline void for_each_a_vnni4(const UkernelCall& call, Step&& step) {
  const PackedGemmS8& p = *call.p;
  const bool whole_tail = call.tail_overread && !RowSum;
  const int64_t groups = p.segment_groups;
  for (int64_t s = 0; s < p.segments; ++s) {
    const uint8_t* ap[Mr];
    for (int r = 0; r < Mr; ++r) ap[r] = call.a[s * Mr + r];
    int64_t g = 0;
    for (; g + 4 <= groups; g += 4) {
      int8x16_t a[Mr];
#pragma GCC unroll 4
      for (int r = 0; r < Mr; ++r) a[r] = load16_s8(ap[r] + g * 4);
      step(a, 4);
    }
    for (; g < groups + (p.segment_tail ? 1 : 0); ++g) {
      const int bytes = g < groups ? 4 : p.segment_tail;
      int8x16_t a[Mr];
#pragma GCC unroll 4
      for (int r = 0; r < Mr; ++r)
        a[r] = vreinterpretq_s8_u32(vsetq_lane_u32(group4_s8(ap[r] + g * 4, bytes, whole_tail), vdupq_n_u32(0), 0));
      step(a, 1);
    }
  }
}

// The corrected accumulators of one row of a 16-column panel: acc + correction
// (- w_zero_point * rowsum), requantized and stored (call.n_valid columns).
template <QOut Type, bool RowSum>
inline void store_row16(const UkernelCall& call, const neon::Requant4 (&rq)[4], const neon::OutBounds& bounds,
                        const int32x4_t (&corr)[4], const int32x4_t (&wzp)[4], const int32_t* sums, int32_t rowsum,
                        int r) {
  int32x4_t acc[4];
#pragma GCC unroll 4
  for (int v = 0; v < 4; ++v) {
    acc[v] = vaddq_s32(vld1q_s32(sums + 4 * v), corr[v]);
    if constexpr (RowSum) acc[v] = vmlsq_n_s32(acc[v], wzp[v], rowsum);
  }
  neon::store_outputs<Type, 4>(rq, bounds, acc, call.c, call.c_index + r * call.ldc, call.n_valid);
}

// A finished tile's accumulators go through memory (TileSums) to the epilogue: with them live
// across it, GCC kept part of them on the stack inside the K loop (a load and a store per
// multiply-accumulate there).
template <int Mr>
struct TileSums {
  int32_t sums[Mr][16];  // row r, columns 0..15
  int32_t rowsum[Mr];
};

// Stores the first call.mr rows of an Mr x 16 tile.
template <int Mr, bool RowSum>
inline void store_tile16(const UkernelCall& call, const TileSums<Mr>& t) {
  const PackedGemmS8& p = *call.p;
  const OutputStage& os = p.out;
  const neon::OutBounds bounds = neon::load_bounds(os);
  neon::Requant4 rq[4];
  int32x4_t corr[4], wzp[4];
#pragma GCC unroll 4
  for (int v = 0; v < 4; ++v) {
    const int64_t col = call.n0 + 4 * v;  // correction etc. are padded to whole panels
    rq[v] = neon::load_requant4(os, col);
    corr[v] = vld1q_s32(p.correction.data() + col);
    wzp[v] = RowSum ? vld1q_s32(p.w_zero_points.data() + col) : vdupq_n_s32(0);
  }
  const int rows = call.mr;
  visit_output_stage(os, [&]<QOut Type, bool, bool>() {
#pragma GCC unroll 8
    for (int r = 0; r < Mr; ++r) {
      if (r >= rows) break;
      store_row16<Type, RowSum>(call, rq, bounds, corr, wzp, t.sums[r], t.rowsum[r], r);
    }
  });
}

// Runs the tile instantiation that matches the weights: row sums are needed only when the
// weights carry zero points.
inline void run_for_zero_points(const UkernelCall& call, void (*plain)(const UkernelCall&),
                                void (*with_row_sums)(const UkernelCall&)) {
  (call.p->w_zero_points.empty() ? plain : with_row_sums)(call);
}

}  // namespace
}  // namespace prunq::gemm_s8_detail
