// fp32 kernel benchmarks: prunq's GEMM (square 256..2048 and the GEMMs fmnist-cnn training runs
// at batch 128) next to gemm_f32's BLAS backend (OpenBLAS when linked), and the inference conv
// layers of fmnist-cnn, MobileNetV2 and ResNet-18 (batch 1, NCHW), with weights packed per call
// and prepacked once, next to im2col + BLAS.
// Counters: GFLOP/s and peak_frac, the fraction of the fp32 FMA peak measured in the same run
// (per thread used). Single-threaded runs are timed in thread CPU time like the peak loop, so a
// busy shared machine does not distort the ratio; multi-threaded runs in wall time.
//   bench_kernels_f32 --benchmark_filter='gemm_.*/threads:1'
// The depthwise layers of MobileNetV2 and EfficientNet-B0 run as dwconv_f32/<layer>/threads:<t>
// (see kDwLayers; bench/run_dwconv_f32_bench.sh sets them against PyTorch).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/conv_f32/conv_f32.h"
#include "kernels/dwconv_f32/dwconv_f32.h"
#include "kernels/dwconv_f32/dwconv_f32_paths.h"
#include "kernels/gemm_f32/gemm_f32.h"
#include "kernels/peak/peak.h"
#include "timed_calls.h"

using namespace prunq;

namespace {

double peak() {
  static const double p = [] {
    double v = fp32_peak_gflops();
    std::fprintf(stderr, "fp32 FMA peak (1 thread): %.1f GFLOP/s; gemm_f32 backend: %s; prunq variant: %s\n", v,
                 gemm_f32_backend(), gemm_f32_variant_name(active_isa()));
    return v;
  }();
  return p;
}

std::vector<float> randoms(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1.f, 1.f);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

// gemm_f32 keeps OpenBLAS single-threaded and splits the work over prunq's pool, so the pool's
// size is the one thread count that matters for both backends.
void set_threads(int threads) { set_num_threads(threads); }

// Times fn() per iteration (thread CPU time for 1 thread, wall time otherwise; median_ms) and
// reports rates.
template <typename Fn>
void time_loop(benchmark::State& state, int threads, double flops, Fn&& fn) {
  const double p = peak();
  set_threads(threads);
  bench::timed_calls(state, threads == 1, fn);
  state.counters["GFLOP/s"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["peak_frac"] =
      benchmark::Counter(flops * 1e-9 / (p * threads), benchmark::Counter::kIsIterationInvariantRate);
}

// ---------------------------------------------------------------- GEMM
struct GemmArgs {
  int64_t m, n, k;
  bool ta, tb;
  int threads;
};

GemmArgs gemm_args(const benchmark::State& s) {
  return {s.range(0), s.range(1), s.range(2), s.range(3) != 0, s.range(4) != 0, static_cast<int>(s.range(5))};
}

template <bool kPrunq>
void BM_gemm(benchmark::State& state) {
  const GemmArgs g = gemm_args(state);
  std::vector<float> a = randoms(size_t(g.m * g.k), 1), b = randoms(size_t(g.k * g.n), 2), c(size_t(g.m * g.n));
  const int64_t lda = g.ta ? g.m : g.k, ldb = g.tb ? g.k : g.n;
  state.SetLabel(kPrunq ? gemm_f32_variant_name(active_isa()) : gemm_f32_backend());
  time_loop(state, g.threads, 2.0 * g.m * g.n * g.k, [&] {
    if (kPrunq)
      gemm_f32_prunq(g.ta, g.tb, g.m, g.n, g.k, 1.f, a.data(), lda, b.data(), ldb, 0.f, c.data(), g.n);
    else
      gemm_f32(g.ta, g.tb, g.m, g.n, g.k, 1.f, a.data(), lda, b.data(), ldb, 0.f, c.data(), g.n);
  });
}

void gemm_shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"M", "N", "K", "ta", "tb", "threads"});
  for (int t : {1, 2}) {
    for (int s : {256, 512, 1024, 2048}) b->Args({s, s, s, 0, 0, t});
    // fmnist-cnn training at batch 128 (ops/nn/conv_gemm.cpp chunks im2col to 8 MiB):
    b->Args({32, 100352, 9, 0, 0, t});   // layer1 forward: 32 x (128 images * 28*28) x 1*3*3
    b->Args({64, 7056, 288, 0, 0, t});   // layer2 forward: 9-image chunk, K = 32*3*3
    b->Args({64, 288, 7056, 0, 1, t});   // layer2 weight gradient: dY * col^T
    b->Args({288, 7056, 64, 1, 0, t});   // layer2 input gradient: W^T * dY
    b->Args({128, 3528, 576, 0, 0, t});  // layer3 forward: 18-image chunk at 14x14
    b->Args({128, 256, 6272, 0, 1, t});  // fc1 forward: X[128, 6272] * W^T
    b->Args({256, 6272, 128, 1, 0, t});  // fc1 weight gradient: dY^T * X
  }
}

