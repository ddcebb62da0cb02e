// The generic depthwise loop: straight from the input, skipping the taps that fall on padding.
#include "kernels/dwconv_f32/generic.h"

#include <algorithm>
#include <cstdint>

namespace prunq::dwconv_detail {

void generic_plane(const Conv2dParams& p, const float* in, const float* w, float bias, float lo, float hi, float* out) {
  const int64_t oh = p.out_h(), ow = p.out_w();
  for (int64_t oy = 0; oy < oh; ++oy)
    for (int64_t ox = 0; ox < ow; ++ox) {
      float acc = bias;
      for (int64_t ky = 0; ky < p.kernel_h; ++ky) {
        const int64_t iy = oy * p.stride_h - p.pad_top + ky * p.dilation_h;
        if (iy < 0 || iy >= p.in_h) continue;
        for (int64_t kx = 0; kx < p.kernel_w; ++kx) {
          const int64_t ix = ox * p.stride_w - p.pad_left + kx * p.dilation_w;
          if (ix >= 0 && ix < p.in_w) acc += w[ky * p.kernel_w + kx] * in[iy * p.in_w + ix];
        }
      }
      out[oy * ow + ox] = std::min(std::max(acc, lo), hi);
    }
}

}  // namespace prunq::dwconv_detail
