// Times the per-ISA peak loops: calibration doubles as warm-up (clock ramp, AVX-512 license),
// then the best of several timed runs, each about `seconds` / 4 long. Time is the calling
// thread's CPU time, not wall time: on a shared machine the loop is often descheduled, and
// wall time would then understate the peak (and overstate every "fraction of peak").
#include "kernels/peak/peak.h"

#include <time.h>

#include <algorithm>

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

}  // namespace

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

namespace {

double seconds_since(double t0) { return thread_cpu_seconds() - t0; }

}  // namespace

double best_rate_giga(double seconds, const std::function<uint64_t(uint64_t iters, int rep)>& run) {
  uint64_t iters = 1 << 12;
  for (;;) {
    double t0 = thread_cpu_seconds();
    run(iters, -1);
    double dt = seconds_since(t0);
    if (dt > seconds / 16) {
      iters = static_cast<uint64_t>(double(iters) * (seconds / 4) / dt) + 1;
      break;
    }
    iters *= 2;
  }
  double best = 0;
  for (int rep = 0; rep < 4; ++rep) {
    double t0 = thread_cpu_seconds();
    uint64_t units = run(iters, rep);
    best = std::max(best, double(units) / seconds_since(t0) * 1e-9);
  }
  return best;
}

double measure_fp32_peak_gflops(Isa isa, double seconds) {
  LoopFn loop = loop_for(isa);
  PRUNQ_CHECK(loop, "peak: no fp32 loop for ", isa_name(isa), " in this build or on this CPU");
  PRUNQ_CHECK(seconds > 0, "peak: measuring time must be positive, got ", seconds);
  float sink = 0.f;
  double best = best_rate_giga(seconds, [&](uint64_t iters, int rep) {
    return loop(iters, rep < 0 ? 1.f : 1.f + float(rep), &sink);
  });
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
