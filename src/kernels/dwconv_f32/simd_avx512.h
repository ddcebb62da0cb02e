// Internal: the AVX-512 vector operations the shared depthwise templates (plane_impl.h,
// block_impl.h) are written in. Include only from *avx512*.cpp files: those are compiled with
// AVX-512 enabled, and only they instantiate the templates with this type.
#pragma once
#include <immintrin.h>

#include <algorithm>
#include <cstdint>

namespace prunq::dwconv_detail {

struct Avx512 {
  using Vec = __m512;
  using Mask = __mmask16;
  static constexpr int V = 16;          // floats per vector
  static constexpr int kMaxGroup = 13;  // tap weights held in registers beside 16 accumulators (block_impl.h)

  // Plane kernels (plane_impl.h): output rows per band, vectors per step, and whether stride-1
  // taps come from lane shifts (valignd) rather than one unaligned load each, by kernel size
  // and stride: the fastest measured on Zen 4 (MobileNetV2/EfficientNet planes, 1 to 8 rows x 1
  // to 2 vectors). A 512-bit load costs about two FMA slots there, a shift one. 3x3 stride 1:
  // 16 accumulators + 9 weights; 5x5 stride 1: 4 + 25.
  static constexpr int band_rows(int k, int s) { return k == 5 ? 4 : s == 1 ? 8 : 6; }
  static constexpr int step_cols(int k, int s) { return k == 5 && s == 1 ? 1 : 2; }
  static constexpr bool shift_taps(int k) { return true; }

  static Vec zero() { return _mm512_setzero_ps(); }
  static Vec set1(float v) { return _mm512_set1_ps(v); }
  static Vec load(const float* p) { return _mm512_load_ps(p); }
  static Vec loadu(const float* p) { return _mm512_loadu_ps(p); }
  // Masked-out lanes read as zero and are not accessed at all (no fault past a row's end).
  static Vec load_masked(Mask m, const float* p) { return _mm512_maskz_loadu_ps(m, p); }
  // p[start..start + 4) masked to [0, n) in lanes 0..3, zeros above: the few columns a step
  // needs past its last vector, for the price of a 128-bit load.
  static Vec load_head(const float* p, int64_t start, int64_t n) {
    return _mm512_zextps128_ps512(_mm_maskz_loadu_ps(static_cast<__mmask8>(lane_mask(start, n) & 0xF), p + start));
  }
  // p[0..4) in lanes 0..3, zeros above (no bounds: the caller checked them).
  static Vec load_head(const float* p) { return _mm512_zextps128_ps512(_mm_loadu_ps(p)); }
  static void store(float* p, Vec v) { _mm512_store_ps(p, v); }
  static void storeu(float* p, Vec v) { _mm512_storeu_ps(p, v); }
  static void store_masked(Mask m, float* p, Vec v) { _mm512_mask_storeu_ps(p, m, v); }
  static Vec fmadd(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
  static Vec clamp(Vec v, Vec lo, Vec hi) { return _mm512_min_ps(_mm512_max_ps(v, lo), hi); }

  // Lanes l with 0 <= start + l < n: the elements of [start, start + V) inside a row of n floats.
  // (Plain conditionals: std::min/max take references, which GCC then keeps on the stack in
  // the unrolled kernels.)
  static Mask lane_mask(int64_t start, int64_t n) {
    const int64_t lo = -start < 0 ? 0 : -start > V ? V : -start;
    const int64_t hi = n - start < 0 ? 0 : n - start > V ? V : n - start;
    return static_cast<Mask>(((1u << hi) - 1) & ~((1u << lo) - 1));
  }

  // 2V consecutive floats a:b -> their even-indexed and odd-indexed elements.
  static void split(Vec a, Vec b, Vec& even, Vec& odd) {
    const __m512i e = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i o = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    even = _mm512_permutex2var_ps(a, e, b);
    odd = _mm512_permutex2var_ps(a, o, b);
  }

  // Elements [n, n + V) of the concatenation lo:hi (the vector starting n floats after lo's).
  template <int N>
  static Vec shift(Vec lo, Vec hi) {
    return _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(hi), _mm512_castps_si512(lo), N));
  }

  // In-place 16x16 transpose (r[i] lane j <-> r[j] lane i), 64 shuffles: pairs of rows, then
  // 4x4 blocks inside each 128-bit lane, then the 4x4 grid of 128-bit lanes.
  static void transpose(Vec (&r)[V]) {
    Vec t[V];
    for (int i = 0; i < 8; ++i) {
      t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
      t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    // r[4i + j], 128-bit lane L: rows 4i..4i+3 of column 4L + j.
    for (int i = 0; i < 4; ++i) {
      r[4 * i] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], _MM_SHUFFLE(1, 0, 1, 0));
      r[4 * i + 1] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], _MM_SHUFFLE(3, 2, 3, 2));
      r[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(1, 0, 1, 0));
      r[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    // Column 4L + j gathers 128-bit lane L of r[j], r[4 + j], r[8 + j], r[12 + j].
    for (int j = 0; j < 4; ++j) {
      const Vec u0 = _mm512_shuffle_f32x4(r[j], r[4 + j], _MM_SHUFFLE(1, 0, 1, 0));
      const Vec u1 = _mm512_shuffle_f32x4(r[j], r[4 + j], _MM_SHUFFLE(3, 2, 3, 2));
      const Vec u2 = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], _MM_SHUFFLE(1, 0, 1, 0));
      const Vec u3 = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], _MM_SHUFFLE(3, 2, 3, 2));
      t[j] = _mm512_shuffle_f32x4(u0, u2, _MM_SHUFFLE(2, 0, 2, 0));
      t[4 + j] = _mm512_shuffle_f32x4(u0, u2, _MM_SHUFFLE(3, 1, 3, 1));
      t[8 + j] = _mm512_shuffle_f32x4(u1, u3, _MM_SHUFFLE(2, 0, 2, 0));
      t[12 + j] = _mm512_shuffle_f32x4(u1, u3, _MM_SHUFFLE(3, 1, 3, 1));
    }
    for (int i = 0; i < V; ++i) r[i] = t[i];
  }
};

}  // namespace prunq::dwconv_detail
