// int8 kernel benchmarks: GEMM shapes, the conv layers of fmnist-cnn, MobileNetV2 and
// ResNet-18 (NHWC, batch as listed), and depthwise layers with both the best and the scalar
// kernel. Counters: GMAC/s and the fraction of the int8 peak measured in the same run (per thread
// used): the vpdpbusd loop with VNNI, the vpmaddubsw + vpmaddwd loop on AVX2 (s8_peak.h).
// Single-threaded runs are timed in thread CPU time like the peak loop; multi-threaded ones in
// wall time. PRUNQ_BENCH_WALL=1 times everything in wall time (bench/run_kernel_bench.sh sets it:
// PyTorch is timed in wall time too).
//   bench_kernels_s8 --benchmark_filter=fmnist   (what bench/run_kernel_bench.sh runs)
// BM_f32_* rows run the fp32 work of the same shapes in the same binary (the GEMM of each int8
// GEMM and direct conv through gemm_f32's backend and through prunq's own kernel, dwconv2d_f32
// for each depthwise layer), so bench/run_s8_vs_f32.sh can print int8 / fp32 MAC-rate ratios.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/conv_f32/conv_params.h"
#include "kernels/conv_s8/conv_s8.h"
#include "kernels/dwconv_f32/dwconv_f32.h"
#include "kernels/dwconv_s8/dwconv_s8.h"
#include "kernels/gemm_s8/gemm_s8.h"
#include "kernels/gemm_f32/gemm_f32.h"
#include "kernels/gemm_s8/s8_peak.h"
#include "kernels/peak/peak.h"
#include "timed_calls.h"

using namespace prunq;

namespace {

double s8_peak() {
  static const double peak = [] {
    GemmS8Kernel k = best_gemm_s8_kernel();
    double p = 0;
    if (k != GemmS8Kernel::scalar) p = measure_s8_peak_gmacs(k, 0.4);
    std::fprintf(stderr, "int8 kernel: %s, %s peak (1 thread): %.1f GMAC/s\n",
                 std::string(gemm_s8_kernel_name(k)).c_str(),
                 k == GemmS8Kernel::avx2 ? "vpmaddubsw+vpmaddwd" : "vpdpbusd", p);
    return p;
  }();
  return peak;
}

// The fp32 FMA peak of the ISA the fp32 kernels run under the PRUNQ_ISA cap (GMAC/s: 1 FMA lane
// = 1 MAC), printed beside the int8 one.
void print_f32_peak() {
  static const bool once = [] {
    const Isa isa = active_isa() >= Isa::avx512 ? Isa::avx512 : active_isa() >= Isa::avx2 ? Isa::avx2 : Isa::scalar;
    std::fprintf(stderr, "fp32 rows: gemm_f32 backend %s, prunq variant %s, %s FMA peak (1 thread): %.1f GMAC/s\n",
                 gemm_f32_backend(), gemm_f32_variant_name(active_isa()), std::string(isa_name(isa)).c_str(),
                 measure_fp32_peak_gflops(isa, 0.4) / 2);
    return true;
  }();
  (void)once;
}

std::vector<uint8_t> bytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& x : v) x = static_cast<uint8_t>(rng());
  return v;
}

QuantSpec layer_spec(int64_t n) {
  QuantSpec s;
  s.a_zero_point = 3;
  s.a_scale = 0.02f;
  s.w_scales.assign(static_cast<size_t>(n), 0.004f);
  s.bias.assign(static_cast<size_t>(n), 100);
  s.out_type = QOut::u8;
  s.out_scale = 0.05f;
  s.out_zero_point = 0;
  s.act_min = 0;  // fused ReLU
  return s;
}

// Times fn() per iteration: thread CPU time for 1 thread, wall time otherwise.
bool wall_time_only() {
  static const bool wall = [] {
    const char* e = std::getenv("PRUNQ_BENCH_WALL");
    return e && *e && *e != '0';
  }();
  return wall;
}

