// int8 GEMM micro-kernel for the int8 matrix multiply extension (i8mm, ARMv8.6): SMMLA multiplies
// a 2x8 int8 matrix (two rows' 8 activations) by an 8x2 one (two columns' 8 weights) into a 2x2
// int32 block, 32 MACs per instruction, twice SDOT's. Layout s8x8: per K group of 8, one
// register per column pair of the 16-column panel. Tile 4 rows x 16 columns: 2 row pairs x 8
// column pairs = 16 accumulators [r0c0 r0c1 r1c0 r1c1], unzipped into rows by 64-bit ZIP at the
// end. Activations are flipped to int8 (SMMLA is int8 x int8; the correction uses za - 128).
#include "kernels/gemm_s8/neon_common.h"

namespace prunq::gemm_s8_detail {
namespace {

constexpr int kMr = 4, kPairs = kMr / 2;

// A partial K group of `bytes` (1..7) activations as int8 in the low bytes, zeros above; whole:
// up to 3 bytes past the group may be read (the caller's guarantee) and meet zero weights.
inline int8x8_t partial8_s8(const uint8_t* p, int bytes, bool whole) {
  uint64_t v = bytes >= 4 ? group4_s8(p, 4, true) : group4_s8(p, bytes, whole);
  if (bytes > 4) v |= uint64_t{group4_s8(p + 4, bytes - 4, whole)} << 32;
  return vreinterpret_s8_u64(vcreate_u64(v));
}

inline int8x16_t zip_lo(int8x16_t a, int8x16_t b) {
  return vreinterpretq_s8_s64(vzip1q_s64(vreinterpretq_s64_s8(a), vreinterpretq_s64_s8(b)));
}
inline int8x16_t zip_hi(int8x16_t a, int8x16_t b) {
  return vreinterpretq_s8_s64(vzip2q_s64(vreinterpretq_s64_s8(a), vreinterpretq_s64_s8(b)));
}

template <bool RowSum>
void tile(const UkernelCall& call) {
  const PackedGemmS8& p = *call.p;
  int32x4_t acc[kPairs][8];  // [row pair][column pair]: [r0c0 r0c1 r1c0 r1c1]
  int32x4_t rowsum[kPairs];  // [r0 r0 r1 r1] sums of the pair's rows
  for (int q = 0; q < kPairs; ++q) {
    for (int j = 0; j < 8; ++j) acc[q][j] = vdupq_n_s32(0);
    rowsum[q] = vdupq_n_s32(0);
  }
  const int8_t* w = reinterpret_cast<const int8_t*>(call.w);
  // One K group: x[q] holds rows 2q and 2q+1's 8 activations of it.
  auto group = [&](const int8x16_t (&x)[kPairs]) {
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j) {
      const int8x16_t wj = vld1q_s8(w + 16 * j);
#pragma GCC unroll 2
      for (int q = 0; q < kPairs; ++q) acc[q][j] = vmmlaq_s32(acc[q][j], x[q], wj);
    }
    if constexpr (RowSum)
      for (int q = 0; q < kPairs; ++q) rowsum[q] = vmmlaq_s32(rowsum[q], x[q], vdupq_n_s8(1));
    w += 128;
  };
  const bool whole_tail = call.tail_overread && !RowSum;
  const int64_t groups = p.segment_groups;
  for (int64_t s = 0; s < p.segments; ++s) {
    const uint8_t* ap[kMr];
    for (int r = 0; r < kMr; ++r) ap[r] = call.a[s * kMr + r];
    int64_t g = 0;
    for (; g + 2 <= groups; g += 2) {  // two groups from one 16-byte load per row
      int8x16_t a[kMr];
#pragma GCC unroll 4
      for (int r = 0; r < kMr; ++r) a[r] = load16_s8(ap[r] + g * 8);
      int8x16_t x0[kPairs], x1[kPairs];
#pragma GCC unroll 2
      for (int q = 0; q < kPairs; ++q) {
        x0[q] = zip_lo(a[2 * q], a[2 * q + 1]);
        x1[q] = zip_hi(a[2 * q], a[2 * q + 1]);
      }
      group(x0);
      group(x1);
    }
    if (g < groups) {
      int8x16_t x[kPairs];
#pragma GCC unroll 2
      for (int q = 0; q < kPairs; ++q) x[q] = vcombine_s8(load8_s8(ap[2 * q] + g * 8), load8_s8(ap[2 * q + 1] + g * 8));
      group(x);
      ++g;
    }
    if (p.segment_tail) {
      int8x16_t x[kPairs];
#pragma GCC unroll 2
      for (int q = 0; q < kPairs; ++q)
        x[q] = vcombine_s8(partial8_s8(ap[2 * q] + g * 8, p.segment_tail, whole_tail),
                           partial8_s8(ap[2 * q + 1] + g * 8, p.segment_tail, whole_tail));
      group(x);
    }
  }
  // Rows 2q / 2q+1, columns 4v .. 4v+3: the low / high 64 bits of column pairs 2v and 2v+1.
  TileSums<kMr> out;
  for (int q = 0; q < kPairs; ++q) {
    for (int v = 0; v < 4; ++v) {
      const int64x2_t a = vreinterpretq_s64_s32(acc[q][2 * v]), b = vreinterpretq_s64_s32(acc[q][2 * v + 1]);
      vst1q_s32(out.sums[2 * q] + 4 * v, vreinterpretq_s32_s64(vzip1q_s64(a, b)));
      vst1q_s32(out.sums[2 * q + 1] + 4 * v, vreinterpretq_s32_s64(vzip2q_s64(a, b)));
    }
    out.rowsum[2 * q] = vgetq_lane_s32(rowsum[q], 0);
    out.rowsum[2 * q + 1] = vgetq_lane_s32(rowsum[q], 2);
  }
  store_tile16<kMr, RowSum>(call, out);
}

void run(const UkernelCall& call) { run_for_zero_points(call, tile<false>, tile<true>); }

}  // namespace

const UkernelInfo& ukernel_neon_i8mm() {
  static const UkernelInfo info = single_panel_ukernel(run, Layout::s8x8, kMr);
  return info;
}

}  // namespace prunq::gemm_s8_detail
