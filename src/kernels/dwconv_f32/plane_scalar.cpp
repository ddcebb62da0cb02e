// Portable depthwise plane kernels. Outputs whose window lies inside the input run a fixed-size
// loop the compiler unrolls and vectorises along the row with the baseline SIMD. Large planes
// are read in place and their border outputs check every tap; small planes (7x7, 14x14), where
// the borders are a large share of the outputs, are first copied into a zero-bordered plane on
// the stack so that every output takes the unchecked loop.
#include <algorithm>

#include "kernels/dwconv_f32/dw_kernels.h"

namespace prunq::dwconv_detail {
namespace {

// Planes copied to the stack: output rows at most kSmallWidth wide (two border outputs in 16 or
// more) whose padded plane (span_h * span_w floats) fits kSmallPlane (16 KiB). Wider planes
// measured faster in place, stride 2 most of all (its copy is four times the output).
constexpr int64_t kSmallWidth = 16, kSmallPlane = 4096;

// Outputs [ox0, ox1) of one output row: tap (ky, kx) of output ox is r[ky * stride + ox * S + c0 + kx].
template <int K, int S>
void unchecked_run(const float* r, int64_t stride, int64_t c0, const float* w, float bias, float lo, float hi,
                   int64_t ox0, int64_t ox1, float* o) {
  for (int64_t ox = ox0; ox < ox1; ++ox) {
    float acc = bias;
    for (int ky = 0; ky < K; ++ky)
      for (int kx = 0; kx < K; ++kx) acc += w[ky * K + kx] * r[ky * stride + ox * S + c0 + kx];
    o[ox] = std::min(std::max(acc, lo), hi);
  }
}

// One output with its window partly outside the input.
template <int K, int S>
float border_output(const DwGeom& g, const float* in, const float* w, float bias, int64_t oy, int64_t ox) {
  float acc = bias;
  for (int ky = 0; ky < K; ++ky) {
    const int64_t iy = oy * S - g.pad_top + ky;
    if (iy < 0 || iy >= g.in_h) continue;
    for (int kx = 0; kx < K; ++kx) {
      const int64_t ix = ox * S - g.pad_left + kx;
      if (ix >= 0 && ix < g.in_w) acc += w[ky * K + kx] * in[iy * g.in_w + ix];
    }
  }
  return std::min(std::max(acc, g.lo), g.hi);
}

template <int K, int S>
void small_plane(const DwGeom& g, const float* in, const float* w, float bias, float* out) {
  const int64_t sh = g.span_h(), sw = g.span_w();
  float padded[kSmallPlane];
  std::fill(padded, padded + sh * sw, 0.f);
  // Input rows and columns inside the span (the span may cut off the last ones at stride 2).
  const int64_t x0 = std::min(g.pad_left, sw), n = std::clamp<int64_t>(sw - g.pad_left, 0, g.in_w);
  for (int64_t y = std::min(g.pad_top, sh); y < sh && y - g.pad_top < g.in_h; ++y)
    std::copy(in + (y - g.pad_top) * g.in_w, in + (y - g.pad_top) * g.in_w + n, padded + y * sw + x0);
  for (int64_t oy = 0; oy < g.out_h; ++oy)
    unchecked_run<K, S>(padded + oy * S * sw, sw, 0, w, bias, g.lo, g.hi, 0, g.out_w, out + oy * g.out_w);
}

template <int K, int S>
void plane(const DwGeom& g, const float* in, const float* w, float bias, float* out) {
  if (g.out_w <= kSmallWidth && g.span_h() * g.span_w() <= kSmallPlane) return small_plane<K, S>(g, in, w, bias, out);
  // Outputs [ox0, ox1) of a row have every column of their window inside the input.
  const int64_t ox0 = std::min(g.out_w, (g.pad_left + S - 1) / S);
  const int64_t last = g.in_w - K + g.pad_left;  // ox * S <= last keeps the window's right end inside
  const int64_t ox1 = last < 0 ? ox0 : std::clamp<int64_t>(last / S + 1, ox0, g.out_w);
  for (int64_t oy = 0; oy < g.out_h; ++oy) {
    float* o = out + oy * g.out_w;
    const int64_t iy0 = oy * S - g.pad_top;
    if (iy0 < 0 || iy0 + K > g.in_h || ox0 == ox1) {
      for (int64_t ox = 0; ox < g.out_w; ++ox) o[ox] = border_output<K, S>(g, in, w, bias, oy, ox);
      continue;
    }
    for (int64_t ox = 0; ox < ox0; ++ox) o[ox] = border_output<K, S>(g, in, w, bias, oy, ox);
    unchecked_run<K, S>(in + iy0 * g.in_w, g.in_w, -g.pad_left, w, bias, g.lo, g.hi, ox0, ox1, o);
    for (int64_t ox = ox1; ox < g.out_w; ++ox) o[ox] = border_output<K, S>(g, in, w, bias, oy, ox);
  }
}

}  // namespace

const PlaneKernels& plane_kernels_scalar() {
  static const PlaneKernels k{{{plane<3, 1>, plane<3, 2>}, {plane<5, 1>, plane<5, 2>}}};
  return k;
}

}  // namespace prunq::dwconv_detail
