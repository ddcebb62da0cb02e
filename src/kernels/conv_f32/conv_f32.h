// fp32 2-D convolution for inference, NCHW (why: conv_params.h), any stride, padding,
// dilation and groups, with a fused per-channel bias + ReLU/ReLU6 epilogue.
//   * 1x1, stride 1, no padding: straight GEMM W[C_out, C_in] x X[C_in, H*W] per image.
//   * everything else: implicit GEMM. The GEMM driver asks for B = im2col(X) one KC x NC block
//     at a time and the packer gathers it straight from the image into the micro-kernel's
//     panels (zeros for padding), so the full im2col matrix is never materialised.
// Both run on the fp32 GEMM micro-kernel of the active ISA (or the one named), threaded;
// prepack_conv2d_f32 packs the weights once for repeated inference calls.
#pragma once
#include <cstdint>
#include <vector>

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

// Weights packed once (at model load) into the GEMM micro-kernel's A panels, so inference calls
// skip repacking them: that packing was ~25% of a 7x7-output layer such as ResNet-18's layer4.
// Bound to the GEMM variant it was packed for (the active one at packing time, or `isa`).
struct PackedConv2dF32 {
  Conv2dParams params;
  const void* ukernel = nullptr;  // the micro-kernel the panels are laid out for
  std::vector<float> panels;      // per group, gemm_detail::pack_a_whole's layout
  int64_t group_stride = 0;       // floats per group in `panels`
};
PackedConv2dF32 prepack_conv2d_f32(const Conv2dParams& p, const float* weight);
PackedConv2dF32 prepack_conv2d_f32_isa(Isa isa, const Conv2dParams& p, const float* weight);
// conv2d_f32 with prepacked weights; p.batch may differ from the packing-time batch.
void conv2d_f32_prepacked(const PackedConv2dF32& w, int64_t batch, const float* input, const float* bias,
                          Activation act, float* output);

// Direct seven-loop convolution with double accumulation: the test oracle.
void conv2d_f32_reference(const Conv2dParams& p, const float* input, const float* weight, const float* bias,
                          Activation act, float* output);

}  // namespace prunq
