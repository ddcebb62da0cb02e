// int8 GEMM micro-kernels for AVX-512 VNNI: vpdpbusd zmm multiplies 4 uint8 activations by 4 int8
// weights and adds the 4 products to an int32 lane, 64 MACs per instruction.
// Tile: MR rows x NV*16 columns, MR*NV <= 24 accumulators + NV weight registers + 1 broadcast.
#include <immintrin.h>

#include <cstring>

#include "kernels/gemm_s8/ukernel.h"
#include "kernels/requant/requant_avx512.h"

// GCC 12 flags the _mm512_undefined operand inside its own broadcast intrinsics (a known false
// positive); nothing in this file reads uninitialised data.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace prunq::gemm_s8_detail {
namespace {

inline __m512i broadcast4(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return _mm512_set1_epi32(static_cast<int>(v));
}

// Corrects, requantizes and stores the tile's valid rows and columns.
template <QOut Type, bool NarrowShift, bool HighShift, int MR, int NV, bool RowSum>
__attribute__((always_inline)) inline void write_tile(const UkernelCall& call, const __m512i (&acc)[MR][NV],
                                                      const __m512i (&rowsum)[MR]) {
  const PackedGemmS8& p = *call.p;
  const OutputStage& os = p.out;
  const int rows = call.mr;  // locals: the output stores below may alias `call` for the compiler
  void* const out = call.c;
  const int64_t base = call.c_index, ldc = call.ldc;
  const avx512::OutBounds16 bounds = avx512::load_bounds16(os);
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v) {
    const int64_t col = call.n0 + v * kPanelCols;
    const int rem = call.n_valid - v * kPanelCols;
    if (rem <= 0) break;
    const __mmask16 mask = rem >= 16 ? __mmask16(0xffff) : __mmask16((1u << rem) - 1);
    const avx512::Requant16 rq = avx512::load_requant16(os, col);
    const __m512i corr = _mm512_loadu_si512(p.correction.data() + col);
    __m512i wzp = _mm512_setzero_si512();
    if constexpr (RowSum) wzp = _mm512_loadu_si512(p.w_zero_points.data() + col);
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
      if (r >= rows) break;
      __m512i x = _mm512_add_epi32(acc[r][v], corr);
      if constexpr (RowSum) x = _mm512_sub_epi32(x, _mm512_mullo_epi32(wzp, rowsum[r]));
      avx512::store_output16_as<Type, NarrowShift, HighShift>(rq, bounds, x, out, base + r * ldc + v * kPanelCols, mask);
    }
  }
}

template <int MR, int NV, bool RowSum>
void tile(const UkernelCall& call) {
  const PackedGemmS8& p = *call.p;
  __m512i acc[MR][NV];
  __m512i rowsum[MR];
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) {
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_setzero_si512();
    rowsum[r] = _mm512_setzero_si512();
  }
  const __m512i ones = _mm512_set1_epi8(1);
  const uint8_t* w = call.w;
  const int64_t pb = p.panel_bytes;

  // One 4-byte K group: NV weight vectors, then each row's broadcast used at once (only one
  // broadcast register live: 24 accumulators + 4 weights + 1 fit the 32 zmm without spills).
  auto step = [&](const uint8_t* const (&a)[MR], int64_t off, int tail) {
    __m512i wv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) wv[v] = _mm512_load_si512(w + v * pb);
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
      const __m512i b = tail ? _mm512_set1_epi32(static_cast<int>(load_tail(a[r] + off, tail))) : broadcast4(a[r] + off);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_dpbusd_epi32(acc[r][v], b, wv[v]);
      if constexpr (RowSum) rowsum[r] = _mm512_dpbusd_epi32(rowsum[r], b, ones);
    }
    w += 64;
  };

  const bool whole_tail = call.tail_overread && !RowSum;
  for (int64_t s = 0; s < p.segments; ++s) {
    const uint8_t* a[MR];
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) a[r] = call.a[s * MR + r];
    for (int64_t g = 0; g < p.segment_groups; ++g) step(a, g * 4, 0);
    if (p.segment_tail) step(a, p.segment_groups * 4, whole_tail ? 0 : p.segment_tail);
  }

  // One epilogue per output type and shift range (see store_output16_as).
  const OutputStage& os = p.out;
  switch (os.type) {
    case QOut::u8:
      if (os.high_shift)
        write_tile<QOut::u8, true, true, MR, NV, RowSum>(call, acc, rowsum);
      else if (os.narrow_shift)
        write_tile<QOut::u8, true, false, MR, NV, RowSum>(call, acc, rowsum);
      else
        write_tile<QOut::u8, false, false, MR, NV, RowSum>(call, acc, rowsum);
      break;
    case QOut::s8:
      if (os.high_shift)
        write_tile<QOut::s8, true, true, MR, NV, RowSum>(call, acc, rowsum);
      else if (os.narrow_shift)
        write_tile<QOut::s8, true, false, MR, NV, RowSum>(call, acc, rowsum);
      else
        write_tile<QOut::s8, false, false, MR, NV, RowSum>(call, acc, rowsum);
      break;
    case QOut::s32: write_tile<QOut::s32, true, false, MR, NV, RowSum>(call, acc, rowsum); break;
    case QOut::f32: write_tile<QOut::f32, true, false, MR, NV, RowSum>(call, acc, rowsum); break;
  }
}

constexpr int kMr[4] = {12, 12, 8, 6};

template <bool RowSum>
void run_nv(const UkernelCall& call) {
  switch (call.nv) {
    case 1: tile<kMr[0], 1, RowSum>(call); break;
    case 2: tile<kMr[1], 2, RowSum>(call); break;
    case 3: tile<kMr[2], 3, RowSum>(call); break;
    default: tile<kMr[3], 4, RowSum>(call); break;
  }
}

void run(const UkernelCall& call) {
  if (call.p->w_zero_points.empty())
    run_nv<false>(call);
  else
    run_nv<true>(call);
}

}  // namespace

const UkernelInfo& ukernel_avx512_vnni() {
  static const UkernelInfo info = [] {
    UkernelInfo i;
    i.run = run;
    i.layout = Layout::vnni4;
    i.max_nv = 4;
    for (int v = 0; v < 4; ++v) i.mr[v] = kMr[v];
    return i;
  }();
  return info;
}

}  // namespace prunq::gemm_s8_detail
