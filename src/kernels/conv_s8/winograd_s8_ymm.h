// 256-bit int8 Winograd stages shared by the AVX2 and AVX-VNNI files: transforms vectorised
// across channels (16 int16 input channels or 8 int32 output channels per ymm), products of
// channel pairs through Dot (vpmaddwd + vpaddd on AVX2, vpdpwssd on AVX-VNNI). Bit-exact with
// winograd_s8_scalar.cpp: the same integer arithmetic, wrapping in 32 bits.
// Each including file is compiled with its own ISA flags, so everything here has internal
// linkage (unnamed namespace): the linker must never swap one file's copy (e.g. built with
// -mavxvnni) into the other's. Include only from *avx2*.cpp / *avxvnni*.cpp.
#pragma once
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "kernels/conv_s8/winograd_s8_kernels.h"
#include "kernels/conv_s8/winograd_s8_lanes.h"
#include "kernels/requant/requant_avx2.h"

namespace prunq::winograd_s8_detail {
namespace {

using namespace winograd_s8;

// Lane-wise int16 (input transform) and int32 (output transform) arithmetic for winograd_s8_lanes.h.
struct I16 {
  static __m256i add(__m256i a, __m256i b) { return _mm256_add_epi16(a, b); }
  static __m256i sub(__m256i a, __m256i b) { return _mm256_sub_epi16(a, b); }
  template <int N>
  static __m256i shl(__m256i a) {
    return _mm256_slli_epi16(a, N);
  }
};
struct I32 {
  static __m256i add(__m256i a, __m256i b) { return _mm256_add_epi32(a, b); }
  static __m256i sub(__m256i a, __m256i b) { return _mm256_sub_epi32(a, b); }
  template <int N>
  static __m256i shl(__m256i a) {
    return _mm256_slli_epi32(a, N);
  }
};

inline uint64_t load_u64(const uint8_t* p) {
  uint64_t x;
  std::memcpy(&x, p, 8);
  return x;
}

inline uint32_t load_u32(const uint8_t* p) {
  uint32_t x;
  std::memcpy(&x, p, 4);
  return x;
}

// The n (1..15) bytes at p, zero above, reading no byte outside p .. p+n-1: AVX2 has no byte
// masked load, and a whole 16-byte load from the last pixel of the batch could run off the end
// of the input. Overlapping loads assemble the bytes; n is the same for every call of a
// convolution, so the branches predict.
inline __m128i load_partial16(const uint8_t* p, int64_t n) {
  if (n >= 8) {
    // The second load holds bytes n-8 .. n-1: shifting it right by 16 - n bytes drops those
    // below 8 (the first load has them) and leaves bytes 8 .. n-1 in place.
    const uint64_t hi = n > 8 ? load_u64(p + n - 8) >> (8 * (16 - n)) : 0;
    return _mm_set_epi64x(static_cast<int64_t>(hi), static_cast<int64_t>(load_u64(p)));
  }
  uint64_t lo;
  if (n >= 4)
    lo = load_u32(p) | uint64_t{load_u32(p + n - 4)} << (8 * (n - 4));  // overlap ORs equal bytes
  else
    lo = uint64_t{p[0]} | uint64_t{p[n >> 1]} << (8 * (n >> 1)) | uint64_t{p[n - 1]} << (8 * (n - 1));
  return _mm_cvtsi64_si128(static_cast<int64_t>(lo));
}

// B^T d B for one 16-channel group of one window: Pixel(i, j) gives the window pixel's bytes.
// Whole groups load 16 bytes plainly; a last partial one loads `bytes` of them and stores the
// first `store_mask` dwords (channel pairs) of each V row.
template <bool Flip, bool Whole, typename Pixel>
inline void transform_window(const Pixel& pixel, int64_t c0, int64_t bytes, __m256i store_mask, int64_t cp,
                             int16_t* v) {
  __m256i tmp[kWindow][kWindow];  // [row of B^T d][column]
#pragma GCC unroll 6
  for (int j = 0; j < kWindow; ++j) {
    __m256i d[kWindow], r[kWindow];
#pragma GCC unroll 6
    for (int i = 0; i < kWindow; ++i) {
      const uint8_t* p = pixel(i, j) + c0;
      __m128i x = Whole ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)) : load_partial16(p, bytes);
      if constexpr (Flip) x = _mm_xor_si128(x, _mm_set1_epi8(static_cast<char>(0x80)));
      d[i] = _mm256_cvtepu8_epi16(x);
    }
    input_1d<I16>(d, r);
    for (int a = 0; a < kWindow; ++a) tmp[a][j] = r[a];
  }
  for (int a = 0; a < kWindow; ++a) {
    __m256i r[kWindow];
    input_1d<I16>(tmp[a], r);
    for (int b = 0; b < kWindow; ++b) {
      int16_t* dst = v + (a * kWindow + b) * kBlockTiles * cp + c0;
      if constexpr (Whole)
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), r[b]);
      else
        _mm256_maskstore_epi32(reinterpret_cast<int*>(dst), store_mask, r[b]);
    }
  }
}

