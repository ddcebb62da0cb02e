// A small persistent thread pool. parallel_for splits [0, n) into contiguous chunks, one per
// thread (the caller runs the first chunk), and returns when all are done. Nested calls run
// serially on the calling thread, so kernels may call parallel_for freely.
// Thread count: PRUNQ_NUM_THREADS, else the number of online cores; set_num_threads() overrides.
#pragma once
#include <cstdint>
#include <functional>

namespace prunq {

int num_threads();
void set_num_threads(int n);

// fn(begin, end) is called on disjoint ranges covering [0, n). grain: minimum chunk size.
void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn, int64_t grain = 1);

}  // namespace prunq
