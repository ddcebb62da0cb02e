// Times the per-ISA peak loops: a short warm-up (clock ramp, AVX-512 license), then the best
// of several timed runs, each about `seconds` / 4 long.
#include "kernels/peak/peak.h"

#include <algorithm>
#include <chrono>

#include "core/error.h"

namespace prunq {
namespace {

using LoopFn = uint64_t (*)(uint64_t, float, float*);

LoopFn loop_for(Isa isa) {
#if defined(__x86_64__) || defined(__i386__)
  if ((isa == Isa::avx512 || isa == Isa::avx512_vnni) && cpu_supports(Isa::avx512))
    return peak_detail::fma_loop_avx512;
  if ((isa == Isa::avx2 || isa == Isa::avx_vnni) && cpu_supports(Isa::avx2)) return peak_detail::fma_loop_avx2;
#endif
  if (isa == Isa::scalar) return peak_detail::fma_loop_scalar;
  return nullptr;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

double measure_fp32_peak_gflops(Isa isa, double seconds) {
  LoopFn loop = loop_for(isa);
  PRUNQ_CHECK(loop, "peak: no fp32 loop for ", isa_name(isa), " in this build or on this CPU");
  PRUNQ_CHECK(seconds > 0, "peak: measuring time must be positive, got ", seconds);
  float sink = 0.f;
  // Calibrate iterations so one run takes about seconds / 4.
  uint64_t iters = 1 << 12;
  for (;;) {
    auto t0 = std::chrono::steady_clock::now();
    loop(iters, 1.f, &sink);
    double dt = seconds_since(t0);
    if (dt > seconds / 16) {
      iters = static_cast<uint64_t>(double(iters) * (seconds / 4) / dt) + 1;
      break;
    }
    iters *= 2;
  }
  double best = 0;
  for (int rep = 0; rep < 4; ++rep) {
    auto t0 = std::chrono::steady_clock::now();
    uint64_t flops = loop(iters, 1.f + float(rep), &sink);
    best = std::max(best, double(flops) / seconds_since(t0) * 1e-9);
  }
  // sink is never NaN for these inputs; testing it keeps the loops' results alive.
  PRUNQ_CHECK(sink == sink, "peak: loop result is NaN");
  return best;
}

double fp32_peak_gflops() {
  static const double peak = [] {
    double best = measure_fp32_peak_gflops(Isa::scalar);
    for (Isa isa : {Isa::avx2, Isa::avx512})
      if (cpu_supports(isa)) best = std::max(best, measure_fp32_peak_gflops(isa));
    return best;
  }();
  return peak;
}

}  // namespace prunq