// fp32 rows: the same timing, GMAC/s only.
template <typename Fn>
void time_loop_f32(benchmark::State& state, int threads, double macs, Fn&& fn) {
  print_f32_peak();
  set_num_threads(threads);
  bench::timed_calls(state, threads == 1 && !wall_time_only(), fn);
  state.counters["GMAC"] = benchmark::Counter(macs * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

std::vector<float> floats(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1.f, 1.f);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

// C[m, n] = A[m, k] * B[k, n] in fp32: gemm_f32 (its backend, OpenBLAS when linked) or prunq's own
// kernel at the capped ISA.
void run_f32_gemm(benchmark::State& state, int64_t m, int64_t n, int64_t k, int threads, bool blas) {
  std::vector<float> a = floats(static_cast<size_t>(m * k), 1), b = floats(static_cast<size_t>(k * n), 2),
                     c(static_cast<size_t>(m * n));
  state.SetLabel(blas ? gemm_f32_backend() : gemm_f32_variant_name(active_isa()));
  time_loop_f32(state, threads, double(m) * n * k, [&] {
    if (blas)
      gemm_f32(false, false, m, n, k, 1.f, a.data(), k, b.data(), n, 0.f, c.data(), n);
    else
      gemm_f32_prunq(false, false, m, n, k, 1.f, a.data(), k, b.data(), n, 0.f, c.data(), n);
  });
}

template <bool Blas>
void BM_f32_gemm(benchmark::State& state) {
  run_f32_gemm(state, state.range(0), state.range(1), state.range(2), static_cast<int>(state.range(3)), Blas);
}

template <typename Fn>
void time_loop(benchmark::State& state, int threads, double macs, Fn&& fn) {
  set_num_threads(threads);
  bench::timed_calls(state, threads == 1 && !wall_time_only(), fn);
  state.counters["GMAC"] = benchmark::Counter(macs * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  double peak = s8_peak();
  if (peak > 0)
    state.counters["of_peak"] =
        benchmark::Counter(macs * 1e-9 / (peak * threads), benchmark::Counter::kIsIterationInvariantRate);
}

// Random int8 weights: full range [-128, 127], or 7 bits [-64, 63] (Weights7), which AVX2 runs
// with vpmaddubsw (avx2_maddubs.cpp); the label names the micro-kernel that ran.
template <bool Weights7>
void BM_gemm_s8(benchmark::State& state) {
  const int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  const int threads = static_cast<int>(state.range(3));
  std::vector<uint8_t> a = bytes(static_cast<size_t>(m * k), 1), w = bytes(static_cast<size_t>(n * k), 2);
  if (Weights7)
    for (uint8_t& x : w) x = static_cast<uint8_t>(static_cast<int8_t>(x) >> 1);
  std::vector<uint8_t> c(static_cast<size_t>(m * n));
  PackedGemmS8 p = pack_gemm_s8(reinterpret_cast<const int8_t*>(w.data()), n, k, layer_spec(n));
  state.SetLabel(std::string(packed_gemm_s8_kernel_name(p)));
  time_loop(state, threads, double(m) * n * k, [&] { gemm_s8(p, m, a.data(), k, c.data(), n); });
}

void gemm_shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"M", "N", "K", "threads"});
  for (int t : {1, 2}) {
    b->Args({1024, 1024, 1024, t});
    b->Args({3136, 64, 576, t});    // ResNet-18 conv2_x as a GEMM
    b->Args({196, 512, 4608, t});   // ResNet-18 conv5_x (batch 4 at 7x7)
    b->Args({64, 1000, 512, t});    // classifier, batch 64
  }
}

// The convolution layers benchmarked (and mirrored by bench/pytorch_qconv.py: keep in sync).
struct ConvLayer {
  const char* name;
  int64_t batch, c, o, hw, k, stride;
};
const ConvLayer kConvLayers[] = {
    {"fmnist_conv1", 64, 1, 32, 28, 3, 1},
    {"fmnist_conv2", 64, 32, 64, 28, 3, 1},
    {"fmnist_conv3", 64, 64, 128, 14, 3, 1},
    {"mobilenetv2_stem", 1, 3, 32, 224, 3, 2},
    {"mobilenetv2_expand_1x1", 1, 24, 144, 56, 1, 1},
    {"mobilenetv2_project_1x1", 1, 144, 24, 56, 1, 1},
    {"mobilenetv2_head_1x1", 1, 320, 1280, 7, 1, 1},
    {"resnet18_conv1_7x7", 1, 3, 64, 224, 7, 2},
    {"resnet18_layer1_3x3", 1, 64, 64, 56, 3, 1},
    {"resnet18_layer2_3x3s2", 1, 64, 128, 56, 3, 2},
    {"resnet18_layer3_3x3", 1, 256, 256, 14, 3, 1},
    {"resnet18_layer4_3x3", 1, 512, 512, 7, 3, 1},
};

