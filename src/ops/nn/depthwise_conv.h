// Direct-loop depthwise convolution (group == input channels, one input channel per group).
// im2col + GEMM would multiply a 1-row weight matrix per channel, which wastes both; the direct
// loop reads each input once per kernel tap and is memory-bound like the op itself.
// Output channel m reads input channel m / multiplier (multiplier = out_channels / channels).
#pragma once
#include <cstdint>

#include "ops/nn/window_geometry.h"

namespace prunq::nn {

struct DepthwiseShape {
  int64_t batch, channels, multiplier;
  Window2d w;
};

// y[b, m] = conv(x[b, m / multiplier], weight[m]) + bias[m]; bias may be null.
void depthwise_forward(const DepthwiseShape& s, const float* x, const float* weight, const float* bias, float* y);

// Gradients; any output pointer may be null when not wanted. dx and dweight are overwritten.
void depthwise_backward(const DepthwiseShape& s, const float* x, const float* weight, const float* dy, float* dx,
                        float* dweight);

}  // namespace prunq::nn
