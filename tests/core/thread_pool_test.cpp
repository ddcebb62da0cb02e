// The thread pool under back-to-back regions (the spin-then-block hand-off), concurrent callers
// and resizing: every index is run exactly once, every time.
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/thread_pool.h"

using namespace prunq;

namespace {

// Runs one region over n indices and returns how many were visited (each must be once).
int64_t visit(int64_t n) {
  std::vector<std::atomic<int>> seen(static_cast<size_t>(n));
  parallel_for(n, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) seen[static_cast<size_t>(i)].fetch_add(1);
  });
  int64_t once = 0;
  for (auto& s : seen) once += s.load() == 1;
  return once;
}

}  // namespace

TEST(ThreadPool, ManyBackToBackRegionsLoseNothing) {
  const int before = num_threads();
  for (int threads : {2, 3}) {
    set_num_threads(threads);
    for (int r = 0; r < 5000; ++r) ASSERT_EQ(visit(1 + r % 7), 1 + r % 7) << "region " << r;
  }
  set_num_threads(before);
}

TEST(ThreadPool, RegionsAfterIdleSleepStillRun) {
  // Long enough between regions for the workers to stop spinning and block.
  set_num_threads(2);
  for (int r = 0; r < 5; ++r) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_EQ(visit(64), 64);
  }
}

TEST(ThreadPool, ConcurrentCallersAndErrors) {
  set_num_threads(2);
  std::atomic<int> wrong{0}, caught{0};
  auto caller = [&] {
    for (int r = 0; r < 1000; ++r) {
      if (visit(5) != 5) wrong.fetch_add(1);
      try {
        parallel_for(4, [](int64_t b, int64_t) {
          if (b > 0) throw std::runtime_error("chunk failed");
        });
      } catch (const std::runtime_error&) {
        caught.fetch_add(1);
      }
    }
  };
  std::thread a(caller), b(caller);
  a.join();
  b.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(caught.load(), 2000);
}
