// vpdpbusd ymm (VEX, AVX-VNNI) peak loop: 12 independent accumulators, no loads.
#include <immintrin.h>

#include "kernels/gemm_s8/s8_peak.h"

namespace prunq::s8_peak_detail {

uint64_t dpbusd_loop_avx_vnni(uint64_t iters, int seed, int* sink) {
  constexpr int kChains = 12;
  __m256i acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm256_set1_epi32(i);
  const __m256i a = _mm256_set1_epi32(seed), b = _mm256_set1_epi32(seed * 3 + 1);
  for (uint64_t it = 0; it < iters; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < kChains; ++i) acc[i] = _mm256_dpbusd_avx_epi32(acc[i], a, b);
  }
  __m256i s = acc[0];
  for (int i = 1; i < kChains; ++i) s = _mm256_add_epi32(s, acc[i]);
  alignas(32) int lanes[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), s);
  for (int x : lanes) *sink += x;
  return iters * kChains * 32;
}

}  // namespace prunq::s8_peak_detail