// ---------------------------------------------------------------- convolution
struct ConvLayer {
  const char* name;
  int64_t cin, h, w, cout, k, stride, pad, groups;
};

// Batch-1 inference layers (NCHW). Depthwise layers have groups == cin == cout.
const ConvLayer kLayers[] = {
    {"fmnist.conv1", 1, 28, 28, 32, 3, 1, 1, 1},
    {"fmnist.conv2", 32, 28, 28, 64, 3, 1, 1, 1},
    {"fmnist.conv3", 64, 14, 14, 128, 3, 1, 1, 1},
    {"mnv2.stem", 3, 224, 224, 32, 3, 2, 1, 1},
    {"mnv2.dw112", 32, 112, 112, 32, 3, 1, 1, 32},
    {"mnv2.pw112", 32, 112, 112, 16, 1, 1, 0, 1},
    {"mnv2.expand56", 24, 56, 56, 144, 1, 1, 0, 1},
    {"mnv2.dw56s2", 144, 56, 56, 144, 3, 2, 1, 144},
    {"mnv2.pw14", 384, 14, 14, 64, 1, 1, 0, 1},
    {"mnv2.dw7", 960, 7, 7, 960, 3, 1, 1, 960},
    {"mnv2.head", 320, 7, 7, 1280, 1, 1, 0, 1},
    {"resnet18.conv1", 3, 224, 224, 64, 7, 2, 3, 1},
    {"resnet18.layer1", 64, 56, 56, 64, 3, 1, 1, 1},
    {"resnet18.layer2s2", 64, 56, 56, 128, 3, 2, 1, 1},
    {"resnet18.layer3", 256, 14, 14, 256, 3, 1, 1, 1},
    {"resnet18.layer4", 512, 7, 7, 512, 3, 1, 1, 1},
    {"resnet18.down3", 128, 28, 28, 256, 1, 2, 0, 1},
};

Conv2dParams params_of(const ConvLayer& l) {
  Conv2dParams p;
  p.in_channels = l.cin;
  p.in_h = l.h;
  p.in_w = l.w;
  p.out_channels = l.cout;
  p.kernel_h = p.kernel_w = l.k;
  p.stride_h = p.stride_w = l.stride;
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = l.pad;
  p.groups = l.groups;
  return p;
}

double conv_flops(const Conv2dParams& p) {
  return 2.0 * double(p.out_channels) * double(p.out_h() * p.out_w()) * double(p.in_channels / p.groups) *
         double(p.kernel_h * p.kernel_w);
}

// Full im2col (no groups) for the BLAS baseline: what a conv costs without prunq's kernels.
void im2col(const Conv2dParams& p, const float* x, float* col) {
  const int64_t oh = p.out_h(), ow = p.out_w();
  for (int64_t c = 0; c < p.in_channels; ++c)
    for (int64_t ky = 0; ky < p.kernel_h; ++ky)
      for (int64_t kx = 0; kx < p.kernel_w; ++kx, col += oh * ow)
        for (int64_t oy = 0; oy < oh; ++oy)
          for (int64_t ox = 0; ox < ow; ++ox) {
            const int64_t iy = oy * p.stride_h - p.pad_top + ky, ix = ox * p.stride_w - p.pad_left + kx;
            const bool in = iy >= 0 && iy < p.in_h && ix >= 0 && ix < p.in_w;
            col[oy * ow + ox] = in ? x[(c * p.in_h + iy) * p.in_w + ix] : 0.f;
          }
}

