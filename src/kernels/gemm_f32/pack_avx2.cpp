// AVX2 panel packers, used by the AVX2 and the AVX-512 micro-kernels (every AVX-512 CPU has
// AVX2). Small-M GEMMs are packing-bound, so packing must run at vector speed:
//   transposing: 8 source rows x 8 k through an in-register 8x8 transpose (the scalar loop
//     spent 44% of a 64x288x7056 A * B^T weight-gradient GEMM packing B);
//   contiguous: inline vector copies (a libc memcpy call per 128-byte panel row took 26% of a
//     64x7056x288 GEMM).
#include <immintrin.h>

#include "kernels/gemm_f32/ukernel.h"

namespace prunq::gemm_detail {
namespace {

// r[i] holds row i (8 consecutive k); afterwards r[k] holds column k (8 consecutive rows).
inline void transpose8x8(__m256 r[8]) {
  __m256 t[8], u[8];
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 8; i += 4) {
    u[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
    u[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
    u[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
    u[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  for (int i = 0; i < 4; ++i) {
    r[i] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x20);
    r[i + 4] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x31);
  }
}

}  // namespace

void pack_strided_avx2(const float* src, int64_t ld, int64_t kc, int valid, int w, float* dst) {
  int j0 = 0;
  for (; j0 + 8 <= valid; j0 += 8) {
    const float* s = src + j0 * ld;
    int64_t k0 = 0;
    for (; k0 + 8 <= kc; k0 += 8) {
      __m256 r[8];
#pragma GCC unroll 8
      for (int i = 0; i < 8; ++i) r[i] = _mm256_loadu_ps(s + i * ld + k0);
      transpose8x8(r);
#pragma GCC unroll 8
      for (int k = 0; k < 8; ++k) _mm256_storeu_ps(dst + (k0 + k) * w + j0, r[k]);
    }
    for (; k0 < kc; ++k0)
      for (int i = 0; i < 8; ++i) dst[k0 * w + j0 + i] = s[i * ld + k0];
  }
  // Fewer than 8 rows left, then the zero padding up to the panel width.
  for (int64_t k = 0; k < kc; ++k) {
    float* d = dst + k * w;
    for (int j = j0; j < valid; ++j) d[j] = src[j * ld + k];
    for (int j = valid; j < w; ++j) d[j] = 0.f;
  }
}

void pack_contiguous_avx2(const float* src, int64_t ld, int64_t kc, int valid, int w, float* dst) {
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  for (int64_t k = 0; k < kc; ++k) {
    const float* s = src + k * ld;
    float* d = dst + k * w;
    int j = 0;
    for (; j + 8 <= valid; j += 8) _mm256_storeu_ps(d + j, _mm256_loadu_ps(s + j));
    // The ragged end: masked-off lanes are not read (no fault past the source) and come back
    // as the zero padding; the store mask keeps panels whose width is no multiple of 8 (A's
    // 14 or 6 rows) from spilling past the panel.
    for (; j < w; j += 8) {
      const __m256i load = _mm256_cmpgt_epi32(_mm256_set1_epi32(valid - j), lane);
      const __m256i store = _mm256_cmpgt_epi32(_mm256_set1_epi32(w - j), lane);
      _mm256_maskstore_ps(d + j, store, _mm256_maskload_ps(s + j, load));
    }
  }
}

}  // namespace prunq::gemm_detail
