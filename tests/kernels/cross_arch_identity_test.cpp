// The same int8 answers everywhere: fixed layers on fixed inputs through every int8 kernel this
// CPU has (x86: scalar, avx2, avx_vnni, avx512_vnni; aarch64: scalar, neon, neon_dotprod,
// neon_i8mm), compared with output hashes committed from an x86 run. The aarch64 cross build runs
// this same test under qemu (scripts/cross-aarch64.sh), so passing on both shows the outputs
// bit-identical across architectures and ISA paths, not just each kernel equal to its own
// platform's reference.
//
// Inputs, weights and quantization parameters come from a fixed integer generator (no <random>
// distributions, whose results the standard leaves to the library). A changed hash means the
// arithmetic changed: regenerate with PRUNQ_PRINT_IDENTITY_HASHES=1 only when that is intended
// (a new rounding rule, say), and say why in the commit.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "kernels/conv_s8/conv_s8.h"
#include "kernels/dwconv_s8/dwconv_s8.h"
#include "kernels/gemm_s8/gemm_s8.h"
#include "s8_test_util.h"

using namespace prunq;

namespace {

// splitmix64: the same sequence on every platform.
struct Gen {
  uint64_t s;
  uint32_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return static_cast<uint32_t>((z ^ (z >> 31)) >> 32);
  }
  int in(int lo, int hi) { return lo + static_cast<int>(next() % static_cast<uint32_t>(hi - lo + 1)); }
  std::vector<uint8_t> bytes(size_t n) {
    std::vector<uint8_t> v(n);
    for (auto& x : v) x = static_cast<uint8_t>(next());
    return v;
  }
  std::vector<int8_t> weights(size_t n) {
    std::vector<int8_t> v(n);
    for (auto& x : v) x = static_cast<int8_t>(next());
    return v;
  }
  // Scales as exact small multiples of 2^-16: identical floats everywhere.
  float scale() { return static_cast<float>(in(64, 4096)) / 65536.f; }
};

QuantSpec make_spec(Gen& g, int64_t n, QOut out, bool a_signed, bool per_channel, bool wzp, bool relu) {
  QuantSpec s;
  s.a_signed = a_signed;
  s.a_zero_point = a_signed ? g.in(-128, 127) : g.in(0, 255);
  s.a_scale = g.scale();
  s.w_scales.resize(per_channel ? static_cast<size_t>(n) : 1);
  for (auto& x : s.w_scales) x = g.scale();
  if (wzp) {
    s.w_zero_points.resize(per_channel ? static_cast<size_t>(n) : 1);
    for (auto& x : s.w_zero_points) x = g.in(-128, 127);
  }
  s.bias.resize(static_cast<size_t>(n));
  for (auto& x : s.bias) x = g.in(-200000, 200000);
  s.out_type = out;
  s.out_scale = g.scale() * 16;
  if (out == QOut::u8) s.out_zero_point = g.in(0, 255);
  if (out == QOut::s8) s.out_zero_point = g.in(-128, 127);
  if (relu) s.act_min = 0;
  return s;
}

// FNV-1a over the output bytes.
uint64_t fnv1a(const std::vector<uint8_t>& v) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (uint8_t b : v) h = (h ^ b) * 0x100000001b3ull;
  return h;
}

struct Case {
  std::string name;
  uint64_t hash;  // committed from an x86 run
};

// Runs `compute(kernel)` for every int8 GEMM kernel available here; all must give `want`.
void check(const Case& c, const std::function<std::vector<uint8_t>(GemmS8Kernel)>& compute) {
  const bool print = std::getenv("PRUNQ_PRINT_IDENTITY_HASHES") != nullptr;
  for (GemmS8Kernel k : s8test::kernels_to_test()) {
    const uint64_t h = fnv1a(compute(k));
    if (print && k == GemmS8Kernel::scalar) std::printf("    {\"%s\", 0x%016llxull},\n", c.name.c_str(), (unsigned long long)h);
    EXPECT_EQ(h, c.hash) << c.name << ": kernel " << gemm_s8_kernel_name(k) << " gives hash 0x" << std::hex << h;
  }
}

}  // namespace

TEST(CrossArchIdentity, GemmS8) {
  const std::vector<Case> cases = {
      {"gemm_u8_37x75x130", 0xdd35748fb8ebf96dull},    {"gemm_s8_out_wzp_19x33x515", 0x55d79cf32498451cull}, {"gemm_s32_int8_act_8x16x64", 0xcfa5d4b4831ef4f9ull},
      {"gemm_f32_relu_13x40x72", 0x9447804c8fdab434ull}, {"gemm_u8_k1_5x7x1", 0xd74217d3f02872fcull},
  };
  struct Shape {
    int64_t m, n, k;
    QOut out;
    bool a_signed, per_channel, wzp, relu;
  };
  const Shape shapes[] = {{37, 75, 130, QOut::u8, false, true, false, true},
                          {19, 33, 515, QOut::s8, false, true, true, false},
                          {8, 16, 64, QOut::s32, true, false, true, false},
                          {13, 40, 72, QOut::f32, false, true, false, true},
                          {5, 7, 1, QOut::u8, true, false, false, false}};
  for (size_t i = 0; i < cases.size(); ++i) {
    const Shape& s = shapes[i];
    Gen g{1000 + i};
    const auto a = g.bytes(static_cast<size_t>(s.m * s.k));
    const auto w = g.weights(static_cast<size_t>(s.n * s.k));
    const QuantSpec spec = make_spec(g, s.n, s.out, s.a_signed, s.per_channel, s.wzp, s.relu);
    check(cases[i], [&](GemmS8Kernel k) {
      std::vector<uint8_t> c(static_cast<size_t>(s.m * s.n * qout_size(s.out)));
      gemm_s8(pack_gemm_s8(w.data(), s.n, s.k, s.k, spec, k), s.m, a.data(), s.k, c.data(), s.n);
      return c;
    });
  }
}

