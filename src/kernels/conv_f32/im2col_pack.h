// Internal: packs blocks of the im2col matrix of one image (one group) straight into the GEMM
// micro-kernel's B panels. Row k of im2col is (channel c, tap ky, kx) with
// k = (c * KH + ky) * KW + kx (the weight's own layout); column n is output pixel n = oy * OW + ox.
#pragma once
#include <cstdint>

#include "kernels/conv_f32/conv_params.h"
#include "kernels/gemm_f32/ukernel.h"

namespace prunq::conv_detail {

struct Im2colSource {
  const float* image;  // [channels of this group, H, W]
  const Conv2dParams* p;
  int64_t out_h, out_w;
};

// The gemm_detail::BPacker callback; ctx is a const Im2colSource*.
void pack_im2col(const void* ctx, const gemm_detail::Ukernel& uk, int64_t k0, int64_t kc, int64_t n0, int64_t nc,
                 float* dst);

}  // namespace prunq::conv_detail
