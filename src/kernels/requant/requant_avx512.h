// AVX-512 form of the output stage (requant.h), bit-exact with store_output_scalar().
// Include only from translation units compiled with AVX-512 flags (*avx512*.cpp).
#pragma once
#include <immintrin.h>

#include "kernels/requant/requant.h"

namespace prunq::avx512 {

// The per-16-channel constants of an output stage, loaded once per micro-kernel call.
struct Requant16 {
  __m512i mult, mult_odd, shift_even, shift_odd, round_even, round_odd;
  __m512i hi_shift, hi_round;  // per 32-bit lane: shift - 32, 2^(shift - 33) (OutputStage::high_shift)
  __m512 scale;
};

inline Requant16 load_requant16(const OutputStage& os, int64_t n0) {
  Requant16 r;
  if (os.type == QOut::u8 || os.type == QOut::s8) {
    r.mult = _mm512_loadu_si512(os.multiplier.data() + n0);
    r.mult_odd = _mm512_srli_epi64(r.mult, 32);
    __m512i sh = _mm512_loadu_si512(os.shift.data() + n0);
    // 64-bit lanes: even channels sit in the low halves, odd channels in the high halves.
    r.shift_even = _mm512_and_si512(sh, _mm512_set1_epi64(0xffffffff));
    r.shift_odd = _mm512_srli_epi64(sh, 32);
    __m512i one = _mm512_set1_epi64(1);
    r.round_even = _mm512_sllv_epi64(one, _mm512_sub_epi64(r.shift_even, one));
    r.round_odd = _mm512_sllv_epi64(one, _mm512_sub_epi64(r.shift_odd, one));
    r.hi_shift = _mm512_sub_epi32(sh, _mm512_set1_epi32(32));
    r.hi_round = _mm512_sllv_epi32(_mm512_set1_epi32(1), _mm512_sub_epi32(sh, _mm512_set1_epi32(33)));
  } else if (os.type == QOut::f32) {
    r.scale = _mm512_loadu_ps(os.dequant_scale.data() + n0);
  }
  return r;
}

// (acc * mult + 2^(shift-1)) >> shift when every shift is in [33, 62], in 32-bit lanes. With
// P = acc * mult (|P| < 2^62) the rounding term is a multiple of 2^32, so exactly (floor shifts
// compose)   (P + 2^(shift-1)) >> shift == ((P >> 32) + 2^(shift-33)) >> (shift - 32)
// and P >> 32 (|.| < 2^30) plus the term (<= 2^29) fits in int32. One two-source permute gathers
// the high halves of the even and odd products: 7 instructions instead of 9 before the clamp.
inline __m512i scale_high_shift16(__m512i acc, const Requant16& r) {
  const __m512i even = _mm512_mul_epi32(acc, r.mult);
  const __m512i odd = _mm512_mul_epi32(_mm512_srli_epi64(acc, 32), r.mult_odd);
  const __m512i high_halves = _mm512_set_epi32(31, 15, 29, 13, 27, 11, 25, 9, 23, 7, 21, 5, 19, 3, 17, 1);
  const __m512i hi = _mm512_permutex2var_epi32(even, high_halves, odd);
  return _mm512_srav_epi32(_mm512_add_epi32(hi, r.hi_round), r.hi_shift);
}

// clamp(zero_point + ((acc * mult + round) >> shift), qmin, qmax) on 16 int32 lanes.
// HighShift (OutputStage::high_shift) implies NarrowShift.
template <bool NarrowShift, bool HighShift = false>
inline __m512i requantize16(__m512i acc, const Requant16& r, __m512i zp, __m512i lo, __m512i hi) {
  if constexpr (HighShift)
    return _mm512_add_epi32(_mm512_min_epi32(_mm512_max_epi32(scale_high_shift16(acc, r), lo), hi), zp);
  __m512i even = _mm512_mul_epi32(acc, r.mult);
  __m512i odd = _mm512_mul_epi32(_mm512_srli_epi64(acc, 32), r.mult_odd);
  even = _mm512_srav_epi64(_mm512_add_epi64(even, r.round_even), r.shift_even);
  odd = _mm512_srav_epi64(_mm512_add_epi64(odd, r.round_odd), r.shift_odd);
  if constexpr (!NarrowShift) {  // |v| may exceed int32: clamp while still 64-bit
    even = _mm512_min_epi64(_mm512_max_epi64(even, lo), hi);
    odd = _mm512_min_epi64(_mm512_max_epi64(odd, lo), hi);
  }
  __m512i v = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
  if constexpr (NarrowShift) v = _mm512_min_epi32(_mm512_max_epi32(v, lo), hi);
  return _mm512_add_epi32(v, zp);
}

// Clamp bounds relative to the zero point (so adding it afterwards cannot overflow).
struct OutBounds16 {
  __m512i zp, lo, hi;   // lo/hi as 64-bit lanes when !narrow_shift, else 32-bit lanes
  __m512 fmin, fmax;
};

inline OutBounds16 load_bounds16(const OutputStage& os) {
  OutBounds16 b;
  b.zp = _mm512_set1_epi32(os.zero_point);
  if (os.narrow_shift) {
    b.lo = _mm512_set1_epi32(os.qmin - os.zero_point);
    b.hi = _mm512_set1_epi32(os.qmax - os.zero_point);
  } else {
    b.lo = _mm512_set1_epi64(os.qmin - os.zero_point);
    b.hi = _mm512_set1_epi64(os.qmax - os.zero_point);
  }
  b.fmin = _mm512_set1_ps(os.fmin);
  b.fmax = _mm512_set1_ps(os.fmax);
  return b;
}

// Writes up to 16 outputs (mask) of element index `index` in the output array, for an output
// type and shift range fixed at compile time: a micro-kernel's epilogue instantiated per type
// is a straight run of instructions per row, with no type switch between the rows' stores.
template <QOut Type, bool NarrowShift, bool HighShift = false>
inline void store_output16_as(const Requant16& r, const OutBounds16& b, __m512i acc, void* out, int64_t index,
                              __mmask16 mask) {
  if constexpr (Type == QOut::u8 || Type == QOut::s8) {
    const __m512i v = requantize16<NarrowShift, HighShift>(acc, r, b.zp, b.lo, b.hi);
    // Narrow in registers, then store: vpmovdb straight to memory is slow on Zen 4.
    const __m128i bytes = _mm512_cvtepi32_epi8(v);
    if (mask == 0xffff)
      _mm_storeu_si128(reinterpret_cast<__m128i*>(static_cast<uint8_t*>(out) + index), bytes);
    else
      _mm_mask_storeu_epi8(static_cast<uint8_t*>(out) + index, mask, bytes);
  } else if constexpr (Type == QOut::s32) {
    _mm512_mask_storeu_epi32(static_cast<int32_t*>(out) + index, mask, acc);
  } else {
    __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), r.scale);
    f = _mm512_min_ps(_mm512_max_ps(f, b.fmin), b.fmax);
    _mm512_mask_storeu_ps(static_cast<float*>(out) + index, mask, f);
  }
}

// The same with type and shift range as values: callers read them once, not after every
// (aliasing) store.
inline void store_output16(QOut type, bool narrow_shift, const Requant16& r, const OutBounds16& b, __m512i acc,
                           void* out, int64_t index, __mmask16 mask) {
  switch (type) {
    case QOut::u8:
      if (narrow_shift)
        store_output16_as<QOut::u8, true>(r, b, acc, out, index, mask);
      else
        store_output16_as<QOut::u8, false>(r, b, acc, out, index, mask);
      break;
    case QOut::s8:
      if (narrow_shift)
        store_output16_as<QOut::s8, true>(r, b, acc, out, index, mask);
      else
        store_output16_as<QOut::s8, false>(r, b, acc, out, index, mask);
      break;
    case QOut::s32: store_output16_as<QOut::s32, true>(r, b, acc, out, index, mask); break;
    case QOut::f32: store_output16_as<QOut::f32, true>(r, b, acc, out, index, mask); break;
  }
}

}  // namespace prunq::avx512
