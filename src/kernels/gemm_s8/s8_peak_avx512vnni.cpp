// vpdpbusd zmm peak loop: 24 independent accumulators, no loads. Written in inline assembly
// because GCC spills an array of 24 vector accumulators inside the loop, which would measure
// the store bandwidth instead of the dot-product units.
#include <immintrin.h>

#include "kernels/gemm_s8/s8_peak.h"

namespace prunq::s8_peak_detail {

uint64_t dpbusd_loop_avx512_vnni(uint64_t iters, int seed, int* sink) {
  if (iters == 0) return 0;
  int out = 0;
  uint64_t n = iters;
#define PRUNQ_DP(r) "vpdpbusd %%zmm0, %%zmm1, %%zmm" #r "\n\t"
  __asm__ volatile(
      "vpbroadcastd %[seed], %%zmm0\n\t"
      "vpternlogd $0xff, %%zmm1, %%zmm1, %%zmm1\n\t"
      "vpxord %%zmm2, %%zmm2, %%zmm2\n\t"
      "vmovdqa64 %%zmm2, %%zmm3\n\t vmovdqa64 %%zmm2, %%zmm4\n\t vmovdqa64 %%zmm2, %%zmm5\n\t"
      "vmovdqa64 %%zmm2, %%zmm6\n\t vmovdqa64 %%zmm2, %%zmm7\n\t vmovdqa64 %%zmm2, %%zmm8\n\t"
      "vmovdqa64 %%zmm2, %%zmm9\n\t vmovdqa64 %%zmm2, %%zmm10\n\t vmovdqa64 %%zmm2, %%zmm11\n\t"
      "vmovdqa64 %%zmm2, %%zmm12\n\t vmovdqa64 %%zmm2, %%zmm13\n\t vmovdqa64 %%zmm2, %%zmm14\n\t"
      "vmovdqa64 %%zmm2, %%zmm15\n\t vmovdqa64 %%zmm2, %%zmm16\n\t vmovdqa64 %%zmm2, %%zmm17\n\t"
      "vmovdqa64 %%zmm2, %%zmm18\n\t vmovdqa64 %%zmm2, %%zmm19\n\t vmovdqa64 %%zmm2, %%zmm20\n\t"
      "vmovdqa64 %%zmm2, %%zmm21\n\t vmovdqa64 %%zmm2, %%zmm22\n\t vmovdqa64 %%zmm2, %%zmm23\n\t"
      "vmovdqa64 %%zmm2, %%zmm24\n\t vmovdqa64 %%zmm2, %%zmm25\n\t"
      "1:\n\t"
      PRUNQ_DP(2) PRUNQ_DP(3) PRUNQ_DP(4) PRUNQ_DP(5) PRUNQ_DP(6) PRUNQ_DP(7) PRUNQ_DP(8) PRUNQ_DP(9)
      PRUNQ_DP(10) PRUNQ_DP(11) PRUNQ_DP(12) PRUNQ_DP(13) PRUNQ_DP(14) PRUNQ_DP(15) PRUNQ_DP(16)
      PRUNQ_DP(17) PRUNQ_DP(18) PRUNQ_DP(19) PRUNQ_DP(20) PRUNQ_DP(21) PRUNQ_DP(22) PRUNQ_DP(23)
      PRUNQ_DP(24) PRUNQ_DP(25)
      "dec %[n]\n\t"
      "jnz 1b\n\t"
      "vpaddd %%zmm3, %%zmm2, %%zmm2\n\t"
      "vpaddd %%zmm25, %%zmm2, %%zmm2\n\t"
      "vmovd %%xmm2, %[out]\n\t"
      : [n] "+r"(n), [out] "=r"(out)
      : [seed] "r"(seed)
      : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
        "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22",
        "xmm23", "xmm24", "xmm25", "cc");
#undef PRUNQ_DP
  *sink += out;
  return iters * 24 * 64;
}

}  // namespace prunq::s8_peak_detail
