// Shared helpers for the int8 kernel tests: random data, spec builders, the kernels to compare.
#pragma once
#include <cstdint>
#include <random>
#include <vector>

#include "kernels/gemm_s8/gemm_s8.h"

namespace prunq::s8test {

inline std::vector<uint8_t> random_bytes(std::mt19937& rng, size_t n, int lo = 0, int hi = 255) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<uint8_t> v(n);
  for (auto& x : v) x = static_cast<uint8_t>(d(rng));
  return v;
}

inline std::vector<int8_t> random_weights(std::mt19937& rng, size_t n, int lo = -128, int hi = 127) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(d(rng));
  return v;
}

// Every optimised kernel the CPU has and the ISA cap allows (scalar always).
inline std::vector<GemmS8Kernel> kernels_to_test() {
  std::vector<GemmS8Kernel> ks;
  for (GemmS8Kernel k : kAllGemmS8Kernels)
    if (gemm_s8_kernel_available(k)) ks.push_back(k);
  return ks;
}

// A random but valid QuantSpec for n output channels with the chosen output type, activation
// signedness, per-channel (vs per-tensor) scales and weight zero points, weight zero points and bias.
inline QuantSpec random_spec(std::mt19937& rng, int64_t n, QOut out, bool a_signed, bool per_channel, bool wzp,
                             bool bias) {
  QuantSpec s;
  s.a_signed = a_signed;
  std::uniform_int_distribution<int> zp(a_signed ? -128 : 0, a_signed ? 127 : 255);
  std::uniform_real_distribution<float> scale(0.002f, 0.05f);
  s.a_zero_point = zp(rng);
  s.a_scale = scale(rng);
  s.w_scales.resize(per_channel ? static_cast<size_t>(n) : 1);
  for (auto& x : s.w_scales) x = scale(rng);
  if (wzp) {
    std::uniform_int_distribution<int> z(-128, 127);
    s.w_zero_points.resize(per_channel ? static_cast<size_t>(n) : 1);
    for (auto& x : s.w_zero_points) x = z(rng);
  }
  if (bias) {
    std::uniform_int_distribution<int> b(-100000, 100000);
    s.bias.resize(static_cast<size_t>(n));
    for (auto& x : s.bias) x = b(rng);
  }
  s.out_type = out;
  s.out_scale = scale(rng) * 4;
  std::uniform_int_distribution<int> ozp(out == QOut::s8 ? -128 : 0, out == QOut::s8 ? 127 : 255);
  s.out_zero_point = out == QOut::u8 || out == QOut::s8 ? ozp(rng) : 0;
  return s;
}

}  // namespace prunq::s8test
