// AVX2 form of the output stage (requant.h), bit-exact with store_output_scalar().
// AVX2 lacks 64-bit arithmetic shifts and 64-bit min/max; they are built from logical shifts,
// compares and blends. Include only from *avx2*.cpp / *avxvnni*.cpp translation units.
#pragma once
#include <immintrin.h>

#include <cstring>

#include "kernels/requant/requant.h"

namespace prunq::avx2 {

struct Requant8 {
  __m256i mult, shift_even, shift_odd, round_even, round_odd;
  __m256i mult_odd, hi_shift, hi_round;  // per 32-bit lane: mult >> 32; shift - 32, 2^(shift - 33) (high_shift)
  __m256 scale;
};

inline Requant8 load_requant8(const OutputStage& os, int64_t n0) {
  Requant8 r{};
  if (os.type == QOut::u8 || os.type == QOut::s8) {
    r.mult = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(os.multiplier.data() + n0));
    __m256i sh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(os.shift.data() + n0));
    r.shift_even = _mm256_and_si256(sh, _mm256_set1_epi64x(0xffffffff));
    r.shift_odd = _mm256_srli_epi64(sh, 32);
    __m256i one = _mm256_set1_epi64x(1);
    r.round_even = _mm256_sllv_epi64(one, _mm256_sub_epi64(r.shift_even, one));
    r.round_odd = _mm256_sllv_epi64(one, _mm256_sub_epi64(r.shift_odd, one));
    r.mult_odd = _mm256_srli_epi64(r.mult, 32);
    r.hi_shift = _mm256_sub_epi32(sh, _mm256_set1_epi32(32));
    // Shifts below 33 give a negative count, which vpsllvd reads as >= 32: 0, unused then.
    r.hi_round = _mm256_sllv_epi32(_mm256_set1_epi32(1), _mm256_sub_epi32(sh, _mm256_set1_epi32(33)));
  } else if (os.type == QOut::f32) {
    r.scale = _mm256_loadu_ps(os.dequant_scale.data() + n0);
  }
  return r;
}

// Arithmetic right shift of 64-bit lanes: flip negatives to non-negative, shift, flip back.
inline __m256i srav_epi64(__m256i x, __m256i count) {
  __m256i sign = _mm256_cmpgt_epi64(_mm256_setzero_si256(), x);
  return _mm256_xor_si256(_mm256_srlv_epi64(_mm256_xor_si256(x, sign), count), sign);
}

inline __m256i clamp_epi64(__m256i x, __m256i lo, __m256i hi) {
  x = _mm256_blendv_epi8(x, lo, _mm256_cmpgt_epi64(lo, x));
  return _mm256_blendv_epi8(x, hi, _mm256_cmpgt_epi64(x, hi));
}

struct OutBounds8 {
  __m256i zp, lo32, hi32, lo64, hi64;
  __m256 fmin, fmax;
  bool full_range = false;  // u8 / s8 clamp is the type's whole range (no fused activation)
};

inline OutBounds8 load_bounds8(const OutputStage& os) {
  OutBounds8 b;
  b.zp = _mm256_set1_epi32(os.zero_point);
  b.lo32 = _mm256_set1_epi32(os.qmin - os.zero_point);
  b.hi32 = _mm256_set1_epi32(os.qmax - os.zero_point);
  b.lo64 = _mm256_set1_epi64x(os.qmin - os.zero_point);
  b.hi64 = _mm256_set1_epi64x(os.qmax - os.zero_point);
  b.fmin = _mm256_set1_ps(os.fmin);
  b.fmax = _mm256_set1_ps(os.fmax);
  b.full_range = (os.type == QOut::u8 && os.qmin == 0 && os.qmax == 255) ||
                 (os.type == QOut::s8 && os.qmin == -128 && os.qmax == 127);
  return b;
}

inline __m256i requantize8(bool narrow_shift, __m256i acc, const Requant8& r, const OutBounds8& b) {
  __m256i even = _mm256_mul_epi32(acc, r.mult);
  __m256i odd = _mm256_mul_epi32(_mm256_srli_epi64(acc, 32), _mm256_srli_epi64(r.mult, 32));
  even = srav_epi64(_mm256_add_epi64(even, r.round_even), r.shift_even);
  odd = srav_epi64(_mm256_add_epi64(odd, r.round_odd), r.shift_odd);
  if (!narrow_shift) {
    even = clamp_epi64(even, b.lo64, b.hi64);
    odd = clamp_epi64(odd, b.lo64, b.hi64);
  }
  __m256i v = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
  if (narrow_shift) v = _mm256_min_epi32(_mm256_max_epi32(v, b.lo32), b.hi32);
  return _mm256_add_epi32(v, b.zp);
}

