// AVX2+FMA peak loop: 12 independent ymm FMA chains (two FMA ports x 4-cycle latency needs 8;
// 12 leaves slack for 5-cycle parts and stays within the 16 ymm registers).
#include <immintrin.h>

#include "kernels/peak/peak.h"

namespace prunq::peak_detail {

uint64_t fma_loop_avx2(uint64_t iters, float seed, float* sink) {
  constexpr int kChains = 12;
  __m256 acc[kChains];
  const __m256 mul = _mm256_set1_ps(0.999999f), add = _mm256_set1_ps(seed * 1e-7f);
#pragma GCC unroll 12
  for (int c = 0; c < kChains; ++c) acc[c] = _mm256_set1_ps(seed + static_cast<float>(c));
  for (uint64_t i = 0; i < iters; ++i) {
#pragma GCC unroll 12
    for (int c = 0; c < kChains; ++c) acc[c] = _mm256_fmadd_ps(acc[c], mul, add);
  }
  __m256 sum = acc[0];
#pragma GCC unroll 12
  for (int c = 1; c < kChains; ++c) sum = _mm256_add_ps(sum, acc[c]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, sum);
  float total = 0.f;
  for (float v : lanes) total += v;
  *sink = total;
  return iters * kChains * 8 * 2;
}

}  // namespace prunq::peak_detail
