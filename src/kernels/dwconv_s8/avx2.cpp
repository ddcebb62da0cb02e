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

// The accumulators hold channels 0-3 | 8-11 ("lo") and 4-7 | 12-15 ("hi"), the vpunpck{l,h}wd
// order. The output stage's per-channel vectors are rearranged into that order once per channel
// block, so the outputs need no permute before requantizing: x[0] from channels 0-7 and x[1] from
// 8-15 become the lo and hi orders.
inline void to_accumulator_order(__m256i (&x)[2]) {
  const __m256i lo = _mm256_permute2x128_si256(x[0], x[1], 0x20), hi = _mm256_permute2x128_si256(x[0], x[1], 0x31);
  x[0] = lo;
  x[1] = hi;
}

struct BlockStage {
  avx2::Requant8 rq[2];     // lo, hi order (u8 / s8)
  avx2::Requant8 plain[2];  // channels 0-7, 8-15 (s32 / f32, stored in channel order)
  __m256i corr[2];          // lo, hi order
};

inline BlockStage block_stage(const PackedDwConvS8& p, int64_t c0) {
  BlockStage s;
  avx2::Requant8 a = avx2::load_requant8(p.out, c0), b = avx2::load_requant8(p.out, c0 + 8);
  s.plain[0] = a;
  s.plain[1] = b;
  auto mix = [](__m256i& x, __m256i& y) {
    __m256i v[2] = {x, y};
    to_accumulator_order(v);
    x = v[0];
    y = v[1];
  };
  for (auto field : {&avx2::Requant8::mult, &avx2::Requant8::shift_even, &avx2::Requant8::shift_odd,
                     &avx2::Requant8::round_even, &avx2::Requant8::round_odd, &avx2::Requant8::mult_odd,
                     &avx2::Requant8::hi_shift, &avx2::Requant8::hi_round})
    mix(a.*field, b.*field);
  s.rq[0] = a;
  s.rq[1] = b;
  s.corr[0] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.correction.data() + c0));
  s.corr[1] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.correction.data() + c0 + 8));
  to_accumulator_order(s.corr);
  return s;
}

// Adds the correction, requantizes and stores one output's 16-channel block (n valid channels).
template <QOut Type, bool NarrowShift, bool HighShift, bool PackClamps>
inline void store_block(__m256i acc_lo, __m256i acc_hi, const BlockStage& st, const avx2::OutBounds8& bounds,
                        void* out, int64_t index, int n) {
  const __m256i lo = _mm256_add_epi32(acc_lo, st.corr[0]), hi = _mm256_add_epi32(acc_hi, st.corr[1]);
  if constexpr (Type == QOut::u8 || Type == QOut::s8) {
    // packs of (lo, hi) put channels 0-7 | 8-15 in order as int16; the byte pack doubles each
    // 128-bit lane, so qwords 0 and 2 are channels 0-15.
    const __m256i w = _mm256_packs_epi32(avx2::requantize8_as<NarrowShift, HighShift, PackClamps>(lo, st.rq[0], bounds),
                                         avx2::requantize8_as<NarrowShift, HighShift, PackClamps>(hi, st.rq[1], bounds));
    const __m256i bytes = Type == QOut::u8 ? _mm256_packus_epi16(w, w) : _mm256_packs_epi16(w, w);
    avx2::store_bytes16(static_cast<uint8_t*>(out) + index,
                        _mm256_castsi256_si128(_mm256_permute4x64_epi64(bytes, 0x08)), n);
  } else {
    // Channel order back for the 32-bit outputs.
    const __m256i a = _mm256_permute2x128_si256(lo, hi, 0x20), b = _mm256_permute2x128_si256(lo, hi, 0x31);
    avx2::store_output8(Type, true, st.plain[0], bounds, a, out, index, n < 8 ? n : 8);
    if (n > 8) avx2::store_output8(Type, true, st.plain[1], bounds, b, out, index + 8, n - 8);
  }
}

