// Depthwise int8 convolution, AVX2: 16 channels per block, the AVX-512 kernel's scheme with
// vpmaddwd + vpaddd in place of vpdpwssd (exact: two int16 products summed into int32).
#include <immintrin.h>

#include <cstring>
#include <vector>

#include "kernels/dwconv_s8/dwconv_s8.h"
#include "kernels/requant/requant_avx2.h"

namespace prunq::dwconv_s8_detail {
namespace {

// Loads n (1..16) channel bytes without reading past them, widened to int16.
inline __m256i load16_u8(const uint8_t* p, int64_t n) {
  if (n >= 16) return _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  alignas(16) uint8_t tmp[16] = {};
  std::memcpy(tmp, p, static_cast<size_t>(n));
  return _mm256_cvtepu8_epi16(_mm_load_si128(reinterpret_cast<const __m128i*>(tmp)));
}

}  // namespace

void row_avx2(const PackedDwConvS8& p, const uint8_t* in, const uint8_t* zero_row, int64_t b, int64_t y, void* out,
              int64_t out_row) {
  const DwConvS8Shape& s = p.shape;
  const int64_t c = s.channels, kh = s.kernel_h, kw = s.kernel_w, taps = kh * kw, ow = s.out_w();
  const int64_t pairs = p.tap_pairs;
  const uint8_t* const* ptrs = row_tap_pointers(p, in, zero_row, b, y);

  const OutputStage& os = p.out;
  const avx2::OutBounds8 bounds = avx2::load_bounds8(os);
  const QOut type = os.type;
  const bool narrow = os.narrow_shift;
  for (int64_t c0 = 0; c0 < c; c0 += 16) {
    const int64_t rem = c - c0;
    const int16_t* wblock = p.weights.data() + (c0 / 16) * pairs * 32;
    const avx2::Requant8 rq_a = avx2::load_requant8(os, c0), rq_b = avx2::load_requant8(os, c0 + 8);
    const __m256i corr_a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.correction.data() + c0));
    const __m256i corr_b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.correction.data() + c0 + 8));
    for (int64_t x = 0; x < ow; ++x) {
      const uint8_t* const* tp = ptrs + x * taps;
      __m256i acc_lo = _mm256_setzero_si256(), acc_hi = _mm256_setzero_si256();
      const int16_t* wp = wblock;
      for (int64_t q = 0; q < pairs; ++q, wp += 32) {
        __m256i a0 = load16_u8(tp[2 * q] + c0, rem);
        __m256i a1 = 2 * q + 1 < taps ? load16_u8(tp[2 * q + 1] + c0, rem) : _mm256_setzero_si256();
        __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp));
        __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp + 16));
        acc_lo = _mm256_add_epi32(acc_lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(a0, a1), w0));
        acc_hi = _mm256_add_epi32(acc_hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(a0, a1), w1));
      }
      // lo holds channels 0-3 | 8-11, hi 4-7 | 12-15: swap 128-bit halves back into order.
      __m256i va = _mm256_add_epi32(_mm256_permute2x128_si256(acc_lo, acc_hi, 0x20), corr_a);
      __m256i vb = _mm256_add_epi32(_mm256_permute2x128_si256(acc_lo, acc_hi, 0x31), corr_b);
      const int64_t o = out_row + x * c + c0;
      avx2::store_output8(type, narrow, rq_a, bounds, va, out, o, rem < 8 ? static_cast<int>(rem) : 8);
      if (rem > 8) avx2::store_output8(type, narrow, rq_b, bounds, vb, out, o + 8, rem < 16 ? static_cast<int>(rem - 8) : 8);
    }
  }
}

}  // namespace prunq::dwconv_s8_detail