TEST(CrossArchIdentity, ConvS8) {
  const std::vector<Case> cases = {
      {"conv3x3_pad1_14x14_32to64_direct", 0x13ac8122aa109492ull}, {"conv3x3_pad1_14x14_32to64_winograd", 0x13ac8122aa109492ull},
      {"conv1x1_7x7_24to40", 0x7d774062e95dea33ull},               {"conv5x5_s2_dil1_13x11_3to17", 0x68d38be5132f6946ull},
      {"conv3x3_dil2_int8_12x12_8to20", 0xdcb06e41961d0981ull},
  };
  struct Layer {
    int64_t h, w, c, o, k, stride, dilation, pad;
    ConvS8Algorithm algo;
    QOut out;
    bool a_signed, wzp;
  };
  const Layer layers[] = {{14, 14, 32, 64, 3, 1, 1, 1, ConvS8Algorithm::direct, QOut::u8, false, false},
                          {14, 14, 32, 64, 3, 1, 1, 1, ConvS8Algorithm::winograd, QOut::u8, false, false},
                          {7, 7, 24, 40, 1, 1, 1, 0, ConvS8Algorithm::direct, QOut::s8, false, true},
                          {13, 11, 3, 17, 5, 2, 1, 2, ConvS8Algorithm::direct, QOut::f32, false, false},
                          {12, 12, 8, 20, 3, 1, 2, 2, ConvS8Algorithm::direct, QOut::s32, true, true}};
  for (size_t i = 0; i < cases.size(); ++i) {
    const Layer& l = layers[i];
    ConvS8Shape s;
    s.in_h = l.h;
    s.in_w = l.w;
    s.in_c = l.c;
    s.out_c = l.o;
    s.kernel_h = s.kernel_w = l.k;
    s.stride_h = s.stride_w = l.stride;
    s.dilation_h = s.dilation_w = l.dilation;
    s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = l.pad;
    // Seeds per layer: the Winograd case runs the direct case's layer.
    Gen g{2000 + (l.algo == ConvS8Algorithm::winograd ? i - 1 : i)};
    const int64_t batch = 2;
    const auto x = g.bytes(static_cast<size_t>(batch * l.h * l.w * l.c));
    // Weights of modest size, so Winograd's exactness bound holds and the forced algorithm runs.
    std::vector<int8_t> w(static_cast<size_t>(l.o * l.c * l.k * l.k));
    for (auto& v : w) v = static_cast<int8_t>(g.in(-20, 20));
    const QuantSpec spec = make_spec(g, l.o, l.out, l.a_signed, true, l.wzp, true);
    check(cases[i], [&](GemmS8Kernel k) {
      std::vector<uint8_t> y(static_cast<size_t>(batch * s.out_h() * s.out_w() * l.o * qout_size(l.out)));
      conv_s8(pack_conv_s8(s, w.data(), spec, k, l.algo), batch, x.data(), y.data());
      return y;
    });
  }
}

TEST(CrossArchIdentity, DwConvS8) {
  const std::vector<Case> cases = {{"dw3x3_s1_28x28_48", 0x5f2a462d58a54f20ull}, {"dw5x5_s2_15x13_37_wzp", 0xbd4f1402207651e3ull}, {"dw3x3_s2_int8_9x9_16", 0x118ee60242a27d10ull}};
  struct Layer {
    int64_t h, w, c, k, stride;
    QOut out;
    bool a_signed, wzp;
  };
  const Layer layers[] = {{28, 28, 48, 3, 1, QOut::u8, false, false},
                          {15, 13, 37, 5, 2, QOut::s8, false, true},
                          {9, 9, 16, 3, 2, QOut::f32, true, false}};
  for (size_t i = 0; i < cases.size(); ++i) {
    const Layer& l = layers[i];
    DwConvS8Shape s;
    s.in_h = l.h;
    s.in_w = l.w;
    s.channels = l.c;
    s.kernel_h = s.kernel_w = l.k;
    s.stride_h = s.stride_w = l.stride;
    s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = l.k / 2;
    Gen g{3000 + i};
    const auto x = g.bytes(static_cast<size_t>(l.h * l.w * l.c));
    const auto w = g.weights(static_cast<size_t>(l.c * l.k * l.k));
    const QuantSpec spec = make_spec(g, l.c, l.out, l.a_signed, true, l.wzp, true);
    // Depthwise has its own kernel list; every one must match the same hash.
    const bool print = std::getenv("PRUNQ_PRINT_IDENTITY_HASHES") != nullptr;
    for (DwConvS8Kernel k :
         {DwConvS8Kernel::scalar, DwConvS8Kernel::avx2, DwConvS8Kernel::avx512_vnni, DwConvS8Kernel::neon}) {
      if (!dwconv_s8_kernel_available(k)) continue;
      std::vector<uint8_t> y(static_cast<size_t>(s.out_h() * s.out_w() * l.c * qout_size(l.out)));
      dwconv_s8(pack_dwconv_s8(s, w.data(), spec, k), 1, x.data(), y.data());
      const uint64_t h = fnv1a(y);
      if (print && k == DwConvS8Kernel::scalar)
        std::printf("    {\"%s\", 0x%016llxull},\n", cases[i].name.c_str(), (unsigned long long)h);
      EXPECT_EQ(h, cases[i].hash) << cases[i].name << ": kernel " << dwconv_s8_kernel_name(k) << " gives hash 0x"
                                  << std::hex << h;
    }
  }
}