template <QOut Type, bool NarrowShift, bool HighShift, bool PackClamps>
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
  // Weight pair t = j * row_pairs + q reads buffer vector pair_offset[t] from the output's first column.
  thread_local std::vector<int64_t> pair_offset;
  pair_offset.resize(static_cast<size_t>(kw * row_pairs));
  for (int64_t j = 0; j < kw; ++j)
    for (int64_t q = 0; q < row_pairs; ++q) pair_offset[j * row_pairs + q] = j * dw * row_pairs * 2 + 2 * q;

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
    const BlockStage st = block_stage(p, c0);
    const int64_t col_step = row_pairs * 2;  // __m256i per buffer column
    int64_t x = 0;
    const int64_t pairs = kw * row_pairs, out_step = sw * col_step;
    for (; x + 4 <= ow; x += 4) {
      __m256i l0 = _mm256_setzero_si256(), h0 = l0, l1 = l0, h1 = l0, l2 = l0, h2 = l0, l3 = l0, h3 = l0;
      const __m256i* const first = buf + x * sw * col_step;
      for (int64_t t = 0; t < pairs; ++t) {
        const __m256i wl = _mm256_loadu_si256(wblock + 2 * t), wh = _mm256_loadu_si256(wblock + 2 * t + 1);
        const __m256i* v = first + pair_offset[t];
        l0 = _mm256_add_epi32(l0, _mm256_madd_epi16(v[0], wl));
        h0 = _mm256_add_epi32(h0, _mm256_madd_epi16(v[1], wh));
        l1 = _mm256_add_epi32(l1, _mm256_madd_epi16(v[out_step], wl));
        h1 = _mm256_add_epi32(h1, _mm256_madd_epi16(v[out_step + 1], wh));
        l2 = _mm256_add_epi32(l2, _mm256_madd_epi16(v[2 * out_step], wl));
        h2 = _mm256_add_epi32(h2, _mm256_madd_epi16(v[2 * out_step + 1], wh));
        l3 = _mm256_add_epi32(l3, _mm256_madd_epi16(v[3 * out_step], wl));
        h3 = _mm256_add_epi32(h3, _mm256_madd_epi16(v[3 * out_step + 1], wh));
      }
      const int64_t o = out_row + x * c + c0;
      const int n = static_cast<int>(rem);
      store_block<Type, NarrowShift, HighShift, PackClamps>(l0, h0, st, bounds, out, o, n);
      store_block<Type, NarrowShift, HighShift, PackClamps>(l1, h1, st, bounds, out, o + c, n);
      store_block<Type, NarrowShift, HighShift, PackClamps>(l2, h2, st, bounds, out, o + 2 * c, n);
      store_block<Type, NarrowShift, HighShift, PackClamps>(l3, h3, st, bounds, out, o + 3 * c, n);
    }
    for (; x < ow; ++x) {
      __m256i l = _mm256_setzero_si256(), h = l;
      const __m256i* const first = buf + x * sw * col_step;
      for (int64_t t = 0; t < pairs; ++t) {
        const __m256i* v = first + pair_offset[t];
        l = _mm256_add_epi32(l, _mm256_madd_epi16(v[0], _mm256_loadu_si256(wblock + 2 * t)));
        h = _mm256_add_epi32(h, _mm256_madd_epi16(v[1], _mm256_loadu_si256(wblock + 2 * t + 1)));
      }
      store_block<Type, NarrowShift, HighShift, PackClamps>(l, h, st, bounds, out, out_row + x * c + c0,
                                                static_cast<int>(rem));
    }
  }
}

}  // namespace

void row_avx2(const PackedDwConvS8& p, const uint8_t* in, const uint8_t* zero_row, int64_t b, int64_t y, void* out,
              int64_t out_row) {
  const bool full_range = avx2::load_bounds8(p.out).full_range;
  visit_output_stage(p.out, [&]<QOut Type, bool NarrowShift, bool HighShift>() {
    if constexpr (HighShift)
      if (full_range) return row_as<Type, NarrowShift, HighShift, true>(p, in, zero_row, b, y, out, out_row);
    row_as<Type, NarrowShift, HighShift, false>(p, in, zero_row, b, y, out, out_row);
  });
}

}  // namespace prunq::dwconv_s8_detail
