// int8 GEMM micro-kernel for AVX2 without VNNI. vpmaddubsw (u8 x s8 pairs summed into int16)
// saturates when 255*127 + 255*127 > 32767, so it would give wrong answers for ordinary data.
// Instead weights are packed widened to int16 and activation pairs are zero-extended to int16
// with one vpshufb: vpmaddwd then sums two exact products into int32 -- exact for all inputs
// and, counting instructions per MAC, as fast as the vpmaddubsw + vpmaddwd(ones) sequence.
#include <immintrin.h>

#include "kernels/gemm_s8/ukernel.h"
#include "kernels/gemm_s8/ymm_common.h"

namespace prunq::gemm_s8_detail {
namespace {

constexpr int kMr = 4;

template <bool RowSum>
void tile(const UkernelCall& call) {
  __m256i acc[kMr][2], rowsum[kMr];
  for (int r = 0; r < kMr; ++r) acc[r][0] = acc[r][1] = rowsum[r] = _mm256_setzero_si256();
  // Within each dword (a0 a1 a2 a3): pair01 = int16 {a0, a1}, pair23 = int16 {a2, a3}.
  const __m256i pick01 = _mm256_set1_epi32(static_cast<int>(0x80018000u));
  const __m256i pick23 = _mm256_set1_epi32(static_cast<int>(0x80038002u));
  const __m256i ones16 = _mm256_set1_epi16(1);
  const uint8_t* w = call.w;

  auto step = [&](const uint32_t (&bytes)[kMr]) {
    const __m256i* wg = reinterpret_cast<const __m256i*>(w);
    __m256i w00 = _mm256_load_si256(wg), w01 = _mm256_load_si256(wg + 1);
    __m256i w10 = _mm256_load_si256(wg + 2), w11 = _mm256_load_si256(wg + 3);
#pragma GCC unroll 4
    for (int r = 0; r < kMr; ++r) {
      __m256i b = _mm256_set1_epi32(static_cast<int>(bytes[r]));
      __m256i p01 = _mm256_shuffle_epi8(b, pick01), p23 = _mm256_shuffle_epi8(b, pick23);
      acc[r][0] = _mm256_add_epi32(acc[r][0], _mm256_add_epi32(_mm256_madd_epi16(p01, w00), _mm256_madd_epi16(p23, w10)));
      acc[r][1] = _mm256_add_epi32(acc[r][1], _mm256_add_epi32(_mm256_madd_epi16(p01, w01), _mm256_madd_epi16(p23, w11)));
      if constexpr (RowSum)
        rowsum[r] = _mm256_add_epi32(rowsum[r], _mm256_madd_epi16(_mm256_add_epi16(p01, p23), ones16));
    }
    w += 128;
  };

  for_each_a_group<kMr>(call, step);
  store_tile<kMr, RowSum>(call, acc, rowsum);
}

void run(const UkernelCall& call) { run_tile_for_zero_points(call, tile<false>, tile<true>); }

}  // namespace

const UkernelInfo& ukernel_avx2() {
  static const UkernelInfo info = single_panel_ukernel(run, Layout::i16x2, kMr);
  return info;
}

}  // namespace prunq::gemm_s8_detail
