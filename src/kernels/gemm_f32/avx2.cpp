// AVX2+FMA micro-kernel: a 6x16 tile in 12 ymm accumulators, 2 ymm B loads and 1 broadcast per
// row: 15 of the 16 ymm registers, 12 FMAs per k step. Column tails use maskload/maskstore
// (masked-off lanes never fault); a short last row panel runs a 2- or 4-row version.
#include <immintrin.h>

#include "kernels/gemm_f32/ukernel.h"

namespace prunq::gemm_detail {
namespace {

constexpr int kMr = 6, kNv = 2, kNr = kNv * 8;

inline __m256i lane_mask(int valid) {  // lanes [0, valid) set
  const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(valid), idx);
}

inline __m256 finish(__m256 acc, const float* c, __m256i mask, __m256 rb, const float* cb, const TileStore& st) {
  __m256 v = _mm256_mul_ps(acc, _mm256_set1_ps(st.alpha));
  if (st.beta != 0.f) v = _mm256_fmadd_ps(_mm256_set1_ps(st.beta), _mm256_maskload_ps(c, mask), v);
  v = _mm256_add_ps(v, rb);
  if (cb) v = _mm256_add_ps(v, _mm256_maskload_ps(cb, mask));
  if (st.clamp)
    v = _mm256_min_ps(_mm256_max_ps(v, _mm256_set1_ps(st.clamp_min)), _mm256_set1_ps(st.clamp_max));
  return v;
}

// kRows of the 6-row panel (whose stride stays kMr); rows >= m are computed but not stored.
template <int kRows>
void tile(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int m, int n, const TileStore& st) {
  __m256 acc[kRows][kNv];
#pragma GCC unroll 6
  for (int i = 0; i < kRows; ++i)
#pragma GCC unroll 2
    for (int j = 0; j < kNv; ++j) acc[i][j] = _mm256_setzero_ps();

  for (int64_t k = 0; k < kc; ++k) {
    __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
    _mm_prefetch(reinterpret_cast<const char*>(b + 8 * kNr), _MM_HINT_T0);
#pragma GCC unroll 6
    for (int i = 0; i < kRows; ++i) {
      __m256 ai = _mm256_broadcast_ss(a + i);
      acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
    }
    a += kMr;
    b += kNr;
  }

  __m256i m0 = lane_mask(n), m1 = lane_mask(n - 8);
  bool second = n > 8;
  const float* cb0 = st.col_bias;
  const float* cb1 = st.col_bias ? st.col_bias + 8 : nullptr;
#pragma GCC unroll 6
  for (int i = 0; i < kRows; ++i) {
    if (i >= m) break;
    float* ci = c + i * ldc;
    __m256 rb = _mm256_set1_ps(st.row_bias ? st.row_bias[i] : 0.f);
    _mm256_maskstore_ps(ci, m0, finish(acc[i][0], ci, m0, rb, cb0, st));
    if (second) _mm256_maskstore_ps(ci + 8, m1, finish(acc[i][1], ci + 8, m1, rb, cb1, st));
  }
}

void ukernel_6x16(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int m, int n,
                  const TileStore& st) {
  if (m <= 2) return tile<2>(kc, a, b, c, ldc, m, n, st);
  if (m <= 4) return tile<4>(kc, a, b, c, ldc, m, n, st);
  tile<6>(kc, a, b, c, ldc, m, n, st);
}

}  // namespace

const Ukernel& ukernel_avx2() {
  // A panel 6x256 (6 KiB) in L1, B block 256x1024 (1 MiB) in L2, A block up to 2046x256 in L3.
  static const Ukernel k{"gemm_f32_6x16__avx2", Isa::avx2, kMr, kNr, 2046, 256, 1024, ukernel_6x16,
                         pack_strided_avx2, pack_contiguous_avx2};
  return k;
}

}  // namespace prunq::gemm_detail
