// int8 GEMM micro-kernel for AVX-VNNI (VEX-coded 256-bit vpdpbusd: Alder Lake and later Intel
// cores, Zen 5): 32 MACs per instruction on the same packed layout as the AVX-512 kernel,
// one 16-column panel as two ymm halves.
#include <immintrin.h>

#include "kernels/gemm_s8/ukernel.h"
#include "kernels/gemm_s8/ymm_common.h"

namespace prunq::gemm_s8_detail {
namespace {

constexpr int kMr = 6;  // 12 accumulators + 2 weight registers + 1 broadcast of 16 ymm

template <bool RowSum>
void tile(const UkernelCall& call) {
  __m256i acc[kMr][2], rowsum[kMr];
#pragma GCC unroll 8
  for (int r = 0; r < kMr; ++r) acc[r][0] = acc[r][1] = rowsum[r] = _mm256_setzero_si256();
  const __m256i ones = _mm256_set1_epi8(1);
  const uint8_t* w = call.w;

  auto step = [&](const uint32_t (&bytes)[kMr]) {
    __m256i w0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(w));
    __m256i w1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(w + 32));
#pragma GCC unroll 8
    for (int r = 0; r < kMr; ++r) {
      __m256i b = _mm256_set1_epi32(static_cast<int>(bytes[r]));
      acc[r][0] = _mm256_dpbusd_avx_epi32(acc[r][0], b, w0);
      acc[r][1] = _mm256_dpbusd_avx_epi32(acc[r][1], b, w1);
      if constexpr (RowSum) rowsum[r] = _mm256_dpbusd_avx_epi32(rowsum[r], b, ones);
    }
    w += 64;
  };

  for_each_a_group<kMr>(call, step);
  store_tile<kMr, RowSum>(call, acc, rowsum);
}

void run(const UkernelCall& call) { run_tile_for_zero_points(call, tile<false>, tile<true>); }

}  // namespace

const UkernelInfo& ukernel_avx_vnni() {
  static const UkernelInfo info = single_panel_ukernel(run, Layout::vnni4, kMr);
  return info;
}

}  // namespace prunq::gemm_s8_detail