ConvS8Shape conv_shape(const ConvLayer& l) {
  ConvS8Shape s;
  s.in_h = s.in_w = l.hw;
  s.in_c = l.c;
  s.out_c = l.o;
  s.kernel_h = s.kernel_w = l.k;
  s.stride_h = s.stride_w = l.stride;
  s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = l.k / 2;
  return s;
}

// algorithm: automatic (what the runtime runs: Winograd F(4x4,3x3) where it is exact) or direct.
// GMAC/s counts the direct convolution's MACs, so Winograd shows as an effective rate (and can
// exceed the vpdpbusd peak); the `winograd` counter says which algorithm ran.
// weights7: weights in [-64, 63] (the /w7/ rows), which AVX2's direct convolution runs with
// vpmaddubsw; otherwise the full int8 range.
void BM_conv_s8(benchmark::State& state, ConvLayer l, int threads, ConvS8Algorithm algorithm, bool weights7) {
  ConvS8Shape s = conv_shape(l);
  std::vector<uint8_t> in = bytes(static_cast<size_t>(l.batch * l.hw * l.hw * l.c), 3);
  std::vector<uint8_t> w = bytes(static_cast<size_t>(l.o * l.c * l.k * l.k), 4);
  if (weights7)
    for (uint8_t& x : w) x = static_cast<uint8_t>(static_cast<int8_t>(x) >> 1);
  std::vector<uint8_t> out(static_cast<size_t>(l.batch * s.out_h() * s.out_w() * l.o));
  PackedConvS8 p = pack_conv_s8(s, reinterpret_cast<const int8_t*>(w.data()), layer_spec(l.o), best_gemm_s8_kernel(),
                                algorithm);
  state.counters["winograd"] = p.winograd;
  state.SetLabel(p.winograd ? "winograd_" + std::string(gemm_s8_kernel_name(p.wino.kernel))
                            : std::string(packed_gemm_s8_kernel_name(p.gemm)));
  double macs = double(l.batch) * s.out_h() * s.out_w() * l.o * l.c * l.k * l.k;
  time_loop(state, threads, macs, [&] { conv_s8(p, l.batch, in.data(), out.data()); });
}

// Depthwise layers (mirrored in bench/pytorch_qconv.py as dw*), each run with the best kernel
// and with the scalar kernel, so the speed-up over the scalar reference is read in one run.
struct DwLayer {
  const char* name;
  int64_t batch, c, hw, k, stride;
};
const DwLayer kDwLayers[] = {
    {"dw3x3_mobilenetv2_144_56", 1, 144, 56, 3, 1},
    {"dw3x3s2_mobilenetv2_96_112", 1, 96, 112, 3, 2},
    {"dw5x5_192_28", 1, 192, 28, 5, 1},
};

void BM_dwconv_s8(benchmark::State& state, DwLayer l, int threads, DwConvS8Kernel kernel) {
  DwConvS8Shape s;
  s.in_h = s.in_w = l.hw;
  s.channels = l.c;
  s.kernel_h = s.kernel_w = l.k;
  s.stride_h = s.stride_w = l.stride;
  s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = l.k / 2;
  std::vector<uint8_t> in = bytes(static_cast<size_t>(l.batch * l.hw * l.hw * l.c), 5);
  std::vector<uint8_t> w = bytes(static_cast<size_t>(l.c * l.k * l.k), 6);
  std::vector<uint8_t> out(static_cast<size_t>(l.batch * s.out_h() * s.out_w() * l.c));
  PackedDwConvS8 p = pack_dwconv_s8(s, reinterpret_cast<const int8_t*>(w.data()), layer_spec(l.c), kernel);
  double macs = double(l.batch) * s.out_h() * s.out_w() * l.c * l.k * l.k;
  time_loop(state, threads, macs, [&] { dwconv_s8(p, l.batch, in.data(), out.data()); });
}

