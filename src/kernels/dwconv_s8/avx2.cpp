// Depthwise int8 convolution, AVX2: 16 channels per block, vpmaddwd on int16 pairs (exact: two
// products |a * (w - zw)| <= 255 * 255 summed into int32).
//
// Pairs are two kernel ROWS at one kernel column: (row 2q, row 2q+1) -- the last row of an odd
// kernel pairs with a zero weight. For one output row, the input column xx of that row pair is
// one interleaved vector (the two rows' pixels widened to int16 and interleaved per channel), and
// every output whose window covers column xx uses that same vector with its own tap column's
// weights: at stride 1 a 3x3 kernel reuses each interleave 3 times, so building them costs ~2 of
// the ~25 vector instructions per output, against 8 per output when each output interleaves its
// own tap pairs. The interleaved columns of a row are built once per 16-channel block into a
// small buffer; outputs then run 4 at a time, each weight vector loaded once for the 4.
#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/dwconv_s8/dwconv_s8.h"
#include "kernels/requant/requant_avx2.h"

namespace prunq::dwconv_s8_detail {
namespace {

// n (1..16) channel bytes without reading past them.
inline __m128i load_channels(const uint8_t* p, int64_t n) {
  if (n >= 16) return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  alignas(16) uint8_t tmp[16] = {};
  std::memcpy(tmp, p, static_cast<size_t>(n));
  return _mm_load_si128(reinterpret_cast<const __m128i*>(tmp));
}

// Adds the correction, requantizes and stores one output's 16-channel block (n valid channels).
// acc_lo holds channels 0-3 | 8-11, acc_hi 4-7 | 12-15 (vpunpck{l,h}wd order).
template <QOut Type, bool NarrowShift, bool HighShift>
inline void store_block(__m256i acc_lo, __m256i acc_hi, const __m256i (&corr)[2], const avx2::Requant8 (&rq)[2],
                        const avx2::OutBounds8& bounds, void* out, int64_t index, int n) {
  const __m256i a = _mm256_add_epi32(_mm256_permute2x128_si256(acc_lo, acc_hi, 0x20), corr[0]);
  const __m256i b = _mm256_add_epi32(_mm256_permute2x128_si256(acc_lo, acc_hi, 0x31), corr[1]);
  if constexpr (Type == QOut::u8 || Type == QOut::s8) {
    const __m128i bytes = avx2::pack_bytes16<Type>(avx2::requantize8_as<NarrowShift, HighShift>(a, rq[0], bounds),
                                                   avx2::requantize8_as<NarrowShift, HighShift>(b, rq[1], bounds));
    avx2::store_bytes16(static_cast<uint8_t*>(out) + index, bytes, n);
  } else {
    avx2::store_output8(Type, true, rq[0], bounds, a, out, index, n < 8 ? n : 8);
    if (n > 8) avx2::store_output8(Type, true, rq[1], bounds, b, out, index + 8, n - 8);
  }
}

template <QOut Type, bool NarrowShift, bool HighShift>
void row_as(const PackedDwConvS8& p, const uint8_t* in, const uint8_t* zero_row, int64_t b, int64_t y, void* out,
            int64_t out_row) {
  const DwConvS8Shape& s = p.shape;
  const int64_t c = s.channels, kh = s.kernel_h, kw = s.kernel_w, ow = s.out_w();
  const int64_t sw = s.stride_w, dw = s.dilation_w, pl = s.pad_left;
  const int64_t row_pairs = (kh + 1) / 2;
  // Buffer columns bx = input column + pad_left, as far as the last output's window reaches.
  const int64_t cols = (ow - 1) * sw + (kw - 1) * dw + 1;
  // [column][row pair][lo, hi] vectors, 32-byte aligned inside a plain int16 allocation.
  thread_local std::vector<int16_t> storage;
  storage.resize(static_cast<size_t>(cols * row_pairs * 2 * 16 + 16));
  __m256i* const buf = reinterpret_cast<__m256i*>(
      storage.data() + (32 - reinterpret_cast<uintptr_t>(storage.data()) % 32) % 32 / sizeof(int16_t));

  // Where kernel row i reads input column ix: base[i] + ix * step[i]. Rows in the padding read
  // the zero-point row (step 0; the correction cancels them), and so does the partner of an odd
  // kernel's last row (its weight is 0: any bytes do). Columns in the padding read it too.
  const uint8_t* image = in + b * s.in_h * s.in_w * c;
  thread_local std::vector<const uint8_t*> base;
  thread_local std::vector<int64_t> step;
  base.resize(static_cast<size_t>(row_pairs * 2));
  step.resize(base.size());
  for (int64_t i = 0; i < row_pairs * 2; ++i) {
    const int64_t iy = y * s.stride_h - s.pad_top + i * s.dilation_h;
    const bool inside = i < kh && iy >= 0 && iy < s.in_h;
    base[i] = inside ? image + iy * s.in_w * c : zero_row;
    step[i] = inside ? c : 0;
  }
  const int64_t interior_begin = std::min(cols, pl), interior_end = std::min(cols, pl + s.in_w);

  const avx2::OutBounds8 bounds = avx2::load_bounds8(p.out);
  for (int64_t c0 = 0; c0 < c; c0 += 16) {
    const int64_t rem = std::min<int64_t>(16, c - c0);
    // One row pair at a time over the columns, its two read pointers walking in registers.
    for (int64_t q = 0; q < row_pairs; ++q) {
      const bool single = 2 * q + 1 >= kh;  // an odd kernel's last row: its partner is zero
      const __m256i pad0 = _mm256_cvtepu8_epi16(load_channels(zero_row + c0, rem));
      const __m256i pad1 = single ? _mm256_setzero_si256() : pad0;
      auto put = [&](int64_t bx, __m256i r0, __m256i r1) {
        __m256i* dst = buf + (bx * row_pairs + q) * 2;
        _mm256_store_si256(dst, _mm256_unpacklo_epi16(r0, r1));
        _mm256_store_si256(dst + 1, _mm256_unpackhi_epi16(r0, r1));
      };
      for (int64_t bx = 0; bx < interior_begin; ++bx) put(bx, pad0, pad1);
      const int64_t s0 = step[2 * q], s1 = step[2 * q + 1];
      const uint8_t* a0 = base[2 * q] + c0 + (interior_begin - pl) * s0;
      const uint8_t* a1 = base[2 * q + 1] + c0 + (interior_begin - pl) * s1;
      if (single)
        for (int64_t bx = interior_begin; bx < interior_end; ++bx, a0 += s0)
          put(bx, _mm256_cvtepu8_epi16(load_channels(a0, rem)), pad1);
      else
        for (int64_t bx = interior_begin; bx < interior_end; ++bx, a0 += s0, a1 += s1)
          put(bx, _mm256_cvtepu8_epi16(load_channels(a0, rem)), _mm256_cvtepu8_epi16(load_channels(a1, rem)));
      for (int64_t bx = interior_end; bx < cols; ++bx) put(bx, pad0, pad1);
    }

    const __m256i* wblock = reinterpret_cast<const __m256i*>(p.weights.data() + (c0 / 16) * p.tap_pairs * 32);
    const avx2::Requant8 rq[2] = {avx2::load_requant8(p.out, c0), avx2::load_requant8(p.out, c0 + 8)};
    const __m256i corr[2] = {_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.correction.data() + c0)),
                             _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.correction.data() + c0 + 8))};
    const int64_t col_step = row_pairs * 2;  // __m256i per buffer column
    int64_t x = 0;
    for (; x + 4 <= ow; x += 4) {
      __m256i l0 = _mm256_setzero_si256(), h0 = l0, l1 = l0, h1 = l0, l2 = l0, h2 = l0, l3 = l0, h3 = l0;
      const __m256i* wp = wblock;
      for (int64_t j = 0; j < kw; ++j) {
        const __m256i* col = buf + (x * sw + j * dw) * col_step;
        for (int64_t q = 0; q < row_pairs; ++q, wp += 2) {
          const __m256i wl = _mm256_loadu_si256(wp), wh = _mm256_loadu_si256(wp + 1);
          const __m256i* v = col + 2 * q;
          l0 = _mm256_add_epi32(l0, _mm256_madd_epi16(v[0], wl));
          h0 = _mm256_add_epi32(h0, _mm256_madd_epi16(v[1], wh));
          v += sw * col_step;
          l1 = _mm256_add_epi32(l1, _mm256_madd_epi16(v[0], wl));
          h1 = _mm256_add_epi32(h1, _mm256_madd_epi16(v[1], wh));
          v += sw * col_step;
          l2 = _mm256_add_epi32(l2, _mm256_madd_epi16(v[0], wl));
          h2 = _mm256_add_epi32(h2, _mm256_madd_epi16(v[1], wh));
          v += sw * col_step;
          l3 = _mm256_add_epi32(l3, _mm256_madd_epi16(v[0], wl));
          h3 = _mm256_add_epi32(h3, _mm256_madd_epi16(v[1], wh));
        }
      }
      const int64_t o = out_row + x * c + c0;
      const int n = static_cast<int>(rem);
      store_block<Type, NarrowShift, HighShift>(l0, h0, corr, rq, bounds, out, o, n);
      store_block<Type, NarrowShift, HighShift>(l1, h1, corr, rq, bounds, out, o + c, n);
      store_block<Type, NarrowShift, HighShift>(l2, h2, corr, rq, bounds, out, o + 2 * c, n);
      store_block<Type, NarrowShift, HighShift>(l3, h3, corr, rq, bounds, out, o + 3 * c, n);
    }
    for (; x < ow; ++x) {
      __m256i l = _mm256_setzero_si256(), h = l;
      const __m256i* wp = wblock;
      for (int64_t j = 0; j < kw; ++j) {
        const __m256i* col = buf + (x * sw + j * dw) * col_step;
        for (int64_t q = 0; q < row_pairs; ++q, wp += 2) {
          l = _mm256_add_epi32(l, _mm256_madd_epi16(col[2 * q], _mm256_loadu_si256(wp)));
          h = _mm256_add_epi32(h, _mm256_madd_epi16(col[2 * q + 1], _mm256_loadu_si256(wp + 1)));
        }
      }
      store_block<Type, NarrowShift, HighShift>(l, h, corr, rq, bounds, out, out_row + x * c + c0,
                                                static_cast<int>(rem));
    }
  }
}

}  // namespace

void row_avx2(const PackedDwConvS8& p, const uint8_t* in, const uint8_t* zero_row, int64_t b, int64_t y, void* out,
              int64_t out_row) {
  visit_output_stage(p.out, [&]<QOut Type, bool NarrowShift, bool HighShift>() {
    row_as<Type, NarrowShift, HighShift>(p, in, zero_row, b, y, out, out_row);
  });
}

}  // namespace prunq::dwconv_s8_detail
