// Runs one kernel variant on a fixed layer `reps` times, single-threaded, and prints the MACs of
// one call: the workload bench/arm/insn_per_mac.sh counts instructions of under qemu. Two runs
// with different reps differ only by the kernel calls (data, packing and start-up are the same),
// so (instructions(reps = R + 1) - instructions(reps = 1)) / (R * MACs) is the instructions per
// MAC of the kernel alone.
//   kernel_calls FAMILY VARIANT REPS
//   FAMILY: gemm_f32 conv_f32 dwconv_f32 gemm_s8 conv_s8 dwconv_s8
//   VARIANT: scalar neon (fp32, depthwise int8) | scalar neon neon_dotprod neon_i8mm (int8 GEMM / conv)
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"
#include "kernels/conv_f32/conv_f32.h"
#include "kernels/conv_s8/conv_s8.h"
#include "kernels/dwconv_f32/dwconv_f32.h"
#include "kernels/dwconv_s8/dwconv_s8.h"
#include "kernels/gemm_f32/gemm_f32.h"
#include "kernels/gemm_s8/gemm_s8.h"

using namespace prunq;

namespace {

// Deterministic data without <random>: the instruction counts must not depend on the library.
uint32_t next(uint64_t& s) {
  s = s * 6364136223846793005ull + 1442695040888963407ull;
  return static_cast<uint32_t>(s >> 33);
}
std::vector<uint8_t> bytes(size_t n, uint64_t seed) {
  std::vector<uint8_t> v(n);
  for (auto& x : v) x = static_cast<uint8_t>(next(seed));
  return v;
}
std::vector<float> floats(size_t n, uint64_t seed) {
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(next(seed) % 2001) / 1000.f - 1.f;
  return v;
}

QuantSpec spec_u8(int64_t n) {
  QuantSpec s;
  s.a_zero_point = 3;
  s.a_scale = 0.02f;
  s.w_scales.assign(static_cast<size_t>(n), 0.01f);
  s.bias.assign(static_cast<size_t>(n), 100);
  s.out_scale = 0.5f;
  s.out_zero_point = 10;
  s.act_min = 0;
  return s;
}

GemmS8Kernel s8_kernel(const std::string& v) {
  for (GemmS8Kernel k : kAllGemmS8Kernels)
    if (gemm_s8_kernel_name(k) == v) return k;
  fail("kernel_calls: unknown int8 kernel '", v, "'");
}

Isa isa_of(const std::string& v) {
  Isa isa;
  PRUNQ_CHECK(parse_isa(v, &isa), "kernel_calls: unknown ISA '", v, "'");
  return isa;
}

// The fmnist-cnn second convolution's shape (28x28, 32 -> 64 channels, 3x3, pad 1): the layer
// the int8 and fp32 figures elsewhere in bench/ use too.
ConvS8Shape conv_shape() {
  ConvS8Shape s;
  s.in_h = s.in_w = 14;
  s.in_c = 32;
  s.out_c = 64;
  s.kernel_h = s.kernel_w = 3;
  s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = 1;
  return s;
}

int run(const std::string& family, const std::string& variant, int reps) {
  set_num_threads(1);
  if (family == "gemm_f32") {
    const int64_t m = 64, n = 196, k = 288;  // conv2 of fmnist-cnn as a GEMM (14x14 outputs)
    const auto a = floats(m * k, 1), b = floats(k * n, 2);
    std::vector<float> c(m * n);
    const Isa isa = isa_of(variant);
    for (int i = 0; i < reps; ++i)
      gemm_f32_prunq_isa(isa, false, false, m, n, k, 1.f, a.data(), k, b.data(), n, 0.f, c.data(), n);
    std::printf("macs: %lld\n", static_cast<long long>(m * n * k));
  } else if (family == "conv_f32") {
    Conv2dParams p;
    p.in_channels = 32;
    p.out_channels = 64;
    p.in_h = p.in_w = 14;
    p.kernel_h = p.kernel_w = 3;
    p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
    const auto x = floats(32 * 14 * 14, 3), w = floats(64 * 32 * 9, 4), bias = floats(64, 5);
    std::vector<float> y(64 * 14 * 14);
    const Isa isa = isa_of(variant);
    for (int i = 0; i < reps; ++i) conv2d_f32_isa(isa, p, x.data(), w.data(), bias.data(), Activation::relu, y.data());
    std::printf("macs: %lld\n", static_cast<long long>(64 * 14 * 14 * 32 * 9));
  } else if (family == "dwconv_f32") {
    Conv2dParams p;  // a MobileNetV2 depthwise layer: 3x3, 28x28, 48 channels
    p.in_channels = p.out_channels = p.groups = 48;
    p.in_h = p.in_w = 28;
    p.kernel_h = p.kernel_w = 3;
    p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
    const auto x = floats(48 * 28 * 28, 6), w = floats(48 * 9, 7), bias = floats(48, 8);
    std::vector<float> y(48 * 28 * 28);
    const Isa isa = isa_of(variant);
    for (int i = 0; i < reps; ++i) dwconv2d_f32_isa(isa, p, x.data(), w.data(), bias.data(), Activation::relu6, y.data());
    std::printf("macs: %lld\n", static_cast<long long>(48 * 28 * 28 * 9));
  } else if (family == "gemm_s8") {
    const int64_t m = 196, n = 64, k = 288;
    const auto a = bytes(m * k, 9), w8 = bytes(n * k, 10);
    const QuantSpec spec = spec_u8(n);
    const PackedGemmS8 p =
        pack_gemm_s8(reinterpret_cast<const int8_t*>(w8.data()), n, k, k, spec, s8_kernel(variant));
    std::vector<uint8_t> c(m * n);
    for (int i = 0; i < reps; ++i) gemm_s8(p, m, a.data(), k, c.data(), n);
    std::printf("macs: %lld\n", static_cast<long long>(m * n * k));
  } else if (family == "conv_s8") {
    const ConvS8Shape s = conv_shape();
    const auto x = bytes(14 * 14 * 32, 11), w8 = bytes(64 * 32 * 9, 12);
    const PackedConvS8 p = pack_conv_s8(s, reinterpret_cast<const int8_t*>(w8.data()), spec_u8(64),
                                        s8_kernel(variant), ConvS8Algorithm::direct);
    std::vector<uint8_t> y(14 * 14 * 64);
    for (int i = 0; i < reps; ++i) conv_s8(p, 1, x.data(), y.data());
    std::printf("macs: %lld\n", static_cast<long long>(14 * 14 * 64 * 32 * 9));
  } else if (family == "dwconv_s8") {
    DwConvS8Shape s;
    s.in_h = s.in_w = 28;
    s.channels = 48;
    s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = 1;
    const auto x = bytes(28 * 28 * 48, 13), w8 = bytes(48 * 9, 14);
    const DwConvS8Kernel k = variant == "neon" ? DwConvS8Kernel::neon : DwConvS8Kernel::scalar;
    PRUNQ_CHECK(variant == "neon" || variant == "scalar", "kernel_calls: dwconv_s8 has scalar and neon");
    const PackedDwConvS8 p = pack_dwconv_s8(s, reinterpret_cast<const int8_t*>(w8.data()), spec_u8(48), k);
    std::vector<uint8_t> y(28 * 28 * 48);
    for (int i = 0; i < reps; ++i) dwconv_s8(p, 1, x.data(), y.data());
    std::printf("macs: %lld\n", static_cast<long long>(28 * 28 * 48 * 9));
  } else {
    fail("kernel_calls: unknown family '", family, "'");
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: kernel_calls FAMILY VARIANT REPS\n");
    return 2;
  }
  try {
    return run(argv[1], argv[2], std::atoi(argv[3]));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kernel_calls: %s\n", e.what());
    return 1;
  }
}
