// Convolution as im2col + gemm_f32 over chunks of images. The columns of a whole chunk go into
// one matrix, so each group does one large GEMM per chunk instead of one small GEMM per image;
// the chunk is sized to keep the column buffer cache-friendly. GEMMs run on the calling thread
// (gemm_f32 threads internally); im2col, col2im and the layout shuffles use parallel_for.
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
