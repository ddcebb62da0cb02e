// The AVX2 int8 peak loop without VNNI: 12 independent chains of the vpmaddubsw -> vpmaddwd(ones)
// -> vpaddd sequence that replaces vpdpbusd (32 MACs per two multiplies and one add), no loads.
// It is the multiplier-pipe limit of both AVX2 kernels: vpmaddwd on widened data (avx2.cpp) does
// 16 MACs per multiply, so the same multiplies per MAC. Inline assembly for the same reason as the
// AVX-512 loop: GCC would spill the accumulators and measure stores instead.
#include <immintrin.h>

#include "kernels/gemm_s8/s8_peak.h"

namespace prunq::s8_peak_detail {

uint64_t maddubs_loop_avx2(uint64_t iters, int seed, int* sink) {
  if (iters == 0) return 0;
  int out = 0;
  uint64_t n = iters;
  // ymm12: activation bytes, ymm13: weight bytes, ymm14: int16 ones, ymm15: the product in flight
  // (renamed per chain, so the chains stay independent).
#define PRUNQ_CHAIN(r)                                 \
  "vpmaddubsw %%ymm13, %%ymm12, %%ymm15\n\t"           \
  "vpmaddwd %%ymm14, %%ymm15, %%ymm15\n\t"             \
  "vpaddd %%ymm15, %%ymm" #r ", %%ymm" #r "\n\t"
  __asm__ volatile(
      "vmovd %[seed], %%xmm12\n\t"
      "vpbroadcastd %%xmm12, %%ymm12\n\t"
      "vpcmpeqd %%ymm14, %%ymm14, %%ymm14\n\t"
      "vpabsb %%ymm14, %%ymm13\n\t"  // bytes of 1
      "vpabsw %%ymm14, %%ymm14\n\t"  // int16 ones
      "vpxor %%ymm0, %%ymm0, %%ymm0\n\t"
      "vmovdqa %%ymm0, %%ymm1\n\t vmovdqa %%ymm0, %%ymm2\n\t vmovdqa %%ymm0, %%ymm3\n\t"
      "vmovdqa %%ymm0, %%ymm4\n\t vmovdqa %%ymm0, %%ymm5\n\t vmovdqa %%ymm0, %%ymm6\n\t"
      "vmovdqa %%ymm0, %%ymm7\n\t vmovdqa %%ymm0, %%ymm8\n\t vmovdqa %%ymm0, %%ymm9\n\t"
      "vmovdqa %%ymm0, %%ymm10\n\t vmovdqa %%ymm0, %%ymm11\n\t"
      "1:\n\t"
      PRUNQ_CHAIN(0) PRUNQ_CHAIN(1) PRUNQ_CHAIN(2) PRUNQ_CHAIN(3) PRUNQ_CHAIN(4) PRUNQ_CHAIN(5)
      PRUNQ_CHAIN(6) PRUNQ_CHAIN(7) PRUNQ_CHAIN(8) PRUNQ_CHAIN(9) PRUNQ_CHAIN(10) PRUNQ_CHAIN(11)
      "dec %[n]\n\t"
      "jnz 1b\n\t"
      "vpaddd %%ymm1, %%ymm0, %%ymm0\n\t"
      "vpaddd %%ymm11, %%ymm0, %%ymm0\n\t"
      "vmovd %%xmm0, %[out]\n\t"
      "vzeroupper\n\t"
      : [n] "+r"(n), [out] "=r"(out)
      : [seed] "r"(seed)
      : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
        "xmm12", "xmm13", "xmm14", "xmm15", "cc");
#undef PRUNQ_CHAIN
  *sink += out;
  return iters * 12 * 32;
}

}  // namespace prunq::s8_peak_detail
