// fp32 depthwise 2-D convolution for inference (groups == in_channels == out_channels), NCHW
// like conv_f32 (conv_params.h): weight [C, 1, KH, KW], bias [C], fused bias + ReLU/ReLU6.
// Direct kernels, no GEMM: each channel plane is copied once into a zero-bordered scratch plane,
// so the row kernels run branch-free over padding, vectorised along the output row
// (3x3 and 5x5, stride 1 and 2, per ISA); other shapes (dilation, other sizes, unequal strides)
// use a generic loop on the same scratch plane.
#pragma once

#include "core/cpu_features.h"
#include "kernels/conv_f32/conv_params.h"
#include "kernels/gemm_f32/gemm_f32.h"

namespace prunq {

// bias may be null; output must not alias input. Threaded over (image, channel) planes.
void dwconv2d_f32(const Conv2dParams& p, const float* input, const float* weight, const float* bias,
                  Activation act, float* output);

// One specific variant (scalar, avx2, avx512) for tests and benchmarks; throws if unavailable.
void dwconv2d_f32_isa(Isa isa, const Conv2dParams& p, const float* input, const float* weight, const float* bias,
                      Activation act, float* output);
bool dwconv2d_f32_variant_available(Isa isa);

}  // namespace prunq
