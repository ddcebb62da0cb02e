// AVX-512 VNNI int8 Winograd stages: transforms vectorised across channels (32 int16 input
// channels or 16 int32 output channels per zmm), products with vpdpwssd (2 int16 MACs per lane).
// Bit-exact with winograd_s8_scalar.cpp: the same integer arithmetic, wrapping in 32 bits.
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "kernels/conv_s8/winograd_s8_kernels.h"
#include "kernels/conv_s8/winograd_s8_lanes.h"
#include "kernels/requant/requant_avx512.h"

// GCC 12 flags the _mm512_undefined operand inside its own broadcast intrinsics (a known false
// positive); nothing in this file reads uninitialised data.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace prunq::winograd_s8_detail {
namespace {

using namespace winograd_s8;

// Lane-wise int16 (input transform) and int32 (output transform) arithmetic for winograd_s8_lanes.h.
struct I16 {
  static __m512i add(__m512i a, __m512i b) { return _mm512_add_epi16(a, b); }
  static __m512i sub(__m512i a, __m512i b) { return _mm512_sub_epi16(a, b); }
  template <int N>
  static __m512i shl(__m512i a) {
    return _mm512_slli_epi16(a, N);
  }
};
struct I32 {
  static __m512i add(__m512i a, __m512i b) { return _mm512_add_epi32(a, b); }
  static __m512i sub(__m512i a, __m512i b) { return _mm512_sub_epi32(a, b); }
  template <int N>
  static __m512i shl(__m512i a) {
    return _mm512_slli_epi32(a, N);
  }
};

// B^T d B for one 32-channel group of one window: Pixel(i, j) gives the window pixel's bytes.
// Whole groups load plainly; a last partial one loads under a mask.
template <bool Flip, bool Whole, typename Pixel>
inline void transform_window(const Pixel& pixel, int64_t c0, __mmask32 lmask, __mmask32 smask, int64_t cp, int16_t* v) {
  __m512i tmp[kWindow][kWindow];  // [row of B^T d][column]
#pragma GCC unroll 6
  for (int j = 0; j < kWindow; ++j) {
    __m512i d[kWindow], r[kWindow];
#pragma GCC unroll 6
    for (int i = 0; i < kWindow; ++i) {
      const uint8_t* p = pixel(i, j) + c0;
      __m256i bytes =
          Whole ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)) : _mm256_maskz_loadu_epi8(lmask, p);
      if constexpr (Flip) bytes = _mm256_xor_si256(bytes, _mm256_set1_epi8(static_cast<char>(0x80)));
      d[i] = _mm512_cvtepu8_epi16(bytes);
    }
    input_1d<I16>(d, r);
    for (int a = 0; a < kWindow; ++a) tmp[a][j] = r[a];
  }
  for (int a = 0; a < kWindow; ++a) {
    __m512i r[kWindow];
    input_1d<I16>(tmp[a], r);
    for (int b = 0; b < kWindow; ++b)
      _mm512_mask_storeu_epi16(v + (a * kWindow + b) * kBlockTiles * cp + c0, smask, r[b]);
  }
}

// Raw bytes in (sign-flipped for int8 input), the zero point in the padding: V of x, not of
// x - za (the difference sits in the start values of position (1,1); see winograd_s8.h).
template <bool Flip>
void input_as(const Geometry& g, const uint8_t* in, const Geometry::Tile* tiles, int n, int16_t* v) {
  const int64_t cp = g.channels_padded, c = g.c;
  const int64_t whole_end = c / 32 * 32;  // channel groups below are whole
  const __mmask32 lmask = (__mmask32(1) << (c - whole_end)) - 1;
  const __mmask32 tail_store = cp - whole_end >= 32 ? ~__mmask32(0) : (__mmask32(1) << (cp - whole_end)) - 1;
  auto channel_groups = [&](const auto& pixel, int16_t* vt) {
    for (int64_t c0 = 0; c0 < whole_end; c0 += 32)
      transform_window<Flip, true>(pixel, c0, lmask, ~__mmask32(0), cp, vt);
    if (whole_end < cp) transform_window<Flip, false>(pixel, whole_end, lmask, tail_store, cp, vt);
  };
  for_each_window(g, in, tiles, n, v, channel_groups);
}

void input(const Geometry& g, const uint8_t* in, bool flip_sign, int32_t, const Geometry::Tile* tiles, int n,
           int16_t* v) {
  if (flip_sign)
    input_as<true>(g, in, tiles, n, v);
  else
    input_as<false>(g, in, tiles, n, v);
}

