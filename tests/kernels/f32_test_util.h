// Helpers shared by the fp32 kernel tests: variant selection that respects the PRUNQ_ISA cap,
// guarded buffers that turn any over-read or over-write into an immediate fault, random data,
// and comparison against the reference with an error bound derived from the summation length.
#pragma once
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/cpu_features.h"
#include "kernels/conv_f32/conv_f32.h"

namespace prunq::testing {

// The fp32 variants every kernel family has.
inline const Isa kF32Variants[] = {Isa::scalar, Isa::avx2, Isa::avx512, Isa::neon};

inline std::string isa_param_name(const ::testing::TestParamInfo<Isa>& info) {
  return std::string(isa_name(info.param));
}

// A variant may run only if the CPU has it and the cap (PRUNQ_ISA / set_isa_cap) allows it, so
// the CI runs with PRUNQ_ISA=scalar and =avx2 exercise exactly the allowed variants.
#define PRUNQ_SKIP_UNLESS_VARIANT_ALLOWED(isa)                                                   \
  do {                                                                                           \
    if (!::prunq::cpu_supports(isa)) GTEST_SKIP() << "CPU lacks " << ::prunq::isa_name(isa);     \
    if (static_cast<int>(isa) > static_cast<int>(::prunq::active_isa()))                         \
      GTEST_SKIP() << ::prunq::isa_name(isa) << " is above the ISA cap "                         \
                   << ::prunq::isa_name(::prunq::active_isa());                                  \
  } while (0)

// `count` floats that end exactly at a PROT_NONE page: reading or writing one element past the
// end faults at once (the test binary dies, so ctest reports the failure).
class GuardedFloats {
 public:
  explicit GuardedFloats(size_t count) : count_(count) {
    page_ = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    size_t bytes = count * sizeof(float);
    size_t data_pages = (bytes + page_ - 1) / page_;
    total_ = (data_pages + 1) * page_;
    void* m = mmap(nullptr, total_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) throw std::runtime_error("mmap failed");
    base_ = static_cast<char*>(m);
    if (mprotect(base_ + data_pages * page_, page_, PROT_NONE) != 0) throw std::runtime_error("mprotect failed");
    data_ = reinterpret_cast<float*>(base_ + data_pages * page_ - bytes);
  }
  ~GuardedFloats() { munmap(base_, total_); }
  GuardedFloats(const GuardedFloats&) = delete;
  GuardedFloats& operator=(const GuardedFloats&) = delete;
  float* data() { return data_; }
  size_t size() const { return count_; }
  void copy_from(const std::vector<float>& v) {
    if (count_ > 0) std::memcpy(data_, v.data(), sizeof(float) * count_);
  }
  std::vector<float> to_vector() const { return std::vector<float>(data_, data_ + count_); }

 private:
  size_t count_, page_, total_;
  char* base_;
  float* data_;
};

inline std::vector<float> random_floats(size_t n, uint64_t seed, float lo = -1.f, float hi = 1.f) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

// Bound on the rounding error of a float sum of `terms` products: gamma_n * sum |terms|, with
// gamma_n = n u / (1 - n u) and u = 2^-24 (unit roundoff); `magnitude` is that sum of |terms|.
inline float sum_error_bound(int64_t terms, double magnitude) {
  const double u = std::ldexp(1.0, -24);
  const double n = static_cast<double>(terms + 2);  // + alpha scaling, + the beta/bias addition
  return static_cast<float>(n * u / (1 - n * u) * magnitude + 1e-30);
}

// The reference output `want` of a convolution, and `mag`: the same convolution of |x|, |w|, |b|
// without activation, which bounds each output's rounding error for the tolerance.
inline void conv_reference_with_magnitude(const Conv2dParams& p, const std::vector<float>& x,
                                          const std::vector<float>& w, const std::vector<float>& b, bool with_bias,
                                          Activation act, std::vector<float>& want, std::vector<float>& mag) {
  conv2d_f32_reference(p, x.data(), w.data(), with_bias ? b.data() : nullptr, act, want.data());
  std::vector<float> ax(x), aw(w), ab(b);
  for (auto* v : {&ax, &aw, &ab})
    for (float& e : *v) e = std::fabs(e);
  conv2d_f32_reference(p, ax.data(), aw.data(), with_bias ? ab.data() : nullptr, Activation::none, mag.data());
}

}  // namespace prunq::testing
