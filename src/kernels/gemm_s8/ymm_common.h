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
// stores the first call.mr rows of the tile's 16 columns (only call.n_valid of them). The output
// type and shift range are template arguments: u8 / s8 rows leave as one 16-byte store.
template <QOut Type, bool NarrowShift, bool HighShift, bool PackClamps, int Mr, bool RowSum>
inline void store_tile_as(const UkernelCall& call, const __m256i (&acc)[Mr][2], const __m256i (&rowsum)[Mr]) {
  const PackedGemmS8& p = *call.p;
  const OutputStage& os = p.out;
  const avx2::OutBounds8 bounds = avx2::load_bounds8(os);
  const int64_t n0 = call.n0;  // n_padded is a multiple of 16: columns n0 .. n0+15 have stage entries
  const avx2::Requant8 rq0 = avx2::load_requant8(os, n0), rq1 = avx2::load_requant8(os, n0 + 8);
  const __m256i corr0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.correction.data() + n0));
  const __m256i corr1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.correction.data() + n0 + 8));
  __m256i wzp0 = _mm256_setzero_si256(), wzp1 = wzp0;
  if constexpr (RowSum) {
    wzp0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.w_zero_points.data() + n0));
    wzp1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.w_zero_points.data() + n0 + 8));
  }
  const int n = call.n_valid;
#pragma GCC unroll 8
  for (int r = 0; r < Mr; ++r) {
    if (r >= call.mr) break;
    __m256i x0 = _mm256_add_epi32(acc[r][0], corr0), x1 = _mm256_add_epi32(acc[r][1], corr1);
    if constexpr (RowSum) {
      x0 = _mm256_sub_epi32(x0, _mm256_mullo_epi32(wzp0, rowsum[r]));
      x1 = _mm256_sub_epi32(x1, _mm256_mullo_epi32(wzp1, rowsum[r]));
    }
    const int64_t index = call.c_index + r * call.ldc;
    if constexpr (Type == QOut::u8 || Type == QOut::s8) {
      const __m128i bytes =
          avx2::pack_bytes16<Type>(avx2::requantize8_as<NarrowShift, HighShift, PackClamps>(x0, rq0, bounds),
                                   avx2::requantize8_as<NarrowShift, HighShift, PackClamps>(x1, rq1, bounds));
      avx2::store_bytes16(static_cast<uint8_t*>(call.c) + index, bytes, n);
    } else {
      avx2::store_output8(Type, true, rq0, bounds, x0, call.c, index, n < 8 ? n : 8);
      if (n > 8) avx2::store_output8(Type, true, rq1, bounds, x1, call.c, index + 8, n - 8);
    }
  }
}

// Not inlined: merged into a micro-kernel, its register demand makes GCC spill the accumulators
// of the dot-product loop.
template <int Mr, bool RowSum>
__attribute__((noinline)) void store_tile(const UkernelCall& call, const __m256i (&acc)[Mr][2],
                                          const __m256i (&rowsum)[Mr]) {
  const bool full_range = avx2::load_bounds8(call.p->out).full_range;
  visit_output_stage(call.p->out, [&]<QOut Type, bool NarrowShift, bool HighShift>() {
    if constexpr (HighShift)
      if (full_range) return store_tile_as<Type, NarrowShift, HighShift, true, Mr, RowSum>(call, acc, rowsum);
    store_tile_as<Type, NarrowShift, HighShift, false, Mr, RowSum>(call, acc, rowsum);
  });
}

// Runs the tile instantiation that matches the weights: row sums are needed only when the
// weights carry zero points.
inline void run_tile_for_zero_points(const UkernelCall& call, void (*plain)(const UkernelCall&),
                                     void (*with_row_sums)(const UkernelCall&)) {
  (call.p->w_zero_points.empty() ? plain : with_row_sums)(call);
}

}  // namespace
}  // namespace prunq::gemm_s8_detail
