// Portable peak loop: 16 independent multiply-add chains of 4 floats each, which the compiler
// turns into baseline SIMD (SSE2 / NEON) without ISA flags: the ceiling of the scalar variant.
#include "kernels/peak/peak.h"

namespace prunq::peak_detail {

uint64_t fma_loop_scalar(uint64_t iters, float seed, float* sink) {
  constexpr int kChains = 64;
  float acc[kChains];
  const float mul = 0.999999f, add = seed * 1e-7f;
  for (int c = 0; c < kChains; ++c) acc[c] = seed + static_cast<float>(c);
  for (uint64_t i = 0; i < iters; ++i)
    for (int c = 0; c < kChains; ++c) acc[c] = acc[c] * mul + add;
  float total = 0.f;
  for (float v : acc) total += v;
  *sink = total;
  return iters * kChains * 2;
}

}  // namespace prunq::peak_detail