enum class ConvImpl { prunq, prunq_prepacked, im2col_blas };

template <ConvImpl kImpl>
void BM_conv(benchmark::State& state) {
  const ConvLayer& l = kLayers[state.range(0)];
  const int threads = static_cast<int>(state.range(1));
  const Conv2dParams p = params_of(l);
  const bool depthwise = l.groups > 1;
  if (kImpl != ConvImpl::prunq && depthwise) {
    state.SkipWithError("depthwise: no GEMM baseline, no weight packing");
    return;
  }
  const int64_t taps = (p.in_channels / p.groups) * p.kernel_h * p.kernel_w, pixels = p.out_h() * p.out_w();
  std::vector<float> x = randoms(size_t(p.in_channels * p.in_h * p.in_w), 1), w = randoms(size_t(p.out_channels * taps), 2),
                     b = randoms(size_t(p.out_channels), 3), y(size_t(p.out_channels * pixels)),
                     col(kImpl == ConvImpl::im2col_blas ? size_t(taps * pixels) : 0);
  state.SetLabel(l.name);
  const PackedConv2dF32 packed = kImpl == ConvImpl::prunq_prepacked ? prepack_conv2d_f32(p, w.data()) : PackedConv2dF32{};
  time_loop(state, threads, conv_flops(p), [&] {
    if (kImpl == ConvImpl::prunq) {
      if (depthwise)
        dwconv2d_f32(p, x.data(), w.data(), b.data(), Activation::relu6, y.data());
      else
        conv2d_f32(p, x.data(), w.data(), b.data(), Activation::relu6, y.data());
    } else if (kImpl == ConvImpl::prunq_prepacked) {
      conv2d_f32_prepacked(packed, 1, x.data(), b.data(), Activation::relu6, y.data());
    } else {
      im2col(p, x.data(), col.data());
      gemm_f32(false, false, p.out_channels, pixels, taps, 1.f, w.data(), taps, col.data(), pixels, 0.f, y.data(),
               pixels);
      GemmEpilogue e = with_activation(GemmEpilogue{b.data()}, Activation::relu6);
      gemm_f32_apply_epilogue(p.out_channels, pixels, y.data(), pixels, e);
    }
  });
}

void conv_layers(benchmark::internal::Benchmark* b) {
  b->ArgNames({"layer", "threads"});
  for (int t : {1, 2})
    for (int64_t i = 0; i < int64_t(sizeof(kLayers) / sizeof(kLayers[0])); ++i) b->Args({i, t});
}

// ---------------------------------------------------------------- depthwise
// The depthwise layers of MobileNetV2 (224) and EfficientNet-B0 (224), NCHW, bias + ReLU6; a few
// again at batch 8. bench/pytorch_dwconv_f32.py runs the same table: keep the two in sync.
struct DwLayer {
  const char* name;
  int64_t batch, c, hw, k, stride;  // square input, padding k / 2
};

