// int8 GEMM micro-kernel for AVX2 without VNNI, exact for every input: the general AVX2 kernel.
// (avx2_maddubs.cpp is faster but only for weights that pass its no-saturation proof.)
//
// vpmaddubsw (u8 x s8 pairs summed into int16) saturates when a0*w0 + a1*w1 leaves int16
// (255*127 + 255*127 > 32767), so it is wrong for ordinary weights. Here the weights are packed
// widened to int16 (Layout::i16x2) and the tile's activation rows are widened to int16 once per
// call into a small buffer: vpmaddwd then sums two exact products into int32 (|a*w| <= 255*128,
// so a pair's sum is below 2^16), and each step of the inner loop is one broadcast load, two
// vpmaddwd and two vpaddd per row -- no shuffles. The widening is shared by up to 4 panels.
//
// Rate: vpmaddwd does 16 MACs, the same multiplier work per MAC as vpmaddubsw + vpmaddwd(ones);
// what it costs extra is the vpaddd per vpmaddwd (Zen 3 and Zen 4 run integer multiplies on two
// pipes, additions on four; the dependent pairs keep about 80 % of the multiplier pipes busy).
#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/gemm_s8/ukernel.h"
#include "kernels/gemm_s8/ymm_common.h"

namespace prunq::gemm_s8_detail {
namespace {

constexpr int kMr = 6;     // 12 accumulators + 2 weight vectors + broadcast + product: the 16 ymm
constexpr int kMaxNv = 4;  // panels per call sharing one widening of the rows

// The tile's rows as int16, K groups of every segment back to back (a partial last group of a
// segment zero-padded, matching the zero weights packed there). Rows >= call.mr are not widened:
// their pointers repeat row 0, and so does their buffer.
struct WideRows {
  const int16_t* row[kMr];
  int64_t pairs = 0;  // int16 pairs per row
};

WideRows widen_rows(const UkernelCall& call) {
  const PackedGemmS8& p = *call.p;
  const int64_t gps = p.segment_groups + (p.segment_tail ? 1 : 0);
  const int64_t len = p.segments * gps * 4;  // int16 per row
  // Rows 32 bytes-aligned apart, plus 64 bytes so that power-of-two K does not put them a
  // multiple of 4 KiB apart (the same L1 sets for all six rows).
  const int64_t stride = (len + 15) / 16 * 16 + 32;
  thread_local std::vector<int16_t> buf;
  if (static_cast<int64_t>(buf.size()) < stride * kMr) buf.resize(static_cast<size_t>(stride * kMr));
  WideRows out;
  out.pairs = len / 2;
  for (int r = 0; r < kMr; ++r) {
    if (r >= call.mr) {
      out.row[r] = out.row[0];
      continue;
    }
    int16_t* dst = buf.data() + r * stride;
    out.row[r] = dst;
    for (int64_t s = 0; s < p.segments; ++s) {
      const uint8_t* src = call.a[s * kMr + r];
      // With tail_overread a partial last group is read whole: its extra bytes meet zero weights
      // (and row_sums never reads them).
      const int64_t n = call.tail_overread ? gps * 4 : p.segment_len;
      int64_t i = 0;
      for (; i + 16 <= n; i += 16)
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i),
                            _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i))));
      if (i + 8 <= n) {
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i),
                         _mm_cvtepu8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(src + i))));
        i += 8;
      }
      if (i + 4 <= n) {
        uint32_t v;
        std::memcpy(&v, src + i, 4);
        _mm_storel_epi64(reinterpret_cast<__m128i*>(dst + i), _mm_cvtepu8_epi16(_mm_cvtsi32_si128(static_cast<int>(v))));
        i += 4;
      }
      for (; i < n; ++i) dst[i] = src[i];
      for (; i < gps * 4; ++i) dst[i] = 0;
      dst += gps * 4;
    }
  }
  return out;
}

// One 16-column panel of the tile over all K: 6 rows x 2 accumulators held in named variables
// (GCC spills an accumulator array of this size inside the loop).
template <bool RowSum>
void panel(const UkernelCall& call, const WideRows& rows, const uint8_t* w, const __m256i (&rowsum)[kMr]) {
  const int16_t *a0 = rows.row[0], *a1 = rows.row[1], *a2 = rows.row[2], *a3 = rows.row[3], *a4 = rows.row[4],
                *a5 = rows.row[5];
  __m256i c00 = _mm256_setzero_si256(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00,
          c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  auto bcast = [](const int16_t* a) {
    int32_t v;
    std::memcpy(&v, a, 4);
    return _mm256_set1_epi32(v);
  };
  for (int64_t q = 0; q < rows.pairs; ++q, w += 64) {
    const __m256i w0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(w));
    const __m256i w1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(w + 32));
#define PRUNQ_ROW(r)                                                   \
  {                                                                    \
    const __m256i b = bcast(a##r + 2 * q);                             \
    c##r##0 = _mm256_add_epi32(c##r##0, _mm256_madd_epi16(b, w0));     \
    c##r##1 = _mm256_add_epi32(c##r##1, _mm256_madd_epi16(b, w1));     \
  }
    PRUNQ_ROW(0) PRUNQ_ROW(1) PRUNQ_ROW(2) PRUNQ_ROW(3) PRUNQ_ROW(4) PRUNQ_ROW(5)
#undef PRUNQ_ROW
  }
  const __m256i acc[kMr][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  store_tile<kMr, RowSum>(call, acc, rowsum);
}

template <bool RowSum>
void tile(const UkernelCall& call) {
  const WideRows rows = widen_rows(call);
  __m256i rowsum[kMr];
  row_sums<kMr, RowSum>(call, rowsum);
  for (int v = 0; v < call.nv; ++v) {
    UkernelCall c = call;
    c.n0 = call.n0 + v * kPanelCols;
    c.n_valid = std::min(kPanelCols, call.n_valid - v * kPanelCols);
    c.c_index = call.c_index + v * kPanelCols;
    panel<RowSum>(c, rows, call.w + v * call.p->panel_bytes, rowsum);
  }
}

void run(const UkernelCall& call) { run_tile_for_zero_points(call, tile<false>, tile<true>); }

}  // namespace

const UkernelInfo& ukernel_avx2() {
  static const UkernelInfo info = [] {
    UkernelInfo i;
    i.run = run;
    i.layout = Layout::i16x2;
    i.max_nv = kMaxNv;
    for (int v = 0; v < kMaxNv; ++v) i.mr[v] = kMr;
    return i;
  }();
  return info;
}

}  // namespace prunq::gemm_s8_detail
