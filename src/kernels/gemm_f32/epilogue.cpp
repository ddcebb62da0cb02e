// The plain epilogue pass (reference for the fused ones, second pass after a BLAS call) and
// the activation helper shared by GEMM and convolution callers.
#include <algorithm>

#include "kernels/gemm_f32/gemm_f32.h"

namespace prunq {

GemmEpilogue with_activation(GemmEpilogue e, Activation act) {
  switch (act) {
    case Activation::none: break;
    case Activation::relu: e.clamp_min = 0.f; break;
    case Activation::relu6:
      e.clamp_min = 0.f;
      e.clamp_max = 6.f;
      break;
  }
  return e;
}

void gemm_f32_apply_epilogue(int64_t M, int64_t N, float* C, int64_t ldc, const GemmEpilogue& e) {
  for (int64_t i = 0; i < M; ++i) {
    float* c = C + i * ldc;
    const float rb = e.row_bias ? e.row_bias[i] : 0.f;
    for (int64_t j = 0; j < N; ++j) {
      float v = c[j] + rb;
      if (e.col_bias) v += e.col_bias[j];
      c[j] = std::min(std::max(v, e.clamp_min), e.clamp_max);
    }
  }
}

}  // namespace prunq
