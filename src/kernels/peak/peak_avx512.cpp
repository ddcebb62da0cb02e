// AVX-512 peak loop: 16 independent zmm FMA chains, enough to cover 4-cycle latency on two
// 512-bit FMA ports (Zen 5, Intel server cores) as well as Zen 4's double-pumped single port.
#include <immintrin.h>

#include "kernels/peak/peak.h"

namespace prunq::peak_detail {

uint64_t fma_loop_avx512(uint64_t iters, float seed, float* sink) {
  constexpr int kChains = 16;
  __m512 acc[kChains];
  const __m512 mul = _mm512_set1_ps(0.999999f), add = _mm512_set1_ps(seed * 1e-7f);
#pragma GCC unroll 16
  for (int c = 0; c < kChains; ++c) acc[c] = _mm512_set1_ps(seed + static_cast<float>(c));
  for (uint64_t i = 0; i < iters; ++i) {
#pragma GCC unroll 16
    for (int c = 0; c < kChains; ++c) acc[c] = _mm512_fmadd_ps(acc[c], mul, add);
  }
  __m512 sum = acc[0];
#pragma GCC unroll 16
  for (int c = 1; c < kChains; ++c) sum = _mm512_add_ps(sum, acc[c]);
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, sum);
  float total = 0.f;
  for (float v : lanes) total += v;
  *sink = total;
  return iters * kChains * 16 * 2;
}

}  // namespace prunq::peak_detail
