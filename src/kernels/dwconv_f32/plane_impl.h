// Internal: the vector plane kernels (see dw_kernels.h), written once over a vector type X
// (simd_avx2.h, simd_avx512.h) and instantiated by plane_avx2.cpp / plane_avx512.cpp.
// A step computes R output rows x C vectors straight from the input rows: each input vector
// loaded feeds every kernel row it meets in the band, and the R*C independent accumulators hide
// the FMA latency. A band's input rows are equally spaced (one base pointer, one stride), so
// the compiler addresses every tap from a handful of registers; rows in the top or bottom
// padding are skipped, so nothing is copied. R and C per ISA, kernel size
// and stride come from X::band_rows / X::step_cols (measured).
#pragma once
#include <cstdint>
#include <type_traits>

#include "kernels/dwconv_f32/dw_kernels.h"

namespace prunq::dwconv_detail {
namespace plane_impl {

template <class X, int K, int S>
constexpr int band_rows() {
  return X::band_rows(K, S);
}
template <class X, int K, int S>
constexpr int step_cols() {
  return X::step_cols(K, S);
}

template <class X, int K>
struct Taps {
  typename X::Vec w[K * K], bias, lo, hi;
  Taps(const DwGeom& g, const float* wt, float b) {
#pragma GCC unroll 32
    for (int t = 0; t < K * K; ++t) w[t] = X::set1(wt[t]);
    bias = X::set1(b);
    lo = X::set1(g.lo);
    hi = X::set1(g.hi);
  }
};

// The input rows of a band: row r is input row first + r, which lies in the top or bottom
// padding (reads as zero, its taps are skipped) unless 0 <= first + r < in_h.
// Passed by value: a reference would be reloaded after every store (the outputs could alias it).
struct BandRows {
  const float* plane;
  int64_t first, in_w, in_h;
  bool has(int r) const { return first + r >= 0 && first + r < in_h; }
  const float* row(int r) const { return plane + (first + r) * in_w; }
};

// Clamps and stores a band's R x C accumulators at output column ox (masked past out_w: kEdge).
template <class X, int K, int R, int C, bool kEdge>
[[gnu::always_inline]] inline void store_band(const Taps<X, K>& tp, const typename X::Vec (&acc)[R][C], float* out,
                                              int64_t out_w, int64_t ox) {
#pragma GCC unroll 32
  for (int c = 0; c < C; ++c) {
    const int64_t at = ox + X::V * c;
    typename X::Mask sm{};
    if constexpr (kEdge) sm = X::lane_mask(at, out_w);
#pragma GCC unroll 32
    for (int o = 0; o < R; ++o) {
      const typename X::Vec v = X::clamp(acc[o][c], tp.lo, tp.hi);
      if constexpr (kEdge)
        X::store_masked(sm, out + o * out_w + at, v);
      else
        X::storeu(out + o * out_w + at, v);
    }
  }
}

// Stride 1, R output rows x C vectors at output column ox. Input row r of the band is
// in.row(r); tap kx of output ox reads input column ox - pad_left + kx, either as its own
// (unaligned) load or, where X::shift_taps(K), shifted out of the vector at tap 0 and the next.
// kEdge: some columns read lie outside [0, in_w) (masked loads read them as zero) or some
// outputs past out_w.
template <class X, int K, int R, int C, bool kEdge, bool kRows>
[[gnu::always_inline]] inline void s1_step(const Taps<X, K>& tp, BandRows in, int64_t in_w, int64_t pad_left,
                                           float* out, int64_t out_w, int64_t ox) {
  constexpr int V = X::V;
  const int64_t ix = ox - pad_left;
  typename X::Vec acc[R][C];
#pragma GCC unroll 32
  for (int o = 0; o < R; ++o)
#pragma GCC unroll 32
    for (int c = 0; c < C; ++c) acc[o][c] = tp.bias;
  typename X::Mask m[K][C];
  if constexpr (kEdge)
#pragma GCC unroll 32
    for (int kx = 0; kx < K; ++kx)
#pragma GCC unroll 32
      for (int c = 0; c < C; ++c) m[kx][c] = X::lane_mask(ix + kx + V * c, in_w);
#pragma GCC unroll 32
  for (int r = 0; r < R + K - 1; ++r) {
    if (kRows && !in.has(r)) continue;
    const float* row = in.row(r);
    if constexpr (X::shift_taps(K)) {
      // One load per vector (and a 4-float head past the last); taps kx > 0 by lane shifts.
      typename X::Vec l[C + 1];
#pragma GCC unroll 32
      for (int c = 0; c < C; ++c) {
        if constexpr (kEdge)
          l[c] = X::load_masked(m[0][c], row + ix + V * c);
        else
          l[c] = X::loadu(row + ix + V * c);
      }
      l[C] = X::load_head(row, ix + V * C, in_w);
#pragma GCC unroll 32
      for (int c = 0; c < C; ++c)
#pragma GCC unroll 32
        for (int kx = 0; kx < K; ++kx) {
          typename X::Vec x = l[c];
          if (kx == 1) x = X::template shift<1>(l[c], l[c + 1]);
          if (kx == 2) x = X::template shift<2>(l[c], l[c + 1]);
          if (kx == 3) x = X::template shift<3>(l[c], l[c + 1]);
          if (kx == 4) x = X::template shift<4>(l[c], l[c + 1]);
#pragma GCC unroll 32
          for (int o = 0; o < R; ++o) {
            const int ky = r - o;
            if (ky >= 0 && ky < K) acc[o][c] = X::fmadd(tp.w[ky * K + kx], x, acc[o][c]);
          }
        }
      continue;
    }
#pragma GCC unroll 32
    for (int kx = 0; kx < K; ++kx)
#pragma GCC unroll 32
      for (int c = 0; c < C; ++c) {
        const float* at = row + ix + kx + V * c;
        typename X::Vec x;
        if constexpr (kEdge)
          x = X::load_masked(m[kx][c], at);
        else
          x = X::loadu(at);
        // Keeps x in a register: folded into each FMA, the same vector would be loaded once per
        // kernel row, and loads (most split across cache lines) are the scarcer resource.
#if defined(__aarch64__)
        asm("" : "+w"(x));
#else
        asm("" : "+v"(x));
#endif
#pragma GCC unroll 32
        for (int o = 0; o < R; ++o) {
          const int ky = r - o;
          if (ky >= 0 && ky < K) acc[o][c] = X::fmadd(tp.w[ky * K + kx], x, acc[o][c]);
        }
      }
  }
  store_band<X, K, R, C, kEdge>(tp, acc, out, out_w, ox);
}

// Stride 2, R output rows x C vectors at output column ox, deinterleaving in registers: each
// input row's C pairs of vectors split into even (E) and odd (O) columns, plus the few columns
// past them; tap kx of the outputs is then E (kx 0), O (1), E shifted by one (2), O shifted by
// one (3), E shifted by two (4). Computing every stride-1 output and keeping the even ones costs
// twice the FMAs and loads; splitting each row once into scratch costs stores and reloads that
// measured slower than these shuffles. kEdge: some columns read lie outside [0, in_w) (masked
// loads) or some outputs past out_w (masked stores).
template <class X, int K, int R, int C, bool kEdge, bool kRows>
[[gnu::always_inline]] inline void s2_step(const Taps<X, K>& tp, BandRows in, int64_t in_w, int64_t pad_left,
                                           float* out, int64_t out_w, int64_t ox) {
  constexpr int V = X::V;
  const int64_t ix = 2 * ox - pad_left;
  typename X::Vec acc[R][C];
#pragma GCC unroll 32
  for (int o = 0; o < R; ++o)
#pragma GCC unroll 32
    for (int c = 0; c < C; ++c) acc[o][c] = tp.bias;
  typename X::Mask m[2 * C];
  if constexpr (kEdge)
#pragma GCC unroll 32
    for (int v = 0; v < 2 * C; ++v) m[v] = X::lane_mask(ix + V * v, in_w);
#pragma GCC unroll 32
  for (int r = 0; r < 2 * (R - 1) + K; ++r) {
    if (kRows && !in.has(r)) continue;
    const float* row = in.row(r);
    typename X::Vec e[C + 1], od[C + 1];
#pragma GCC unroll 32
    for (int v = 0; v < C; ++v) {
      const float* p = row + ix + 2 * V * v;
      if constexpr (kEdge)
        X::split(X::load_masked(m[2 * v], p), X::load_masked(m[2 * v + 1], p + V), e[v], od[v]);
      else
        X::split(X::loadu(p), X::loadu(p + V), e[v], od[v]);
    }
    // The taps past the last vector need only the next 1 (3x3) or 3 (5x5) input columns.
    const typename X::Vec head = kEdge ? X::load_head(row, ix + 2 * V * C, in_w) : X::load_head(row + ix + 2 * V * C);
    if constexpr (K == 3)
      e[C] = head;
    else
      X::split(head, X::zero(), e[C], od[C]);
#pragma GCC unroll 32
    for (int c = 0; c < C; ++c)
#pragma GCC unroll 32
      for (int kx = 0; kx < K; ++kx) {
        typename X::Vec x;
        if (kx == 0) x = e[c];
        if (kx == 1) x = od[c];
        if (kx == 2) x = X::template shift<1>(e[c], e[c + 1]);
        if (kx == 3) x = X::template shift<1>(od[c], od[c + 1]);
        if (kx == 4) x = X::template shift<2>(e[c], e[c + 1]);
#pragma GCC unroll 32
        for (int o = 0; o < R; ++o) {
          const int ky = r - 2 * o;
          if (ky >= 0 && ky < K) acc[o][c] = X::fmadd(tp.w[ky * K + kx], x, acc[o][c]);
        }
      }
  }
  store_band<X, K, R, C, kEdge>(tp, acc, out, out_w, ox);
}

// One band: R output rows. Stride 1: interior steps read only columns in [0, in_w) and need no
// masks; the outputs whose window crosses the left or right border (one vector at each end
// unless the padding exceeds it) take masked steps. kRows: some of the band's input rows are
// padding (the first and last bands).
template <class X, int K, int S, int R, bool kRows>
void band(const DwGeom& g, const Taps<X, K>& tp, BandRows in, float* out) {
  constexpr int V = X::V, C = step_cols<X, K, S>();
  int64_t ox = 0;
  if constexpr (S == 2) {
    // Interior: the n outputs' columns [2x - pad_left, + 2n + 4) (vectors and head) lie inside.
    const auto interior = [&](int64_t x, int64_t n) {
      return 2 * x >= g.pad_left && 2 * (x + n) - g.pad_left + 4 <= g.in_w && x + n <= g.out_w;
    };
    if (C > 1 && (C - 1) * V < g.out_w && g.out_w <= C * V && !interior(0, g.out_w))  // the row in one step
      return s2_step<X, K, R, C, true, kRows>(tp, in, g.in_w, g.pad_left, out, g.out_w, 0);
    for (; ox < g.out_w && !interior(ox, V); ox += V)
      s2_step<X, K, R, 1, true, kRows>(tp, in, g.in_w, g.pad_left, out, g.out_w, ox);
    for (; interior(ox, C * V); ox += C * V)
      s2_step<X, K, R, C, false, kRows>(tp, in, g.in_w, g.pad_left, out, g.out_w, ox);
    for (; ox < g.out_w; ox += V) s2_step<X, K, R, 1, true, kRows>(tp, in, g.in_w, g.pad_left, out, g.out_w, ox);
  } else {
    const auto interior = [&](int64_t x, int64_t n) {
      return x >= g.pad_left && x - g.pad_left + K - 1 + n <= g.in_w && x + n <= g.out_w;
    };
    if (C > 1 && (C - 1) * V < g.out_w && g.out_w <= C * V && !interior(0, g.out_w))  // the row in one step
      return s1_step<X, K, R, C, true, kRows>(tp, in, g.in_w, g.pad_left, out, g.out_w, 0);
    for (; ox < g.out_w && !interior(ox, V); ox += V)
      s1_step<X, K, R, 1, true, kRows>(tp, in, g.in_w, g.pad_left, out, g.out_w, ox);
    for (; interior(ox, C * V); ox += C * V)
      s1_step<X, K, R, C, false, kRows>(tp, in, g.in_w, g.pad_left, out, g.out_w, ox);
    for (; interior(ox, V); ox += V) s1_step<X, K, R, 1, false, kRows>(tp, in, g.in_w, g.pad_left, out, g.out_w, ox);
    for (; ox < g.out_w; ox += V) s1_step<X, K, R, 1, true, kRows>(tp, in, g.in_w, g.pad_left, out, g.out_w, ox);
  }
}

// Output rows [oy, oy + R) read input rows first + r, r < S * (R - 1) + K.
template <class X, int K, int S, int R>
void rows(const DwGeom& g, const Taps<X, K>& tp, const float* in, int64_t oy, float* out) {
  constexpr int kRows = S * (R - 1) + K;
  const BandRows b{in, S * oy - g.pad_top, g.in_w, g.in_h};
  float* o = out + oy * g.out_w;
  if (b.first >= 0 && b.first + kRows <= g.in_h)
    band<X, K, S, R, false>(g, tp, b, o);
  else
    band<X, K, S, R, true>(g, tp, b, o);
}

template <class X, int K, int S>
void plane(const DwGeom& g, const float* in, const float* w, float bias, float* out) {
  constexpr int R = band_rows<X, K, S>();
  const Taps<X, K> tp(g, w, bias);
  int64_t oy = 0;
  for (; oy + R <= g.out_h; oy += R) rows<X, K, S, R>(g, tp, in, oy, out);
  if constexpr (R > 2)
    for (; oy + 2 <= g.out_h; oy += 2) rows<X, K, S, 2>(g, tp, in, oy, out);
  if (oy < g.out_h) rows<X, K, S, 1>(g, tp, in, oy, out);
}

template <class X>
const PlaneKernels& plane_kernels() {
  static const PlaneKernels k{{{plane<X, 3, 1>, plane<X, 3, 2>}, {plane<X, 5, 1>, plane<X, 5, 2>}}};
  return k;
}

}  // namespace plane_impl
}  // namespace prunq::dwconv_detail
