// fp32 2-D convolution for inference, NCHW (why: conv_params.h), any stride, padding,
// dilation and groups, with a fused per-channel bias + ReLU/ReLU6 epilogue.
//   * 1x1, stride 1, no padding: straight GEMM W[C_out, C_in] x X[C_in, H*W] per image.
//   * everything else: implicit GEMM. The GEMM driver asks for B = im2col(X) one KC x NC block
//     at a time and the packer gathers it straight from the image into the micro-kernel's
//     panels (zeros for padding), so the full im2col matrix is never materialised.
// Both run on the fp32 GEMM micro-kernel of the active ISA (or the one named), threaded.
#pragma once
#include <cstdint>

#include "core/cpu_features.h"
#include "kernels/conv_f32/conv_params.h"
#include "kernels/gemm_f32/gemm_f32.h"

namespace prunq {

// bias may be null. output must not alias input.
void conv2d_f32(const Conv2dParams& p, const float* input, const float* weight, const float* bias,
                Activation act, float* output);

// The same with one specific GEMM variant (tests, benchmarks); throws if it is unavailable.
void conv2d_f32_isa(Isa isa, const Conv2dParams& p, const float* input, const float* weight, const float* bias,
                    Activation act, float* output);

// Direct seven-loop convolution with double accumulation: the test oracle.
void conv2d_f32_reference(const Conv2dParams& p, const float* input, const float* weight, const float* bias,
                          Activation act, float* output);

}  // namespace prunq
