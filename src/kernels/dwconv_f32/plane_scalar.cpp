// Portable depthwise plane kernels, straight from the input: rows and columns whose window lies
// inside the input run a fixed-size loop the compiler unrolls and vectorises along the row with
// the baseline SIMD; the border outputs check every tap.
#include <algorithm>

#include "kernels/dwconv_f32/dw_kernels.h"

namespace prunq::dwconv_detail {
namespace {

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
void plane(const DwGeom& g, const float* in, const float* w, float bias, float* out) {
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
    const float* r = in + iy0 * g.in_w;
    for (int64_t ox = ox0; ox < ox1; ++ox) {
      float acc = bias;
      for (int ky = 0; ky < K; ++ky)
        for (int kx = 0; kx < K; ++kx) acc += w[ky * K + kx] * r[ky * g.in_w + ox * S - g.pad_left + kx];
      o[ox] = std::min(std::max(acc, g.lo), g.hi);
    }
    for (int64_t ox = ox1; ox < g.out_w; ++ox) o[ox] = border_output<K, S>(g, in, w, bias, oy, ox);
  }
}

}  // namespace

const PlaneKernels& plane_kernels_scalar() {
  static const PlaneKernels k{{{plane<3, 1>, plane<3, 2>}, {plane<5, 1>, plane<5, 2>}}};
  return k;
}

}  // namespace prunq::dwconv_detail
