// fp32 depthwise 2-D convolution for inference (groups == in_channels == out_channels), NCHW
// like conv_f32 (conv_params.h): weight [C, 1, KH, KW], bias [C], fused bias + ReLU/ReLU6.
// Direct kernels, no GEMM, no copy of the input (3x3 and 5x5, stride 1 and 2, per ISA): planes
// at least a vector wide run the plane kernels, several output rows per pass straight from the
// input rows, vectorised along the row; narrower planes (7x7, 14x14) run the block kernels, one
// channel per vector lane. Other shapes (dilation, other sizes, unequal strides) use a generic
// loop. See dw_kernels.h.
#pragma once

#include "core/cpu_features.h"
#include "kernels/conv_f32/conv_params.h"
#include "kernels/gemm_f32/gemm_f32.h"

namespace prunq {

// bias may be null; output must not alias input. Threaded over (image, channel) planes, or
// (image, channel block) for the block kernels.
void dwconv2d_f32(const Conv2dParams& p, const float* input, const float* weight, const float* bias,
                  Activation act, float* output);

// One specific variant (scalar, avx2, avx512, neon) for tests and benchmarks; throws if unavailable.
void dwconv2d_f32_isa(Isa isa, const Conv2dParams& p, const float* input, const float* weight, const float* bias,
                      Activation act, float* output);
bool dwconv2d_f32_variant_available(Isa isa);

}  // namespace prunq
