// Internal: the vector block kernels (see dw_kernels.h), written once over a vector type X
// (simd_avx2.h, simd_avx512.h) and instantiated by block_avx2.cpp / block_avx512.cpp.
// X::V channels of one image per call, one channel per lane: the channels are transposed into
// a zero-bordered pixel grid [span_h][span_w][V]; X::V output pixels at a time then accumulate
// in X::V registers, each tap one FMA on a full vector (stride 2 needs no shuffles), and are
// transposed back into the output planes.
#pragma once
#include <algorithm>
#include <cstdint>

#include "kernels/dwconv_f32/dw_kernels.h"

namespace prunq::dwconv_detail {
namespace block_impl {

// V rows of n floats, `stride` apart, the first nc of them real (the others read as zero):
// their columns [at, at + V) (masked to [0, n)), transposed so r[j] holds column at + j.
template <class X>
inline void load_columns(const float* src, int64_t stride, int64_t nc, int64_t at, int64_t n,
                         typename X::Vec (&r)[X::V]) {
  const typename X::Mask m = X::lane_mask(at, n);
#pragma GCC unroll 32
  for (int c = 0; c < X::V; ++c) r[c] = c < nc ? X::load_masked(m, src + c * stride + at) : X::zero();
  X::transpose(r);
}

// The grid: padding cells zeroed, the input pixels the outputs read transposed in.
template <class X>
void fill_grid(const DwGeom& g, const float* in, int64_t nc, float* grid) {
  constexpr int V = X::V;
  const int64_t sh = g.span_h(), sw = g.span_w(), hw = g.in_h * g.in_w;
  const int64_t x0 = std::min(g.pad_left, sw), x1 = std::min(g.pad_left + g.in_w, sw);
  for (int64_t y = 0; y < sh; ++y) {
    float* row = grid + y * sw * V;
    const int64_t iy = y - g.pad_top;
    const bool pad_row = iy < 0 || iy >= g.in_h;
    for (int64_t x = 0; x < (pad_row ? sw : x0); ++x) X::store(row + x * V, X::zero());
    if (!pad_row)
      for (int64_t x = std::max(x0, x1); x < sw; ++x) X::store(row + x * V, X::zero());
  }
  // Each channel's input is one flat run of in_h * in_w pixels: V pixels per transpose.
  int64_t iy = 0, ix = 0;
  for (int64_t q = 0; q < hw; q += V) {
    typename X::Vec r[V];
    load_columns<X>(in, hw, nc, q, hw, r);
    const int64_t np = std::min<int64_t>(V, hw - q);
#pragma GCC unroll 32
    for (int j = 0; j < np; ++j) {
      const int64_t y = iy + g.pad_top, x = ix + g.pad_left;
      if (y < sh && x < sw) X::store(grid + (y * sw + x) * V, r[j]);
      if (++ix == g.in_w) ix = 0, ++iy;
    }
  }
}

// acc[j] += sum over taps [T0, T1) of wt[t] * (grid at base[j] + the tap's offset). The group's
// weights stay in registers beside the V accumulators; each tap of each pixel is one load.
template <class X, int K, int T0, int T1>
inline void tap_group(const float* wt, const float* const (&base)[X::V], int64_t row_stride,
                      typename X::Vec (&acc)[X::V]) {
  typename X::Vec w[T1 - T0];
#pragma GCC unroll 32
  for (int t = T0; t < T1; ++t) w[t - T0] = X::load(wt + t * X::V);
#pragma GCC unroll 32
  for (int j = 0; j < X::V; ++j) {
    const float* p = base[j];
#pragma GCC unroll 32
    for (int t = T0; t < T1; ++t)
      acc[j] = X::fmadd(w[t - T0], X::load(p + (t / K) * row_stride + (t % K) * X::V), acc[j]);
  }
}

// Taps [T0, K*K) in groups of at most X::kMaxGroup, sized evenly.
template <class X, int K, int T0 = 0>
inline void all_taps(const float* wt, const float* const (&base)[X::V], int64_t row_stride,
                     typename X::Vec (&acc)[X::V]) {
  constexpr int kTaps = K * K, kGroups = (kTaps + X::kMaxGroup - 1) / X::kMaxGroup;
  constexpr int kGroup = (kTaps + kGroups - 1) / kGroups, T1 = std::min(T0 + kGroup, kTaps);
  tap_group<X, K, T0, T1>(wt, base, row_stride, acc);
  if constexpr (T1 < kTaps) all_taps<X, K, T1>(wt, base, row_stride, acc);
}

template <class X, int K, int S>
void block(const DwGeom& g, const float* in, const float* w, const float* bias, int64_t nc, float* out,
           float* scratch) {
  constexpr int V = X::V, kTaps = K * K;
  const int64_t sw = g.span_w(), ohw = g.out_h * g.out_w;
  float* grid = scratch;
  float* wt = scratch + g.span_h() * sw * V;  // tap t's V channel weights at wt + t * V
  for (int t = 0; t < kTaps; t += V) {
    typename X::Vec r[V];
    load_columns<X>(w, kTaps, nc, t, kTaps, r);
    for (int j = 0; j < V && t + j < kTaps; ++j) X::store(wt + (t + j) * V, r[j]);
  }
  fill_grid<X>(g, in, nc, grid);
  const typename X::Vec vb = bias ? X::load_masked(X::lane_mask(0, nc), bias) : X::zero();
  const typename X::Vec vlo = X::set1(g.lo), vhi = X::set1(g.hi);
  int64_t oy = 0, ox = 0;  // the output pixel q + j below
  for (int64_t q = 0; q < ohw; q += V) {
    const int64_t np = std::min<int64_t>(V, ohw - q);
    // Lanes past the last pixel repeat it: computed, never stored.
    const float* base[V];
#pragma GCC unroll 32
    for (int j = 0; j < V; ++j) {
      base[j] = grid + (oy * S * sw + ox * S) * V;
      if (j + 1 < np && ++ox == g.out_w) ox = 0, ++oy;
    }
    if (++ox == g.out_w) ox = 0, ++oy;
    typename X::Vec acc[V];
#pragma GCC unroll 32
    for (int j = 0; j < V; ++j) acc[j] = vb;
    all_taps<X, K>(wt, base, sw * V, acc);
#pragma GCC unroll 32
    for (int j = 0; j < V; ++j) acc[j] = X::clamp(acc[j], vlo, vhi);
    X::transpose(acc);
    const typename X::Mask pm = X::lane_mask(0, np);
#pragma GCC unroll 32
    for (int c = 0; c < nc; ++c) X::store_masked(pm, out + c * ohw + q, acc[c]);
  }
}

template <class X>
const BlockKernels& block_kernels() {
  static const BlockKernels k{X::V, {{block<X, 3, 1>, block<X, 3, 2>}, {block<X, 5, 1>, block<X, 5, 2>}}};
  return k;
}

}  // namespace block_impl
}  // namespace prunq::dwconv_detail