// requantize8 with the shift range known at compile time. HighShift (every shift >= 33, so
// 2^(shift-1) is a multiple of 2^32): (p + 2^(shift-1)) >> shift == ((p >> 32) + 2^(shift-33)) >>
// (shift-32) for the 64-bit product p, so only the products' high halves are needed and the shift
// is a 32-bit one -- about half the instructions of the 64-bit path. HighShift implies NarrowShift.
// PackClamps (HighShift with OutBounds8::full_range only): the clamp is left to pack_bytes16's
// saturating packs, which clamp to the type's range exactly; |v| < 2^29 there, so v + zp cannot
// wrap.
template <bool NarrowShift, bool HighShift, bool PackClamps = false>
inline __m256i requantize8_as(__m256i acc, const Requant8& r, const OutBounds8& b) {
  static_assert(!PackClamps || HighShift, "the saturating packs clamp only on the high-shift path");
  if constexpr (HighShift) {
    const __m256i even = _mm256_mul_epi32(acc, r.mult);
    const __m256i odd = _mm256_mul_epi32(_mm256_srli_epi64(acc, 32), r.mult_odd);
    const __m256i hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
    const __m256i v = _mm256_srav_epi32(_mm256_add_epi32(hi, r.hi_round), r.hi_shift);
    if constexpr (PackClamps) return _mm256_add_epi32(v, b.zp);
    return _mm256_add_epi32(_mm256_min_epi32(_mm256_max_epi32(v, b.lo32), b.hi32), b.zp);
  } else {
    return requantize8(NarrowShift, acc, r, b);
  }
}

// 16 requantized outputs (two vectors of 8, already clamped to the type's range, so the
// saturating packs change nothing) as 16 bytes in order.
template <QOut Type>
inline __m128i pack_bytes16(__m256i lo, __m256i hi) {
  const __m256i w = _mm256_packs_epi32(lo, hi);  // per 128-bit lane: lo 4, hi 4 (int16)
  const __m256i b = Type == QOut::u8 ? _mm256_packus_epi16(w, w) : _mm256_packs_epi16(w, w);
  // dwords 0, 4, 1, 5 hold lo 0-3, lo 4-7, hi 0-3, hi 4-7.
  return _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(b, _mm256_setr_epi32(0, 4, 1, 5, 0, 4, 1, 5)));
}

// Stores the first n (1..16) bytes of v at p without touching the bytes after them.
inline void store_bytes16(uint8_t* p, __m128i v, int n) {
  if (n == 16) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v);
    return;
  }
  alignas(16) uint8_t tmp[16];
  _mm_store_si128(reinterpret_cast<__m128i*>(tmp), v);
  std::memcpy(p, tmp, static_cast<size_t>(n));
}

// Writes the first n (1..8) outputs of 8 lanes at element `index` of the output array. The
// stage's type and shift range come in as values, read once by the caller.
inline void store_output8(QOut type, bool narrow_shift, const Requant8& r, const OutBounds8& b, __m256i acc,
                          void* out, int64_t index, int n) {
  alignas(32) int32_t lanes[8];
  switch (type) {
    case QOut::u8:
    case QOut::s8: {
      _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), requantize8(narrow_shift, acc, r, b));
      uint8_t* o = static_cast<uint8_t*>(out) + index;
      for (int j = 0; j < n; ++j) o[j] = static_cast<uint8_t>(lanes[j]);
      return;
    }
    case QOut::s32:
      if (n == 8) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(static_cast<int32_t*>(out) + index), acc);
        return;
      }
      _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), acc);
      break;
    case QOut::f32: {
      __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), r.scale);
      f = _mm256_min_ps(_mm256_max_ps(f, b.fmin), b.fmax);
      if (n == 8) {
        _mm256_storeu_ps(static_cast<float*>(out) + index, f);
        return;
      }
      _mm256_store_ps(reinterpret_cast<float*>(lanes), f);
      break;
    }
  }
  std::memcpy(static_cast<int32_t*>(out) + index, lanes, static_cast<size_t>(n) * 4);
}

}  // namespace prunq::avx2