// Raw bytes in (sign-flipped for int8 input), the zero point in the padding: V of x, not of
// x - za (the difference sits in the start values of position (1,1); see winograd_s8.h).
template <bool Flip>
void input_as(const Geometry& g, const uint8_t* in, const Geometry::Tile* tiles, int n, int16_t* v) {
  const int64_t cp = g.channels_padded, c = g.c;
  const int64_t whole_end = c / 16 * 16;  // channel groups below are whole
  // The tail group: c - whole_end input bytes, (cp - whole_end) / 2 channel pairs of V (cp is even).
  const int64_t tail_bytes = c - whole_end;
  const __m256i tail_store = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>((cp - whole_end) / 2)),
                                                _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  auto channel_groups = [&](const auto& pixel, int16_t* vt) {
    for (int64_t c0 = 0; c0 < whole_end; c0 += 16) transform_window<Flip, true>(pixel, c0, 16, tail_store, cp, vt);
    if (whole_end < cp) transform_window<Flip, false>(pixel, whole_end, tail_bytes, tail_store, cp, vt);
  };
  for_each_window(g, in, tiles, n, v, channel_groups);
}

void ymm_input(const Geometry& g, const uint8_t* in, bool flip_sign, int32_t, const Geometry::Tile* tiles, int n,
               int16_t* v) {
  if (flip_sign)
    input_as<true>(g, in, tiles, n, v);
  else
    input_as<false>(g, in, tiles, n, v);
}

// 6 block rows x one 16-column panel (two ymm) of M for one position: 12 accumulators, 2 weight
// rows and one broadcast pair, plus vpmaddwd's product on AVX2: the 16 ymm exactly.
constexpr int kGemmRows = 6;
static_assert(kBlockTiles % kGemmRows == 0, "block rows must split into whole micro-tiles");

// Dot::dot(acc, a, b): acc + a0 * b0 + a1 * b1 per int32 lane of int16 pairs, wrapping.
template <typename Dot>
void ymm_gemm(const PackedWinogradS8& p, const int16_t* v, int64_t p0, int np, int32_t* m) {
  const int64_t cp = p.pairs * 2, pairs = p.pairs, panel_elems = pairs * kPanel * 2;
  for (int pos = 0; pos < kPositions; ++pos) {
    const int16_t* a_pos = v + pos * kBlockTiles * cp;
    for (int q = 0; q < np; ++q) {
      const int16_t* u = p.u.data() + (pos * p.panels + p0 + q) * panel_elems;
      int32_t* m_pos = m + (q * kPositions + pos) * kBlockTiles * kPanel;
      __m256i start0 = _mm256_setzero_si256(), start1 = _mm256_setzero_si256();
      if (pos == kStartPosition) {
        const int32_t* s = p.start.data() + (p0 + q) * kPanel;
        start0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s));
        start1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + 8));
      }
      for (int r0 = 0; r0 < kBlockTiles; r0 += kGemmRows) {
        __m256i acc[kGemmRows][2];
#pragma GCC unroll 6
        for (int r = 0; r < kGemmRows; ++r) acc[r][0] = start0, acc[r][1] = start1;
        const int16_t* a = a_pos + r0 * cp;
        for (int64_t pr = 0; pr < pairs; ++pr) {
          const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(u + pr * kPanel * 2));
          const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(u + pr * kPanel * 2 + 16));