const DwLayer kDwLayers[] = {
    {"mnv2_dw32_112", 1, 32, 112, 3, 1},       {"mnv2_dw96_112s2", 1, 96, 112, 3, 2},
    {"mnv2_dw144_56", 1, 144, 56, 3, 1},       {"mnv2_dw144_56s2", 1, 144, 56, 3, 2},
    {"mnv2_dw192_28", 1, 192, 28, 3, 1},       {"mnv2_dw192_28s2", 1, 192, 28, 3, 2},
    {"mnv2_dw384_14", 1, 384, 14, 3, 1},       {"mnv2_dw576_14", 1, 576, 14, 3, 1},
    {"mnv2_dw576_14s2", 1, 576, 14, 3, 2},     {"mnv2_dw960_7", 1, 960, 7, 3, 1},
    {"effb0_dw144_56s2_k5", 1, 144, 56, 5, 2}, {"effb0_dw240_28_k5", 1, 240, 28, 5, 1},
    {"effb0_dw480_14_k5", 1, 480, 14, 5, 1},   {"effb0_dw672_14_k5", 1, 672, 14, 5, 1},
    {"effb0_dw672_14s2_k5", 1, 672, 14, 5, 2}, {"effb0_dw1152_7_k5", 1, 1152, 7, 5, 1},
    {"mnv2_dw144_56_n8", 8, 144, 56, 3, 1},    {"mnv2_dw144_56s2_n8", 8, 144, 56, 3, 2},
    {"mnv2_dw960_7_n8", 8, 960, 7, 3, 1},
};

Conv2dParams dw_params(const DwLayer& l) {
  Conv2dParams p;
  p.batch = l.batch;
  p.in_channels = p.out_channels = p.groups = l.c;
  p.in_h = p.in_w = l.hw;
  p.kernel_h = p.kernel_w = l.k;
  p.stride_h = p.stride_w = l.stride;
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = l.k / 2;
  return p;
}

// path automatic: what dwconv2d_f32 runs; plane / block: one path forced (dwconv_f32_paths.h),
// for the crossover between them.
void BM_dwconv_f32(benchmark::State& state, const DwLayer& l, int threads, DwPath path) {
  const Conv2dParams p = dw_params(l);
  std::vector<float> x = randoms(size_t(l.batch * l.c * l.hw * l.hw), 1), w = randoms(size_t(l.c * l.k * l.k), 2),
                     b = randoms(size_t(l.c), 3), y(size_t(l.batch * l.c * p.out_h() * p.out_w()));
  const double flops = 2.0 * double(l.batch * l.c) * double(p.out_h() * p.out_w()) * double(l.k * l.k);
  const auto run = [&] {
    dwconv2d_f32_path(active_isa(), path, p, x.data(), w.data(), b.data(), Activation::relu6, y.data());
  };
  try {
    run();
  } catch (const std::exception& e) {  // e.g. no block kernels in the scalar variant
    state.SkipWithError(e.what());
    return;
  }
  time_loop(state, threads, flops, run);
}

const bool kDwRegistered = [] {
  for (const DwLayer& l : kDwLayers) {
    for (int t : {1, 2})
      benchmark::RegisterBenchmark(("dwconv_f32/" + std::string(l.name) + "/threads:" + std::to_string(t)).c_str(),
                                   BM_dwconv_f32, l, t, DwPath::automatic)
          ->UseManualTime()
          ->MinTime(0.2)
          ->Unit(benchmark::kMicrosecond);
    if (l.hw <= 28 && l.batch == 1)  // around the plane/block crossover (needs a vector ISA for block)
      for (auto [path, name] : {std::pair{DwPath::plane, "plane"}, std::pair{DwPath::block, "block"}})
        benchmark::RegisterBenchmark(("dwconv_f32_path/" + std::string(l.name) + "/" + name + "/threads:1").c_str(),
                                     BM_dwconv_f32, l, 1, path)
            ->UseManualTime()
            ->MinTime(0.2)
            ->Unit(benchmark::kMicrosecond);
  }
  return true;
}();

}  // namespace

BENCHMARK(BM_gemm<true>)->Name("gemm_prunq")->Apply(gemm_shapes)->UseManualTime()->MinTime(0.2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_gemm<false>)->Name("gemm_blas")->Apply(gemm_shapes)->UseManualTime()->MinTime(0.2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_conv<ConvImpl::prunq>)->Name("conv_prunq")->Apply(conv_layers)->UseManualTime()->MinTime(0.2)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_conv<ConvImpl::prunq_prepacked>)->Name("conv_prunq_prepacked")->Apply(conv_layers)->UseManualTime()->MinTime(0.2)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_conv<ConvImpl::im2col_blas>)->Name("conv_im2col_blas")->Apply(conv_layers)->UseManualTime()->MinTime(0.2)->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
