// Internal (tests and benchmarks): run one specific depthwise path, so each can be checked and
// timed on shapes the automatic choice would send elsewhere.
#pragma once
#include "core/cpu_features.h"
#include "kernels/conv_f32/conv_params.h"
#include "kernels/gemm_f32/gemm_f32.h"

namespace prunq {

enum class DwPath {
  automatic,  // what dwconv2d_f32 does
  plane,      // per-plane kernels (3x3/5x5, stride 1/2, no dilation)
  block,      // channel-block kernels, same shapes (vector variants only)
  generic,    // the loop for any shape
};

// Like dwconv2d_f32_isa on `path`; throws if the variant lacks the path or the shape does not fit it.
void dwconv2d_f32_path(Isa isa, DwPath path, const Conv2dParams& p, const float* input, const float* weight,
                       const float* bias, Activation act, float* output);

}  // namespace prunq