#pragma GCC unroll 6
          for (int r = 0; r < kGemmRows; ++r) {
            int32_t pair;
            std::memcpy(&pair, a + r * cp + 2 * pr, 4);
            const __m256i b = _mm256_set1_epi32(pair);
            acc[r][0] = Dot::dot(acc[r][0], b, w0);
            acc[r][1] = Dot::dot(acc[r][1], b, w1);
          }
        }
#pragma GCC unroll 6
        for (int r = 0; r < kGemmRows; ++r) {
          int32_t* dst = m_pos + (r0 + r) * kPanel;
          _mm256_store_si256(reinterpret_cast<__m256i*>(dst), acc[r][0]);
          _mm256_store_si256(reinterpret_cast<__m256i*>(dst + 8), acc[r][1]);
        }
      }
    }
  }
}

// Per 8-column half of each panel: the output stage's constants once, then every tile. The type
// and shift range are template arguments, so store_output8's switch folds away.
template <QOut Type, bool NarrowShift>
void output_as(const PackedWinogradS8& p, const Geometry& g, const int32_t* m, const Geometry::Tile* tiles, int n,
               int64_t p0, int np, void* out) {
  const int64_t k = p.k;
  const avx2::OutBounds8 bounds = avx2::load_bounds8(p.out);
  const __m256i inverse9 = _mm256_set1_epi32(static_cast<int32_t>(kInverseOf9));
  for (int h = 0; h < np * 2; ++h) {
    const int64_t col = p0 * kPanel + h * 8;
    const int valid = static_cast<int>(std::min<int64_t>(8, k - col));
    if (valid <= 0) break;
    const avx2::Requant8 rq = avx2::load_requant8(p.out, col);
    // M[q][pos][row][16]: half h is columns (h % 2) * 8 .. +7 of panel q = h / 2.
    const int32_t* mh = m + (h / 2 * kPositions * kBlockTiles) * kPanel + h % 2 * 8;
    for (int l = 0; l < n; ++l) {
      const Geometry::Tile& t = tiles[l];
      const int32_t* ml = mh + l * kPanel;
      __m256i tmp[kOut][kWindow];  // [row of A'^T M][column]
      for (int b = 0; b < kWindow; ++b) {
        __m256i col_in[kWindow], r[kOut];
        for (int a = 0; a < kWindow; ++a)
          col_in[a] =
              _mm256_load_si256(reinterpret_cast<const __m256i*>(ml + (a * kWindow + b) * kBlockTiles * kPanel));
        output_1d<I32>(col_in, r);
        for (int i = 0; i < kOut; ++i) tmp[i][b] = r[i];
      }
      const int rows = static_cast<int>(std::min<int64_t>(kOut, g.out_h - t.oy));
      const int cols_out = static_cast<int>(std::min<int64_t>(kOut, g.out_w - t.ox));
#pragma GCC unroll 4
      for (int i = 0; i < kOut; ++i) {
        if (i >= rows) break;
        __m256i y[kOut];
        output_1d<I32>(tmp[i], y);
        const int64_t index0 = ((t.b * g.out_h + t.oy + i) * g.out_w + t.ox) * k + col;
#pragma GCC unroll 4
        for (int j = 0; j < kOut; ++j) {
          if (j >= cols_out) break;
          // recover(): (Y * 9^-1) >> (6 - kRowShift[i] - kRowShift[j]).
          const __m256i acc = _mm256_srai_epi32(_mm256_mullo_epi32(y[j], inverse9), 6 - kRowShift[i] - kRowShift[j]);
          avx2::store_output8(Type, NarrowShift, rq, bounds, acc, out, index0 + j * k, valid);
        }
      }
    }
  }
}

void ymm_output(const PackedWinogradS8& p, const Geometry& g, const int32_t* m, const Geometry::Tile* tiles, int n,
                int64_t p0, int np, void* out) {
  // store_output8 has no high-shift form: that range takes the general narrow path, same result.
  visit_output_stage(p.out, [&]<QOut Type, bool NarrowShift, bool>() {
    output_as<Type, NarrowShift>(p, g, m, tiles, n, p0, np, out);
  });
}

template <typename Dot>
Kernels ymm_kernels() {
  return Kernels{ymm_input, ymm_gemm<Dot>, ymm_output};
}

}  // namespace
}  // namespace prunq::winograd_s8_detail
