// Depthwise int8 convolution, AVX-512 VNNI: 32 channels per block; per tap pair the two taps'
// uint8 activations are widened to int16 and interleaved (vpunpck{l,h}wd), and vpdpwssd adds
// (a_t * w_t + a_t1 * w_t1) into 16 int32 lanes. Weight pairs were packed in that interleaved
// order, and one vpermt2q pair restores channel order before the output stage.
#include <immintrin.h>

#include <vector>

#include "kernels/dwconv_s8/dwconv_s8.h"
#include "kernels/requant/requant_avx512.h"

// GCC 12 flags the _mm512_undefined operand inside its own intrinsics (a known false positive).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace prunq::dwconv_s8_detail {

void row_avx512_vnni(const PackedDwConvS8& p, const uint8_t* in, const uint8_t* zero_row, int64_t b, int64_t y,
                     void* out, int64_t out_row) {
  const DwConvS8Shape& s = p.shape;
  const int64_t c = s.channels, kh = s.kernel_h, kw = s.kernel_w, taps = kh * kw, ow = s.out_w();
  const int64_t pairs = p.tap_pairs;
  const uint8_t* const* ptrs = row_tap_pointers(p, in, zero_row, b, y);

  const OutputStage& os = p.out;
  const avx512::OutBounds16 bounds = avx512::load_bounds16(os);
  const QOut type = os.type;
  const bool narrow = os.narrow_shift;
  // vpunpck{l,h}wd leave channels 8L..8L+3 of lane L in "lo" and 8L+4..8L+7 in "hi":
  // qword indices that put them back in order (first 16 channels, then the next 16).
  const __m512i first16 = _mm512_setr_epi64(0, 1, 8, 9, 2, 3, 10, 11);
  const __m512i next16 = _mm512_setr_epi64(4, 5, 12, 13, 6, 7, 14, 15);
  for (int64_t c0 = 0; c0 < c; c0 += 32) {
    const int64_t rem = c - c0;
    const __mmask32 mask = rem >= 32 ? __mmask32(0xffffffffu) : __mmask32((1u << rem) - 1);
    const __mmask16 mask_a = static_cast<__mmask16>(mask), mask_b = static_cast<__mmask16>(mask >> 16);
    const int16_t* wblock = p.weights.data() + (c0 / 32) * pairs * 64;
    const avx512::Requant16 rq_a = avx512::load_requant16(os, c0), rq_b = avx512::load_requant16(os, c0 + 16);
    const __m512i corr_a = _mm512_loadu_si512(p.correction.data() + c0);
    const __m512i corr_b = _mm512_loadu_si512(p.correction.data() + c0 + 16);
    for (int64_t x = 0; x < ow; ++x) {
      const uint8_t* const* tp = ptrs + x * taps;
      __m512i acc_lo = _mm512_setzero_si512(), acc_hi = _mm512_setzero_si512();
      const int16_t* wp = wblock;
      for (int64_t q = 0; q < pairs; ++q, wp += 64) {
        __m512i a0 = _mm512_cvtepu8_epi16(_mm256_maskz_loadu_epi8(mask, tp[2 * q] + c0));
        __m512i a1 = 2 * q + 1 < taps ? _mm512_cvtepu8_epi16(_mm256_maskz_loadu_epi8(mask, tp[2 * q + 1] + c0))
                                      : _mm512_setzero_si512();
        acc_lo = _mm512_dpwssd_epi32(acc_lo, _mm512_unpacklo_epi16(a0, a1), _mm512_loadu_si512(wp));
        acc_hi = _mm512_dpwssd_epi32(acc_hi, _mm512_unpackhi_epi16(a0, a1), _mm512_loadu_si512(wp + 32));
      }
      __m512i va = _mm512_add_epi32(_mm512_permutex2var_epi64(acc_lo, first16, acc_hi), corr_a);
      __m512i vb = _mm512_add_epi32(_mm512_permutex2var_epi64(acc_lo, next16, acc_hi), corr_b);
      const int64_t o = out_row + x * c + c0;
      avx512::store_output16(type, narrow, rq_a, bounds, va, out, o, mask_a);
      if (mask_b) avx512::store_output16(type, narrow, rq_b, bounds, vb, out, o + 16, mask_b);
    }
  }
}

}  // namespace prunq::dwconv_s8_detail
