// Internal: the AVX2+FMA vector operations the shared depthwise templates (plane_impl.h,
// block_impl.h) are written in. Include only from *avx2*.cpp files: those are compiled with
// AVX2 enabled, and only they instantiate the templates with this type.
#pragma once
#include <immintrin.h>

#include <algorithm>
#include <cstdint>

namespace prunq::dwconv_detail {

struct Avx2 {
  using Vec = __m256;
  using Mask = __m256i;
  static constexpr int V = 8;          // floats per vector
  static constexpr int kMaxGroup = 7;  // tap weights held in registers beside 8 accumulators (block_impl.h)

  // Plane kernels (plane_impl.h): output rows per band, vectors per step, and whether stride-1
  // taps come from lane shifts (blend + permute, two instructions) rather than one unaligned
  // load each, by kernel size and stride: the fastest measured on Zen 4 (1 to 8 rows x 1 to 2
  // vectors). Shifts pay off for 5x5 only, where they replace four loads per input vector.
  static constexpr int band_rows(int k, int s) { return 4; }
  static constexpr int step_cols(int k, int s) { return k == 5 && s == 1 ? 2 : 1; }
  static constexpr bool shift_taps(int k) { return k == 5; }

  static Vec zero() { return _mm256_setzero_ps(); }
  static Vec set1(float v) { return _mm256_set1_ps(v); }
  static Vec load(const float* p) { return _mm256_load_ps(p); }
  static Vec loadu(const float* p) { return _mm256_loadu_ps(p); }
  // Masked-out lanes read as zero and are not accessed at all (no fault past a row's end).
  static Vec load_masked(Mask m, const float* p) { return _mm256_maskload_ps(p, m); }
  // p[start..start + 4) masked to [0, n) in lanes 0..3, zeros above: the few columns a step
  // needs past its last vector, for the price of a 128-bit load.
  static Vec load_head(const float* p, int64_t start, int64_t n) {
    return _mm256_zextps128_ps256(_mm_maskload_ps(p + start, _mm256_castsi256_si128(lane_mask(start, n))));
  }
  // p[0..4) in lanes 0..3, zeros above (no bounds: the caller checked them).
  static Vec load_head(const float* p) { return _mm256_zextps128_ps256(_mm_loadu_ps(p)); }
  static void store(float* p, Vec v) { _mm256_store_ps(p, v); }
  static void storeu(float* p, Vec v) { _mm256_storeu_ps(p, v); }
  static void store_masked(Mask m, float* p, Vec v) { _mm256_maskstore_ps(p, m, v); }
  static Vec fmadd(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
  static Vec clamp(Vec v, Vec lo, Vec hi) { return _mm256_min_ps(_mm256_max_ps(v, lo), hi); }

  // Lanes l with 0 <= start + l < n: the elements of [start, start + V) inside a row of n floats.
  static Mask lane_mask(int64_t start, int64_t n) {
    // (Plain conditionals: std::clamp takes references, which GCC then keeps on the stack in
    // the unrolled kernels.)
    const int64_t lo = -start < 0 ? 0 : -start > V ? V : -start;
    const int64_t hi = n - start < 0 ? 0 : n - start > V ? V : n - start;
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_andnot_si256(_mm256_cmpgt_epi32(_mm256_set1_epi32(int(lo)), lane),
                               _mm256_cmpgt_epi32(_mm256_set1_epi32(int(hi)), lane));
  }

  // 2V consecutive floats a:b -> their even-indexed and odd-indexed elements. shuffle_ps works
  // per 128-bit half ([a0 a2 b0 b2 | a4 a6 b4 b6]); permute4x64 puts the 64-bit pairs in order.
  static void split(Vec a, Vec b, Vec& even, Vec& odd) {
    const Vec e = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)),
              o = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
    even = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(e), _MM_SHUFFLE(3, 1, 2, 0)));
    odd = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(o), _MM_SHUFFLE(3, 1, 2, 0)));
  }

  // Elements [n, n + V) of the concatenation lo:hi (the vector starting n floats after lo's):
  // hi's first n elements replace lo's, then one lane rotation.
  template <int N>
  static Vec shift(Vec lo, Vec hi) {
    const __m256i rot = _mm256_setr_epi32(N % 8, (N + 1) % 8, (N + 2) % 8, (N + 3) % 8, (N + 4) % 8, (N + 5) % 8,
                                          (N + 6) % 8, (N + 7) % 8);
    return _mm256_permutevar8x32_ps(_mm256_blend_ps(lo, hi, (1 << N) - 1), rot);
  }

  // In-place 8x8 transpose (r[i] lane j <-> r[j] lane i): pairs of rows, 4x4 blocks inside each
  // 128-bit half, then the halves.
  static void transpose(Vec (&r)[V]) {
    Vec t[V];
    for (int i = 0; i < 4; ++i) {
      t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
      t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    // r[4i + j], half L: rows 4i..4i+3 of column 4L + j.
    for (int i = 0; i < 2; ++i) {
      r[4 * i] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], _MM_SHUFFLE(1, 0, 1, 0));
      r[4 * i + 1] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], _MM_SHUFFLE(3, 2, 3, 2));
      r[4 * i + 2] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(1, 0, 1, 0));
      r[4 * i + 3] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    for (int j = 0; j < 4; ++j) {
      t[j] = _mm256_permute2f128_ps(r[j], r[4 + j], 0x20);
      t[4 + j] = _mm256_permute2f128_ps(r[j], r[4 + j], 0x31);
    }
    for (int i = 0; i < V; ++i) r[i] = t[i];
  }
};

}  // namespace prunq::dwconv_detail
