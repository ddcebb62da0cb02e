// The timing loop the kernel benchmarks share.
#pragma once
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <vector>

#include "kernels/peak/peak.h"

namespace prunq::bench {

// Calls fn once to warm up (page faults, packing buffers, caches), then once per benchmark
// iteration, giving each call's time to the framework: the thread's CPU time when cpu_time (one
// thread: immune to being descheduled), wall time otherwise. Sets the median_ms counter: the
// median per-call time resists the bursts where a shared machine deschedules a thread (the mean
// does not), and the peer-comparison scripts read it.
template <typename Fn>
void timed_calls(benchmark::State& state, bool cpu_time, Fn&& fn) {
  fn();
  std::vector<double> times;
  for (auto _ : state) {
    const double c0 = thread_cpu_seconds();
    const auto w0 = std::chrono::steady_clock::now();
    fn();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
    times.push_back(cpu_time ? thread_cpu_seconds() - c0 : wall);
    state.SetIterationTime(times.back());
  }
  std::nth_element(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2), times.end());
  state.counters["median_ms"] = times.empty() ? 0.0 : times[times.size() / 2] * 1e3;
}

}  // namespace prunq::bench
