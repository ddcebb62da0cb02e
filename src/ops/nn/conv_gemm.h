// Convolution as im2col + gemm_f32 over chunks of images. Layers with few input channels put
// many images' columns into one matrix (one GEMM per chunk and group); large layers take one
// image per chunk, sized so the column buffer stays in L2. Threads split the chunks and run
// their GEMMs single-threaded; with a single chunk the GEMM and im2col thread themselves.
#pragma once
#include <cstdint>

#include "ops/nn/window_geometry.h"

namespace prunq::nn {

struct ConvGemmShape {
  int64_t batch, in_channels, out_channels, group;
  Window2d w;
};

// y[N, M, oh, ow] = conv(x, weight) + bias (bias may be null).
void conv_gemm_forward(const ConvGemmShape& s, const float* x, const float* weight, const float* bias, float* y);

// Gradients from dy[N, M, oh, ow]; pass null for the ones not wanted. All are overwritten.
void conv_gemm_backward(const ConvGemmShape& s, const float* x, const float* weight, const float* dy, float* dx,
                        float* dweight, float* dbias);

}  // namespace prunq::nn
