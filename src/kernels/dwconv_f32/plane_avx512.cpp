// AVX-512 depthwise row kernels: 16 outputs per vector. Stride 1 reads each tap as one
// unaligned load; stride 2 loads 32 consecutive inputs and keeps the even lanes with one
// permutex2var. The last partial vector is computed whole (scratch slack) and stored masked.
#include <immintrin.h>

#include "kernels/dwconv_f32/row_kernels.h"

// GCC 12 flags the deliberately undefined source operand inside _mm512_min_ps/_mm512_max_ps.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace prunq::dwconv_detail {
namespace {

template <int S>
inline __m512 taps_at(const float* p) {
  if constexpr (S == 1) {
    return _mm512_loadu_ps(p);
  } else {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    return _mm512_permutex2var_ps(_mm512_loadu_ps(p), even, _mm512_loadu_ps(p + 16));
  }
}

template <int K, int S>
void row(const float* in, int64_t in_stride, const float* w, float bias, int64_t out_w, float lo, float hi,
         float* out) {
  __m512 wv[K * K];
#pragma GCC unroll 25
  for (int t = 0; t < K * K; ++t) wv[t] = _mm512_set1_ps(w[t]);
  const __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi), vb = _mm512_set1_ps(bias);
  for (int64_t ox = 0; ox < out_w; ox += 16) {
    __m512 acc = vb;
#pragma GCC unroll 5
    for (int ky = 0; ky < K; ++ky) {
      const float* r = in + ky * in_stride + ox * S;
#pragma GCC unroll 5
      for (int kx = 0; kx < K; ++kx) acc = _mm512_fmadd_ps(wv[ky * K + kx], taps_at<S>(r + kx), acc);
    }
    acc = _mm512_min_ps(_mm512_max_ps(acc, vlo), vhi);
    const int64_t left = out_w - ox;
    const __mmask16 m = left >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << left) - 1);
    _mm512_mask_storeu_ps(out + ox, m, acc);
  }
}

}  // namespace

const RowKernels& row_kernels_avx512() {
  static const RowKernels k{"dwconv_f32__avx512", Isa::avx512, row<3, 1>, row<3, 2>, row<5, 1>, row<5, 2>};
  return k;
}

}  // namespace prunq::dwconv_detail
