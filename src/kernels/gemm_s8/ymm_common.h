// Code shared by the 256-bit int8 GEMM micro-kernels (avx2.cpp, avx2_maddubs.cpp, avxvnni.cpp):
// walking the packed activation groups of a tile, row sums, and requantizing/storing its
// 16-column accumulators. Each kernel
// file is compiled with its own ISA flags, so everything here has internal linkage (unnamed
// namespace): the linker must never swap one file's copy (e.g. built with -mavxvnni) into the
// other's.
#pragma once

#include <immintrin.h>

#include <cstring>

#include "kernels/gemm_s8/ukernel.h"
#include "kernels/requant/requant_avx2.h"

namespace prunq::gemm_s8_detail {
namespace {

// Calls step(bytes) once per 4-byte group of k, where bytes[r] holds row r's four activations
// (the segment tail zero-padded), for every segment of the packed tile.
template <int Mr, typename Step>
inline void for_each_a_group(const UkernelCall& call, Step&& step) {
  const PackedGemmS8& p = *call.p;
  for (int64_t s = 0; s < p.segments; ++s) {
    const uint8_t* a[Mr];
#pragma GCC unroll 8
    for (int r = 0; r < Mr; ++r) a[r] = call.a[s * Mr + r];
    uint32_t bytes[Mr];
    for (int64_t g = 0; g < p.segment_groups; ++g) {
#pragma GCC unroll 8
      for (int r = 0; r < Mr; ++r) std::memcpy(&bytes[r], a[r] + g * 4, 4);
      step(bytes);
    }
    if (p.segment_tail) {
      for (int r = 0; r < Mr; ++r) bytes[r] = load_tail(a[r] + p.segment_groups * 4, p.segment_tail);
      step(bytes);
    }
  }
}

// rowsum[r] = the sum of row r's activation bytes over every segment (the real bytes only, never
// a tail group's over-read ones), broadcast: what the weight zero points multiply. Computed once
// per tile with vpsadbw instead of inside the dot-product loop. Zero when !RowSum.
template <int Mr, bool RowSum>
inline void row_sums(const UkernelCall& call, __m256i (&rowsum)[Mr]) {
  const PackedGemmS8& p = *call.p;
  for (int r = 0; r < Mr; ++r) {
    rowsum[r] = _mm256_setzero_si256();
    if (!RowSum || r >= call.mr) continue;
    __m256i wide = _mm256_setzero_si256();
    uint32_t sum = 0;
    for (int64_t s = 0; s < p.segments; ++s) {
      const uint8_t* a = call.a[s * Mr + r];
      int64_t i = 0;
      for (; i + 32 <= p.segment_len; i += 32)
        wide = _mm256_add_epi64(wide, _mm256_sad_epu8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i)),
                                                      _mm256_setzero_si256()));
      for (; i < p.segment_len; ++i) sum += a[i];
    }
    alignas(32) uint64_t lanes[4];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), wide);
    sum += static_cast<uint32_t>(lanes[0] + lanes[1] + lanes[2] + lanes[3]);
    rowsum[r] = _mm256_set1_epi32(static_cast<int>(sum));
  }
}

// Adds the packed correction, subtracts w_zero_point * rowsum when RowSum, then requantizes and
// stores the first call.mr rows of the tile's two 8-column halves (only call.n_valid columns).
template <int Mr, bool RowSum>
inline void store_tile(const UkernelCall& call, const __m256i (&acc)[Mr][2], const __m256i (&rowsum)[Mr]) {
  const PackedGemmS8& p = *call.p;
  const OutputStage& os = p.out;
  const avx2::OutBounds8 bounds = avx2::load_bounds8(os);
  const QOut type = os.type;
  const bool narrow = os.narrow_shift;
  for (int h = 0; h < 2; ++h) {
    const int64_t col = call.n0 + h * 8;
    const int rem = call.n_valid - h * 8;
    if (rem <= 0) break;
    const avx2::Requant8 rq = avx2::load_requant8(os, col);
    const __m256i corr = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.correction.data() + col));
    __m256i wzp = _mm256_setzero_si256();
    if constexpr (RowSum) wzp = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.w_zero_points.data() + col));
#pragma GCC unroll 8
    for (int r = 0; r < Mr; ++r) {
      if (r >= call.mr) break;
      __m256i x = _mm256_add_epi32(acc[r][h], corr);
      if constexpr (RowSum) x = _mm256_sub_epi32(x, _mm256_mullo_epi32(wzp, rowsum[r]));
      avx2::store_output8(type, narrow, rq, bounds, x, call.c, call.c_index + r * call.ldc + h * 8, rem < 8 ? rem : 8);
    }
  }
}

// Runs the tile instantiation that matches the weights: row sums are needed only when the
// weights carry zero points.
inline void run_tile_for_zero_points(const UkernelCall& call, void (*plain)(const UkernelCall&),
                                     void (*with_row_sums)(const UkernelCall&)) {
  (call.p->w_zero_points.empty() ? plain : with_row_sums)(call);
}

}  // namespace
}  // namespace prunq::gemm_s8_detail
