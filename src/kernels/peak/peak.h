// Measures this machine's fp32 arithmetic peak on one thread, so benchmarks can print what
// fraction of it a kernel reaches. Each ISA has a loop of independent FMA chains (more chains
// than FMA latency x FMA ports, no memory traffic), timed in thread CPU time.
#pragma once
#include <cstdint>
#include <functional>

#include "core/cpu_features.h"

namespace prunq {

// Runs the loop for `isa` (scalar, avx2 or avx512; VNNI levels use the fp32 loop below them)
// for about `seconds` several times and returns the best rate in GFLOP/s (1 FMA = 2 flops).
// Throws prunq::Error when this build or CPU lacks the ISA.
double measure_fp32_peak_gflops(Isa isa, double seconds = 0.2);

// The peak of the best fp32 loop the CPU runs (ignoring the PRUNQ_ISA cap), measured once per
// process and cached: the denominator of "fraction of peak".
double fp32_peak_gflops();

// CPU time of the calling thread in seconds (what the peak loops are timed with); benchmarks of
// single-threaded kernels use it too so that both sides of "fraction of peak" match.
double thread_cpu_seconds();

// The timing shared by every peak loop: calibrates `iters` so one run takes about `seconds` / 4
// (the calibration runs double as warm-up: clock ramp-up, AVX-512 license), then returns the
// best of 4 timed runs as work units per second * 1e-9. run(iters, rep) does the work and
// returns the units done; rep is -1 while calibrating and 0..3 for the timed runs, so callers
// can vary their seed per run.
double best_rate_giga(double seconds, const std::function<uint64_t(uint64_t iters, int rep)>& run);

namespace peak_detail {
// Each runs `iters` iterations and returns the flops done; `seed` keeps the compiler from
// folding the loop, the result feeds a sink for the same reason.
uint64_t fma_loop_scalar(uint64_t iters, float seed, float* sink);
#if defined(__x86_64__) || defined(__i386__)
uint64_t fma_loop_avx2(uint64_t iters, float seed, float* sink);
uint64_t fma_loop_avx512(uint64_t iters, float seed, float* sink);
#endif
}  // namespace peak_detail

}  // namespace prunq
