// Portable micro-kernel (plain C++, no ISA flags): what every machine can run, and what
// PRUNQ_ISA=scalar selects. The fixed 4x8 tile keeps its 32 accumulators in 8 baseline SIMD
// registers (SSE2 / NEON) once the compiler vectorises the j loop; 4x16 or 8x8 spill on SSE2
// and ran 3.5x slower (8 vs 30 GFLOP/s on Zen 4).
#include <algorithm>

#include "kernels/gemm_f32/ukernel.h"

namespace prunq::gemm_detail {
namespace {

constexpr int kMr = 4, kNr = 8;

void ukernel_4x8(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int m, int n,
                  const TileStore& st) {
  float acc[kMr][kNr] = {};
  for (int64_t k = 0; k < kc; ++k) {
    for (int i = 0; i < kMr; ++i) {
      float ai = a[i];
      for (int j = 0; j < kNr; ++j) acc[i][j] += ai * b[j];
    }
    a += kMr;
    b += kNr;
  }
  for (int i = 0; i < m; ++i) {
    float* ci = c + i * ldc;
    float rb = st.row_bias ? st.row_bias[i] : 0.f;
    for (int j = 0; j < n; ++j) {
      float v = st.alpha * acc[i][j];
      if (st.beta != 0.f) v += st.beta * ci[j];
      v += rb;
      if (st.col_bias) v += st.col_bias[j];
      if (st.clamp) v = std::min(std::max(v, st.clamp_min), st.clamp_max);
      ci[j] = v;
    }
  }
}

}  // namespace

const Ukernel& ukernel_scalar() {
  // A panel 4x256 (4 KiB) in L1, B block 256x512 (512 KiB: boards have smaller L2s) in L2.
  static const Ukernel k{"gemm_f32_4x8__scalar", Isa::scalar, kMr, kNr, 2048, 256, 512, ukernel_4x8,
                         pack_strided_scalar, pack_contiguous_scalar};
  return k;
}

}  // namespace prunq::gemm_detail
