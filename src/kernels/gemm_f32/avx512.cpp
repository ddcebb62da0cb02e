// AVX-512 micro-kernel: a 14x32 tile in 28 zmm accumulators, B rows as 2 zmm loads and A
// elements as embedded broadcasts ({1to16} memory operands of the FMA), so 30 of the 32 zmm
// registers are live and each k step issues 28 FMAs for 2 vector loads + 14 broadcasts.
// Tails: columns with masked loads/stores (masked-off lanes never fault); a short last row panel
// (M % 14) runs a version compiled for just that many rows (rounded up to even), so M = 16 costs
// 14 + 2 rows of work, not 2 x 14.
#include <immintrin.h>

// GCC 12 flags the deliberately undefined source operand inside _mm512_min_ps/_mm512_max_ps.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "kernels/gemm_f32/ukernel.h"

namespace prunq::gemm_detail {
namespace {

constexpr int kMr = 14, kNv = 2, kNr = kNv * 16;

inline __m512 finish(__m512 acc, const float* c, __mmask16 mask, __m512 rb, const float* cb, const TileStore& st) {
  __m512 v = _mm512_mul_ps(acc, _mm512_set1_ps(st.alpha));
  if (st.beta != 0.f) v = _mm512_fmadd_ps(_mm512_set1_ps(st.beta), _mm512_maskz_loadu_ps(mask, c), v);
  v = _mm512_add_ps(v, rb);
  if (cb) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask, cb));
  if (st.clamp)
    v = _mm512_min_ps(_mm512_max_ps(v, _mm512_set1_ps(st.clamp_min)), _mm512_set1_ps(st.clamp_max));
  return v;
}

// kRows of the 14-row panel (whose stride stays kMr); rows >= m are computed but not stored.
template <int kRows>
void tile(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int m, int n, const TileStore& st) {
  __m512 acc[kRows][kNv];
#pragma GCC unroll 14
  for (int i = 0; i < kRows; ++i)
#pragma GCC unroll 2
    for (int j = 0; j < kNv; ++j) acc[i][j] = _mm512_setzero_ps();

  for (int64_t k = 0; k < kc; ++k) {
    __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
    _mm_prefetch(reinterpret_cast<const char*>(b + 8 * kNr), _MM_HINT_T0);
#pragma GCC unroll 14
    for (int i = 0; i < kRows; ++i) {
      __m512 ai = _mm512_set1_ps(a[i]);
      acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
      acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
    }
    a += kMr;
    b += kNr;
  }

  __mmask16 m0 = n >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << n) - 1);
  __mmask16 m1 = n >= 32 ? __mmask16(0xFFFF) : n <= 16 ? __mmask16(0) : __mmask16((1u << (n - 16)) - 1);
  const float* cb0 = st.col_bias;
  const float* cb1 = st.col_bias ? st.col_bias + 16 : nullptr;
#pragma GCC unroll 14
  for (int i = 0; i < kRows; ++i) {
    if (i >= m) break;
    float* ci = c + i * ldc;
    __m512 rb = _mm512_set1_ps(st.row_bias ? st.row_bias[i] : 0.f);
    _mm512_mask_storeu_ps(ci, m0, finish(acc[i][0], ci, m0, rb, cb0, st));
    if (m1) _mm512_mask_storeu_ps(ci + 16, m1, finish(acc[i][1], ci + 16, m1, rb, cb1, st));
  }
}

void ukernel_14x32(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int m, int n,
                   const TileStore& st) {
  switch ((m + 1) / 2) {
    case 1: return tile<2>(kc, a, b, c, ldc, m, n, st);
    case 2: return tile<4>(kc, a, b, c, ldc, m, n, st);
    case 3: return tile<6>(kc, a, b, c, ldc, m, n, st);
    case 4: return tile<8>(kc, a, b, c, ldc, m, n, st);
    case 5: return tile<10>(kc, a, b, c, ldc, m, n, st);
    case 6: return tile<12>(kc, a, b, c, ldc, m, n, st);
    default: return tile<14>(kc, a, b, c, ldc, m, n, st);
  }
}

}  // namespace

const Ukernel& ukernel_avx512() {
  // A panel 14x256 (14 KiB) stays in L1 while B panels stream from a 256x1024 (1 MiB) block in
  // L2; the A block (up to 2048x256, 2 MiB) lives in L3. Tuned on Zen 4 (KC 128..384 tried).
  static const Ukernel k{"gemm_f32_14x32__avx512", Isa::avx512, kMr, kNr, 2044, 256, 1024, ukernel_14x32,
                         pack_strided_avx2, pack_contiguous_avx2};
  return k;
}

}  // namespace prunq::gemm_detail
