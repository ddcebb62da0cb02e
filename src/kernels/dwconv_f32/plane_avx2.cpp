// AVX2+FMA depthwise row kernels: 8 outputs per vector. Stride 2 deinterleaves 16 consecutive
// inputs with shuffle_ps + permute4x64. The last partial vector is stored with maskstore.
#include <immintrin.h>

#include "kernels/dwconv_f32/row_kernels.h"

namespace prunq::dwconv_detail {
namespace {

template <int S>
inline __m256 taps_at(const float* p) {
  if constexpr (S == 1) {
    return _mm256_loadu_ps(p);
  } else {
    // [p0 p2 p8 p10 | p4 p6 p12 p14] -> 64-bit chunks reordered (0,2,1,3) -> p0 p2 ... p14.
    __m256 mixed = _mm256_shuffle_ps(_mm256_loadu_ps(p), _mm256_loadu_ps(p + 8), _MM_SHUFFLE(2, 0, 2, 0));
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(mixed), _MM_SHUFFLE(3, 1, 2, 0)));
  }
}

template <int K, int S>
void row(const float* in, int64_t in_stride, const float* w, float bias, int64_t out_w, float lo, float hi,
         float* out) {
  const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi), vb = _mm256_set1_ps(bias);
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  for (int64_t ox = 0; ox < out_w; ox += 8) {
    __m256 acc = vb;
#pragma GCC unroll 5
    for (int ky = 0; ky < K; ++ky) {
      const float* r = in + ky * in_stride + ox * S;
#pragma GCC unroll 5
      for (int kx = 0; kx < K; ++kx)
        acc = _mm256_fmadd_ps(_mm256_broadcast_ss(w + ky * K + kx), taps_at<S>(r + kx), acc);
    }
    acc = _mm256_min_ps(_mm256_max_ps(acc, vlo), vhi);
    const int64_t left = out_w - ox;
    if (left >= 8)
      _mm256_storeu_ps(out + ox, acc);
    else
      _mm256_maskstore_ps(out + ox, _mm256_cmpgt_epi32(_mm256_set1_epi32(int(left)), lane), acc);
  }
}

}  // namespace

const RowKernels& row_kernels_avx2() {
  static const RowKernels k{"dwconv_f32__avx2", Isa::avx2, row<3, 1>, row<3, 2>, row<5, 1>, row<5, 2>};
  return k;
}

}  // namespace prunq::dwconv_detail
