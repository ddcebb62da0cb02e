// NEON panel packers for the NEON fp32 micro-kernel (see pack_avx2.cpp for why packing must run
// at vector speed: small-M GEMMs are packing-bound).
//   transposing: 4 source rows x 4 k through an in-register 4x4 transpose (TRN1/TRN2 pairs);
//   contiguous: inline 4-float copies, zeros to the panel width.
#include <arm_neon.h>

#include "kernels/gemm_f32/ukernel.h"

namespace prunq::gemm_detail {

void pack_strided_neon(const float* src, int64_t ld, int64_t kc, int valid, int w, float* dst) {
  int j0 = 0;
  for (; j0 + 4 <= valid; j0 += 4) {
    const float* s = src + j0 * ld;
    int64_t k0 = 0;
    for (; k0 + 4 <= kc; k0 += 4) {
      const float32x4_t r0 = vld1q_f32(s + k0), r1 = vld1q_f32(s + ld + k0), r2 = vld1q_f32(s + 2 * ld + k0),
                        r3 = vld1q_f32(s + 3 * ld + k0);
      // 2x2 blocks of pairs, then of 64-bit halves: column k of the 4 rows in t[k].
      const float32x4_t p0 = vtrn1q_f32(r0, r1), p1 = vtrn2q_f32(r0, r1), p2 = vtrn1q_f32(r2, r3),
                        p3 = vtrn2q_f32(r2, r3);
      const float32x4_t t0 = vreinterpretq_f32_f64(vtrn1q_f64(vreinterpretq_f64_f32(p0), vreinterpretq_f64_f32(p2)));
      const float32x4_t t1 = vreinterpretq_f32_f64(vtrn1q_f64(vreinterpretq_f64_f32(p1), vreinterpretq_f64_f32(p3)));
      const float32x4_t t2 = vreinterpretq_f32_f64(vtrn2q_f64(vreinterpretq_f64_f32(p0), vreinterpretq_f64_f32(p2)));
      const float32x4_t t3 = vreinterpretq_f32_f64(vtrn2q_f64(vreinterpretq_f64_f32(p1), vreinterpretq_f64_f32(p3)));
      vst1q_f32(dst + (k0 + 0) * w + j0, t0);
      vst1q_f32(dst + (k0 + 1) * w + j0, t1);
      vst1q_f32(dst + (k0 + 2) * w + j0, t2);
      vst1q_f32(dst + (k0 + 3) * w + j0, t3);
    }
    for (; k0 < kc; ++k0)
      for (int i = 0; i < 4; ++i) dst[k0 * w + j0 + i] = s[i * ld + k0];
  }
  // Fewer than 4 rows left, then the zero padding up to the panel width.
  for (int64_t k = 0; k < kc; ++k) {
    float* d = dst + k * w;
    for (int j = j0; j < valid; ++j) d[j] = src[j * ld + k];
    for (int j = valid; j < w; ++j) d[j] = 0.f;
  }
}

void pack_contiguous_neon(const float* src, int64_t ld, int64_t kc, int valid, int w, float* dst) {
  for (int64_t k = 0; k < kc; ++k) {
    const float* s = src + k * ld;
    float* d = dst + k * w;
    int j = 0;
    for (; j + 4 <= valid; j += 4) vst1q_f32(d + j, vld1q_f32(s + j));
    for (; j < valid; ++j) d[j] = s[j];
    for (; j < w; ++j) d[j] = 0.f;
  }
}

}  // namespace prunq::gemm_detail