// The fp32 GEMM of a conv layer's direct MACs (M = output pixels, N = output channels,
// K = taps x input channels): what an im2col + sgemm conv multiplies, without the im2col.
void BM_f32_conv_gemm(benchmark::State& state, ConvLayer l, int threads, bool blas) {
  const ConvS8Shape s = conv_shape(l);
  run_f32_gemm(state, l.batch * s.out_h() * s.out_w(), l.o, l.c * l.k * l.k, threads, blas);
}

// fp32 depthwise of the same layer (dwconv2d_f32, NCHW, bias, no activation).
void BM_f32_dwconv(benchmark::State& state, DwLayer l, int threads) {
  Conv2dParams p;
  p.batch = l.batch;
  p.in_channels = p.out_channels = p.groups = l.c;
  p.in_h = p.in_w = l.hw;
  p.kernel_h = p.kernel_w = l.k;
  p.stride_h = p.stride_w = l.stride;
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = l.k / 2;
  std::vector<float> x = floats(static_cast<size_t>(l.batch * l.c * l.hw * l.hw), 1),
                     w = floats(static_cast<size_t>(l.c * l.k * l.k), 2), b = floats(static_cast<size_t>(l.c), 3),
                     y(static_cast<size_t>(l.batch * l.c * p.out_h() * p.out_w()));
  const double macs = double(l.batch) * p.out_h() * p.out_w() * l.c * l.k * l.k;
  time_loop_f32(state, threads, macs, [&] { dwconv2d_f32(p, x.data(), w.data(), b.data(), Activation::none, y.data()); });
}

}  // namespace

BENCHMARK(BM_f32_gemm<true>)->Name("BM_f32_gemm_blas")->Apply(gemm_shapes)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_f32_gemm<false>)->Name("BM_f32_gemm_prunq")->Apply(gemm_shapes)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_gemm_s8<false>)->Name("BM_gemm_s8")->Apply(gemm_shapes)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_gemm_s8<true>)->Name("BM_gemm_s8_w7")->Apply(gemm_shapes)->UseManualTime()->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
  for (const ConvLayer& l : kConvLayers)
    for (int t : {1, 2}) {
      benchmark::RegisterBenchmark((std::string("BM_conv_s8/") + l.name + "/threads:" + std::to_string(t)).c_str(),
                                   BM_conv_s8, l, t, ConvS8Algorithm::automatic, false)
          ->UseManualTime()
          ->Unit(benchmark::kMillisecond);
      if (l.k == 3 && l.stride == 1)  // the direct kernel beside Winograd, for the speed-up it brings
        benchmark::RegisterBenchmark(
            (std::string("BM_conv_s8/") + l.name + "/direct/threads:" + std::to_string(t)).c_str(), BM_conv_s8, l, t,
            ConvS8Algorithm::direct, false)
            ->UseManualTime()
            ->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark((std::string("BM_conv_s8/") + l.name + "/w7/threads:" + std::to_string(t)).c_str(),
                                   BM_conv_s8, l, t, ConvS8Algorithm::direct, true)
          ->UseManualTime()
          ->Unit(benchmark::kMillisecond);
      for (bool blas : {true, false})
        benchmark::RegisterBenchmark((std::string("BM_f32_conv_gemm/") + l.name + (blas ? "/blas" : "/prunq") +
                                      "/threads:" + std::to_string(t))
                                         .c_str(),
                                     BM_f32_conv_gemm, l, t, blas)
            ->UseManualTime()
            ->Unit(benchmark::kMillisecond);
    }
  for (const DwLayer& l : kDwLayers)
    for (int t : {1, 2}) {
      benchmark::RegisterBenchmark((std::string("BM_f32_dwconv/") + l.name + "/threads:" + std::to_string(t)).c_str(),
                                   BM_f32_dwconv, l, t)
          ->UseManualTime()
          ->Unit(benchmark::kMillisecond);
      for (DwConvS8Kernel k : {best_dwconv_s8_kernel(), DwConvS8Kernel::scalar}) {
        if (k == DwConvS8Kernel::scalar && t == 2) continue;
        std::string name = std::string("BM_dwconv_s8/") + l.name + "/" + dwconv_s8_kernel_name(k) +
                           "/threads:" + std::to_string(t);
        benchmark::RegisterBenchmark(name.c_str(), BM_dwconv_s8, l, t, k)->UseManualTime()->Unit(benchmark::kMillisecond);
      }
    }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
