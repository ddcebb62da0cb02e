// Geometry of a 2-D convolution as the fp32 inference kernels take it (ONNX Conv semantics).
// Layout is NCHW throughout: input [N, C_in, H, W], weight [C_out, C_in / groups, KH, KW],
// output [N, C_out, OH, OW], bias [C_out]. NCHW is the graph's own layout, so the executor never
// transposes around a conv; it makes a 1x1 conv the plain GEMM W[C_out, C_in] x X[C_in, H*W]
// and lets the KxK path pack im2col panels straight from the image (see conv_f32.h).
#pragma once
#include <cstdint>

namespace prunq {

struct Conv2dParams {
  int64_t batch = 1, in_channels = 0, in_h = 0, in_w = 0;
  int64_t out_channels = 0, kernel_h = 1, kernel_w = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int64_t groups = 1;

  int64_t out_h() const { return (in_h + pad_top + pad_bottom - dilation_h * (kernel_h - 1) - 1) / stride_h + 1; }
  int64_t out_w() const { return (in_w + pad_left + pad_right - dilation_w * (kernel_w - 1) - 1) / stride_w + 1; }
};

// Throws prunq::Error naming `who` and the offending field unless p describes a valid conv with
// a non-empty output (positive sizes, channels divisible by groups, non-negative padding).
void check_conv2d_params(const Conv2dParams& p, const char* who);

}  // namespace prunq
