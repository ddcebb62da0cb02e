#include <algorithm>

#include "kernels/conv_f32/conv_f32.h"

namespace prunq {

void conv2d_f32_reference(const Conv2dParams& p, const float* input, const float* weight, const float* bias,
                          Activation act, float* output) {
  check_conv2d_params(p, "conv2d_f32_reference");
  const int64_t oh = p.out_h(), ow = p.out_w();
  const int64_t cin_g = p.in_channels / p.groups, cout_g = p.out_channels / p.groups;
  const GemmEpilogue clamp = with_activation({}, act);
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t co = 0; co < p.out_channels; ++co) {
      const int64_t g = co / cout_g;
      for (int64_t oy = 0; oy < oh; ++oy)
        for (int64_t ox = 0; ox < ow; ++ox) {
          double acc = bias ? bias[co] : 0.0;
          for (int64_t ci = 0; ci < cin_g; ++ci)
            for (int64_t ky = 0; ky < p.kernel_h; ++ky) {
              const int64_t iy = oy * p.stride_h - p.pad_top + ky * p.dilation_h;
              if (iy < 0 || iy >= p.in_h) continue;
              for (int64_t kx = 0; kx < p.kernel_w; ++kx) {
                const int64_t ix = ox * p.stride_w - p.pad_left + kx * p.dilation_w;
                if (ix < 0 || ix >= p.in_w) continue;
                const float x = input[((n * p.in_channels + g * cin_g + ci) * p.in_h + iy) * p.in_w + ix];
                const float w = weight[((co * cin_g + ci) * p.kernel_h + ky) * p.kernel_w + kx];
                acc += double(x) * w;
              }
            }
          const float v = static_cast<float>(acc);
          output[((n * p.out_channels + co) * oh + oy) * ow + ox] = std::min(std::max(v, clamp.clamp_min), clamp.clamp_max);
        }
    }
}

}  // namespace prunq