// MR block rows x NV panels of M for every position: MR * NV accumulators, NV weight rows and
// one broadcast live (<= 24 + 4 + 1 zmm).
template <int MR, int NV>
void gemm_tiles(const PackedWinogradS8& p, const int16_t* v, int64_t p0, int32_t* m) {
  static_assert(kBlockTiles % MR == 0, "block rows must split into whole micro-tiles");
  const int64_t cp = p.pairs * 2, pairs = p.pairs, panel_elems = pairs * kPanel * 2;
  for (int pos = 0; pos < kPositions; ++pos) {
    const int16_t* u = p.u.data() + (pos * p.panels + p0) * panel_elems;
    const int16_t* a_pos = v + pos * kBlockTiles * cp;
    int32_t* m_pos = m + pos * kBlockTiles * kPanel;
    __m512i start[NV];
#pragma GCC unroll 4
    for (int q = 0; q < NV; ++q)
      start[q] =
          pos == kStartPosition ? _mm512_loadu_si512(p.start.data() + (p0 + q) * kPanel) : _mm512_setzero_si512();
    for (int r0 = 0; r0 < kBlockTiles; r0 += MR) {
      __m512i acc[MR][NV];
#pragma GCC unroll 24
      for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
        for (int q = 0; q < NV; ++q) acc[r][q] = start[q];
      const int16_t* a = a_pos + r0 * cp;
      for (int64_t pr = 0; pr < pairs; ++pr) {
        __m512i w[NV];
#pragma GCC unroll 4
        for (int q = 0; q < NV; ++q) w[q] = _mm512_loadu_si512(u + q * panel_elems + pr * kPanel * 2);
#pragma GCC unroll 24
        for (int r = 0; r < MR; ++r) {
          int32_t pair;
          std::memcpy(&pair, a + r * cp + 2 * pr, 4);
          const __m512i b = _mm512_set1_epi32(pair);
#pragma GCC unroll 4
          for (int q = 0; q < NV; ++q) acc[r][q] = _mm512_dpwssd_epi32(acc[r][q], b, w[q]);
        }
      }
#pragma GCC unroll 24
      for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
        for (int q = 0; q < NV; ++q)
          _mm512_storeu_si512(m_pos + (q * kPositions * kBlockTiles + r0 + r) * kPanel, acc[r][q]);
    }
  }
}

void gemm(const PackedWinogradS8& p, const int16_t* v, int64_t p0, int np, int32_t* m) {
  switch (np) {
    case 1:
      gemm_tiles<24, 1>(p, v, p0, m);
      break;
    case 2:
      gemm_tiles<12, 2>(p, v, p0, m);
      break;
    case 3:
      gemm_tiles<8, 3>(p, v, p0, m);
      break;
    default:
      gemm_tiles<6, 4>(p, v, p0, m);
      break;
  }
}

template <QOut Type, bool NarrowShift, bool HighShift>
void output_as(const PackedWinogradS8& p, const Geometry& g, const int32_t* m, const Geometry::Tile* tiles, int n,
               int64_t p0, int np, void* out) {
  const int64_t k = p.k;
  const avx512::OutBounds16 bounds = avx512::load_bounds16(p.out);
  const __m512i inverse9 = _mm512_set1_epi32(static_cast<int32_t>(kInverseOf9));
  for (int q = 0; q < np; ++q) {
    const int64_t col = (p0 + q) * kPanel;
    const int64_t valid = std::min<int64_t>(kPanel, k - col);
    if (valid <= 0) break;
    const __mmask16 mask = valid >= 16 ? __mmask16(0xffff) : __mmask16((1u << valid) - 1);
    const avx512::Requant16 rq = avx512::load_requant16(p.out, col);
    for (int l = 0; l < n; ++l) {
      const Geometry::Tile& t = tiles[l];
      const int32_t* ml = m + (q * kPositions * kBlockTiles + l) * kPanel;
      __m512i tmp[kOut][kWindow];  // [row of A'^T M][column]
      for (int b = 0; b < kWindow; ++b) {
        __m512i col_in[kWindow], r[kOut];
        for (int a = 0; a < kWindow; ++a) col_in[a] = _mm512_load_si512(ml + (a * kWindow + b) * kBlockTiles * kPanel);
        output_1d<I32>(col_in, r);
        for (int i = 0; i < kOut; ++i) tmp[i][b] = r[i];
      }
      const int rows = static_cast<int>(std::min<int64_t>(kOut, g.out_h - t.oy));
      const int cols_out = static_cast<int>(std::min<int64_t>(kOut, g.out_w - t.ox));
#pragma GCC unroll 4
      for (int i = 0; i < kOut; ++i) {
        if (i >= rows) break;
        __m512i y[kOut];
        output_1d<I32>(tmp[i], y);
        const int64_t index0 = ((t.b * g.out_h + t.oy + i) * g.out_w + t.ox) * k + col;
#pragma GCC unroll 4
        for (int j = 0; j < kOut; ++j) {
          if (j >= cols_out) break;
          // recover(): (Y * 9^-1) >> (6 - kRowShift[i] - kRowShift[j]).
          const __m512i acc = _mm512_srai_epi32(_mm512_mullo_epi32(y[j], inverse9), 6 - kRowShift[i] - kRowShift[j]);
          avx512::store_output16_as<Type, NarrowShift, HighShift>(rq, bounds, acc, out, index0 + j * k, mask);
        }
      }
    }
  }
}

void output(const PackedWinogradS8& p, const Geometry& g, const int32_t* m, const Geometry::Tile* tiles, int n,
            int64_t p0, int np, void* out) {
  visit_output_stage(p.out, [&]<QOut Type, bool NarrowShift, bool HighShift>() {
    output_as<Type, NarrowShift, HighShift>(p, g, m, tiles, n, p0, np, out);
  });
}

}  // namespace

const Kernels& kernels_avx512_vnni() {
  static const Kernels k{input, gemm, output};
  return k;
}

}  // namespace prunq::winograd_s8_detail
