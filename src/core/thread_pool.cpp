#include "core/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace prunq {
namespace {

thread_local bool t_inside_pool = false;

// One pause of a spin-wait loop: tells the core (and its SMT sibling) that this thread waits.
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Waits spin first, then block. Kernels call parallel_for back to back (a conv's padding copy
// and then its GEMM; every layer of a network), and waking a blocked thread through the kernel
// costs tens of microseconds, a large share of a 0.3 ms layer: measured on fmnist-cnn's first
// int8 conv, 2 threads, the wake-ups were 8 % of the time. Spinning is bounded (about 0.1 ms)
// so idle threads still sleep. OpenMP runtimes do the same (GOMP_SPINCOUNT).
constexpr int kSpinRounds = 20000;

class Pool {
 public:
  explicit Pool(int n) { resize(n); }
  ~Pool() { stop(); }

  int size() const { return n_; }

  void resize(int n) {
    stop();
    n_ = std::max(1, n);
    quit_ = false;
    // New workers must not mistake the last finished region (an older generation) for new work.
    const uint64_t current = generation_.load();
    for (int i = 1; i < n_; ++i) workers_.emplace_back([this, i, current] { loop(i, current); });
  }

  void run(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
    int64_t max_chunks = std::max<int64_t>(1, n / std::max<int64_t>(1, grain));
    int chunks = static_cast<int>(std::min<int64_t>(n_, max_chunks));
    if (chunks <= 1 || t_inside_pool) {
      fn(0, n);
      return;
    }
    std::lock_guard<std::mutex> serial(run_mu_);  // one parallel region at a time
    {
      // Published under mu_: a worker that sees the new generation (spinning or woken) then
      // takes mu_ before reading these.
      std::lock_guard<std::mutex> lk(mu_);
      fn_ = &fn;
      total_ = n;
      chunks_ = chunks;
      pending_.store(chunks - 1);
      error_ = nullptr;
      generation_.fetch_add(1);
    }
    cv_.notify_all();  // cheap when every worker is still spinning (no waiters)
    t_inside_pool = true;
    try {
      call_chunk(0);
    } catch (...) {
      std::lock_guard<std::mutex> lk(mu_);
      if (!error_) error_ = std::current_exception();
    }
    t_inside_pool = false;
    for (int i = 0; i < kSpinRounds && pending_.load(std::memory_order_acquire) != 0; ++i) cpu_relax();
    std::unique_lock<std::mutex> lk(mu_);
    done_cv_.wait(lk, [this] { return pending_.load() == 0; });
    fn_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void call_chunk(int c) {
    int64_t b = total_ * c / chunks_, e = total_ * (c + 1) / chunks_;
    if (b < e) (*fn_)(b, e);
  }

  void loop(int index, uint64_t seen) {
    t_inside_pool = true;
    for (;;) {
      for (int i = 0; i < kSpinRounds && generation_.load(std::memory_order_acquire) == seen && !quit_flag_.load();
           ++i)
        cpu_relax();
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [&] { return quit_ || generation_.load() != seen; });
      if (quit_) return;
      seen = generation_.load();
      if (index >= chunks_) continue;
      lk.unlock();
      std::exception_ptr err;
      try {
        call_chunk(index);
      } catch (...) {
        err = std::current_exception();
      }
      if (err) {
        std::lock_guard<std::mutex> elk(mu_);
        if (!error_) error_ = err;
      }
      // The last one out wakes the caller; taking mu_ first means the caller is either still
      // before its predicate check (and will see 0) or already waiting (and gets the notify).
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> dlk(mu_);
        done_cv_.notify_one();
      }
    }
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      quit_ = true;
      quit_flag_.store(true);
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
    quit_flag_.store(false);
  }

  int n_ = 1;
  std::vector<std::thread> workers_;
  std::mutex mu_, run_mu_;
  std::condition_variable cv_, done_cv_;
  const std::function<void(int64_t, int64_t)>* fn_ = nullptr;
  int64_t total_ = 0;
  int chunks_ = 0;
  std::atomic<int> pending_{0};
  std::atomic<uint64_t> generation_{0};
  bool quit_ = false;
  std::atomic<bool> quit_flag_{false};  // quit_ for the spin loop, which holds no lock
  std::exception_ptr error_;
};

int default_threads() {
  if (const char* e = std::getenv("PRUNQ_NUM_THREADS")) {
    int n = std::atoi(e);
    if (n > 0) return n;
  }
  unsigned h = std::thread::hardware_concurrency();
  return h ? static_cast<int>(h) : 1;
}

Pool& pool() {
  static Pool p(default_threads());
  return p;
}

}  // namespace

int num_threads() { return pool().size(); }
void set_num_threads(int n) { pool().resize(n); }

void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn, int64_t grain) {
  if (n <= 0) return;
  pool().run(n, grain, fn);
}

}  // namespace prunq
