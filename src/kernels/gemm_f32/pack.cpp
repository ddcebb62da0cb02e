// Panel packing for the fp32 GEMM driver (layouts in ukernel.h). Packing reads each element of
// a block once and writes the micro-kernel's panels contiguously, so the hot loop only ever sees
// unit-stride, aligned, zero-padded data whatever the transposition of the operands.
#include <algorithm>
#include <cstring>

#include "kernels/gemm_f32/driver.h"

namespace prunq::gemm_detail {

void pack_contiguous_scalar(const float* src, int64_t ld, int64_t kc, int valid, int w, float* dst) {
  for (int64_t k = 0; k < kc; ++k) {
    const float* s = src + k * ld;
    float* d = dst + k * w;
    std::memcpy(d, s, sizeof(float) * valid);
    for (int j = valid; j < w; ++j) d[j] = 0.f;
  }
}

// Walks the source rows in k-chunks so every cache line read is used for several k.
void pack_strided_scalar(const float* src, int64_t ld, int64_t kc, int valid, int w, float* dst) {
  constexpr int64_t kChunk = 16;
  for (int64_t k0 = 0; k0 < kc; k0 += kChunk) {
    int64_t k1 = std::min(kc, k0 + kChunk);
    for (int j = 0; j < valid; ++j) {
      const float* s = src + j * ld;
      for (int64_t k = k0; k < k1; ++k) dst[k * w + j] = s[k];
    }
    for (int j = valid; j < w; ++j)
      for (int64_t k = k0; k < k1; ++k) dst[k * w + j] = 0.f;
  }
}

void pack_b_matrix(const void* ctx, const Ukernel& uk, int64_t k0, int64_t kc, int64_t n0, int64_t nc, float* dst) {
  const MatrixF32& B = *static_cast<const MatrixF32*>(ctx);
  const int nr = uk.nr;
  for (int64_t j = 0; j < nc; j += nr) {
    int valid = static_cast<int>(std::min<int64_t>(nr, nc - j));
    if (!B.trans)
      uk.pack_contiguous(B.p + k0 * B.ld + n0 + j, B.ld, kc, valid, nr, dst);
    else
      uk.pack_strided(B.p + (n0 + j) * B.ld + k0, B.ld, kc, valid, nr, dst);
    dst += kc * nr;
  }
}

void pack_a_matrix(const MatrixF32& A, const Ukernel& uk, int64_t m0, int64_t mc, int64_t k0, int64_t kc, float* dst) {
  const int mr = uk.mr;
  for (int64_t i = 0; i < mc; i += mr) {
    int valid = static_cast<int>(std::min<int64_t>(mr, mc - i));
    if (A.trans)
      uk.pack_contiguous(A.p + k0 * A.ld + m0 + i, A.ld, kc, valid, mr, dst);
    else
      uk.pack_strided(A.p + (m0 + i) * A.ld + k0, A.ld, kc, valid, mr, dst);
    dst += kc * mr;
  }
}

}  // namespace prunq::gemm_detail
