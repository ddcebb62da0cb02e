// The int8 multiply-accumulate peak of one core: a loop of independent vpdpbusd chains (more
// chains than latency x ports, no memory traffic), timed in thread CPU time like the fp32 peak
// (kernels/peak/peak.h). It is the denominator of the int8 benchmarks' "fraction of peak".
// Without VNNI (the avx2 kernel) the loop is vpmaddubsw -> vpmaddwd(ones) -> vpaddd, the
// instruction sequence that stands in for vpdpbusd.
#pragma once

#include "kernels/gemm_s8/gemm_s8.h"

namespace prunq {

// GMAC/s of the dot-product loop of kernel k (avx512_vnni: zmm vpdpbusd, avx_vnni: ymm vpdpbusd,
// avx2: ymm vpmaddubsw + vpmaddwd) on the calling thread, best of several runs of about
// seconds/4. Throws prunq::Error for the scalar kernel or when the CPU lacks the instructions.
double measure_s8_peak_gmacs(GemmS8Kernel k, double seconds = 0.2);

namespace s8_peak_detail {
// `iters` iterations of independent dot-product chains; returns the MACs done.
uint64_t dpbusd_loop_avx512_vnni(uint64_t iters, int seed, int* sink);
uint64_t dpbusd_loop_avx_vnni(uint64_t iters, int seed, int* sink);
uint64_t maddubs_loop_avx2(uint64_t iters, int seed, int* sink);
}  // namespace s8_peak_detail

}  // namespace prunq
