// Winograd F(2x2, 3x3) convolution for the most common layer: 3x3 kernel, stride 1, no
// dilation, one group. Each 2x2 output tile costs 16 multiplies per channel pair instead of 36,
// so the GEMM work drops 2.25x; the transforms are cheap, cache-resident passes.
//   U = G g G^T (weights, 16 x [M, C]),  V = B^T d B (input tiles, 16 x [C, tiles]),
//   16 GEMMs  M_k = U_k V_k  through gemm_f32,  then  Y = A^T m A  per tile (+ bias).
// The same routine computes the input gradient of such a conv (a 3x3 conv of dY with the
// flipped, transposed weights), so training uses it in both directions.
#pragma once
#include <cstdint>

namespace prunq::nn {

struct WinogradShape {
  int64_t batch, in_channels, out_channels;
  int64_t ih, iw;  // input size
  int64_t pt, pl;  // leading pads (trailing pads follow from the output size)
  int64_t oh, ow;  // output size
};

// y[N, M, oh, ow] = conv3x3(x[N, C, ih, iw], weight[M, C, 3, 3]) + bias (bias may be null).
void winograd_conv3x3(const WinogradShape& s, const float* x, const float* weight, const float* bias, float* y);

// dx[N, C, ih, iw] (overwritten) for the stride-1 3x3 conv with leading pads (pt, pl) whose
// output gradient is dy[N, M, oh, ow]. Needs every pad <= 2 (checked by the caller).
void winograd_conv3x3_input_grad(int64_t batch, int64_t in_channels, int64_t out_channels, int64_t ih, int64_t iw,
                                 int64_t pt, int64_t pl, int64_t oh, int64_t ow, const float* dy, const float* weight,
                                 float* dx);

}  // namespace prunq::nn
