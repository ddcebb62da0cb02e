// The fp32 FMA peak of each ISA loop this CPU runs (1 thread, thread CPU time): the
// denominator of every "peak_frac" counter in bench_kernels_f32.
#include <benchmark/benchmark.h>

#include "kernels/peak/peak.h"

using namespace prunq;

namespace {

void BM_fp32_peak(benchmark::State& state) {
  const Isa isa = static_cast<Isa>(state.range(0));
  if (!cpu_supports(isa)) {
    state.SkipWithError("CPU lacks this ISA");
    return;
  }
  double gflops = 0;
  for (auto _ : state) {
    gflops = measure_fp32_peak_gflops(isa, 0.2);
    state.SetIterationTime(0.2);
  }
  state.SetLabel(std::string(isa_name(isa)));
  state.counters["GFLOP/s"] = gflops;
}

}  // namespace

BENCHMARK(BM_fp32_peak)
    ->ArgName("isa")
    ->Arg(static_cast<int>(Isa::scalar))
    ->Arg(static_cast<int>(Isa::avx2))
    ->Arg(static_cast<int>(Isa::avx512))
    ->UseManualTime()
    ->Iterations(3);
BENCHMARK_MAIN();
