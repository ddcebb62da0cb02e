// Depthwise driver: validation, the choice of path (plane kernels, channel-block kernels for
// narrow planes, generic loop), the block kernels' per-thread scratch, and threading over planes
// or blocks.
#include "kernels/dwconv_f32/dwconv_f32.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>

#include "core/error.h"
#include "core/thread_pool.h"
#include "kernels/dwconv_f32/dw_kernels.h"
#include "kernels/dwconv_f32/dwconv_f32_paths.h"
#include "kernels/dwconv_f32/generic.h"

namespace prunq {
namespace {

using dwconv_detail::BlockKernels;
using dwconv_detail::DwGeom;
using dwconv_detail::PlaneKernels;

struct Variant {
  const char* name;
  Isa isa;
  const PlaneKernels* plane;
  const BlockKernels* block;  // null: no block kernels
  // Widest output row sent to the block kernels, by stride: they fill every lane, but pay a
  // transpose per input and per output pixel, four input pixels per output at stride 2.
  // Measured crossover on Zen 4 (AVX-512 and AVX2 alike): 14x14 stride 1 is faster blocked,
  // 28x28 -> 14x14 stride 2 is not.
  int64_t block_max_w[2];
};

// Below this many FLOPs per call, one thread does it all (waking another costs more).
constexpr double kMinParallelFlops = 2e5;

// 64-byte aligned per-thread scratch of at least n floats; the contents carry nothing over.
float* thread_scratch(int64_t n) {
  thread_local std::unique_ptr<float[]> buf;
  thread_local int64_t cap = 0;
  if (cap < n) {
    buf.reset(new float[static_cast<size_t>(n + 16)]);
    cap = n;
  }
  const uintptr_t a = reinterpret_cast<uintptr_t>(buf.get());
  return buf.get() + ((64 - a % 64) % 64) / sizeof(float);
}

bool fast_shape(const Conv2dParams& p) {
  return p.dilation_h == 1 && p.dilation_w == 1 && p.kernel_h == p.kernel_w && (p.kernel_h == 3 || p.kernel_h == 5) &&
         p.stride_h == p.stride_w && (p.stride_h == 1 || p.stride_h == 2);
}

DwGeom geometry(const Conv2dParams& p, const GemmEpilogue& clamp) {
  DwGeom g;
  g.k = p.kernel_h;
  g.s = p.stride_h;
  g.in_h = p.in_h;
  g.in_w = p.in_w;
  g.out_h = p.out_h();
  g.out_w = p.out_w();
  g.pad_top = p.pad_top;
  g.pad_left = p.pad_left;
  g.lo = clamp.clamp_min;
  g.hi = clamp.clamp_max;
  return g;
}

// Grain so that a serial layer stays on the calling thread.
int64_t grain_for(int64_t tasks, double flops) { return flops < kMinParallelFlops ? tasks : 1; }

void run_generic(const Conv2dParams& p, const float* input, const float* weight, const float* bias,
                 const GemmEpilogue& clamp, float* output) {
  const int64_t oh = p.out_h(), ow = p.out_w(), taps = p.kernel_h * p.kernel_w, planes = p.batch * p.in_channels;
  parallel_for(
      planes,
      [&](int64_t b, int64_t e) {
        for (int64_t plane = b; plane < e; ++plane) {
          const int64_t c = plane % p.in_channels;
          dwconv_detail::generic_plane(p, input + plane * p.in_h * p.in_w, weight + c * taps, bias ? bias[c] : 0.f,
                                       clamp.clamp_min, clamp.clamp_max, output + plane * oh * ow);
        }
      },
      grain_for(planes, 2.0 * double(planes) * double(oh * ow) * double(taps)));
}

void run_planes(const Variant& v, const DwGeom& g, const Conv2dParams& p, const float* input, const float* weight,
                const float* bias, float* output) {
  const dwconv_detail::PlaneFn fn = v.plane->fn[g.k == 5][g.s == 2];
  const int64_t taps = g.k * g.k, planes = p.batch * p.in_channels;
  parallel_for(
      planes,
      [&](int64_t b, int64_t e) {
        for (int64_t plane = b; plane < e; ++plane) {
          const int64_t c = plane % p.in_channels;
          fn(g, input + plane * g.in_h * g.in_w, weight + c * taps, bias ? bias[c] : 0.f,
             output + plane * g.out_h * g.out_w);
        }
      },
      grain_for(planes, 2.0 * double(planes) * double(g.out_h * g.out_w) * double(taps)));
}

void run_blocks(const Variant& v, const DwGeom& g, const Conv2dParams& p, const float* input, const float* weight,
                const float* bias, float* output) {
  const dwconv_detail::BlockFn fn = v.block->fn[g.k == 5][g.s == 2];
  const int64_t lanes = v.block->lanes, c = p.in_channels, taps = g.k * g.k;
  const int64_t per_image = (c + lanes - 1) / lanes, blocks = p.batch * per_image;
  const int64_t scratch = block_scratch_floats(g, lanes);
  parallel_for(
      blocks,
      [&](int64_t b, int64_t e) {
        float* s = thread_scratch(scratch);
        for (int64_t blk = b; blk < e; ++blk) {
          const int64_t n = blk / per_image, c0 = blk % per_image * lanes, plane = n * c + c0;
          fn(g, input + plane * g.in_h * g.in_w, weight + c0 * taps, bias ? bias + c0 : nullptr,
             std::min(lanes, c - c0), output + plane * g.out_h * g.out_w, s);
        }
      },
      grain_for(blocks, 2.0 * double(p.batch * c) * double(g.out_h * g.out_w) * double(taps)));
}

void run_dwconv(const Variant& v, DwPath path, const Conv2dParams& p, const float* input, const float* weight,
                const float* bias, Activation act, float* output) {
  check_conv2d_params(p, "dwconv2d_f32");
  PRUNQ_CHECK(p.groups == p.in_channels && p.out_channels == p.in_channels, "dwconv2d_f32: needs groups (", p.groups,
              ") == in_channels (", p.in_channels, ") == out_channels (", p.out_channels, ")");
  PRUNQ_CHECK(input && weight && output, "dwconv2d_f32: input, weight and output must not be null");
  const GemmEpilogue clamp = with_activation({}, act);
  if (path == DwPath::automatic) {
    path = !fast_shape(p)                                          ? DwPath::generic
           : v.block && p.out_w() <= v.block_max_w[p.stride_w - 1] ? DwPath::block
                                                                   : DwPath::plane;
  } else if (path != DwPath::generic) {
    PRUNQ_CHECK(fast_shape(p), "dwconv2d_f32: this path takes 3x3/5x5 kernels, stride 1 or 2, no dilation");
    PRUNQ_CHECK(path != DwPath::block || v.block, "dwconv2d_f32: ", v.name, " has no block kernels");
  }
  if (path == DwPath::generic) return run_generic(p, input, weight, bias, clamp, output);
  const DwGeom g = geometry(p, clamp);
  if (path == DwPath::block) return run_blocks(v, g, p, input, weight, bias, output);
  run_planes(v, g, p, input, weight, bias, output);
}

const Variant& scalar_variant() {
  static const Variant v{"dwconv_f32__scalar", Isa::scalar, &dwconv_detail::plane_kernels_scalar(), nullptr, {0, 0}};
  return v;
}

#if defined(__x86_64__) || defined(__i386__)
const Variant& avx2_variant() {
  static const Variant v{"dwconv_f32__avx2",
                         Isa::avx2,
                         &dwconv_detail::plane_kernels_avx2(),
                         &dwconv_detail::block_kernels_avx2(),
                         {15, 13}};
  return v;
}

const Variant& avx512_variant() {
  static const Variant v{"dwconv_f32__avx512",
                         Isa::avx512,
                         &dwconv_detail::plane_kernels_avx512(),
                         &dwconv_detail::block_kernels_avx512(),
                         {15, 13}};
  return v;
}
#endif

#if defined(__aarch64__)
const Variant& neon_variant() {
  // The block-kernel crossover measured on x86 (no ARM hardware here to measure one).
  static const Variant v{"dwconv_f32__neon",
                         Isa::neon,
                         &dwconv_detail::plane_kernels_neon(),
                         &dwconv_detail::block_kernels_neon(),
                         {15, 13}};
  return v;
}
#endif

// Best compiled variant at or below each ISA level (same scheme as the GEMM table); levels of
// the other architecture's chain find nothing and get the scalar variant.
const Variant* best_for(Isa level) {
#if defined(__x86_64__) || defined(__i386__)
  if (!is_arm_isa(level) && level >= Isa::avx512 && cpu_supports(Isa::avx512)) return &avx512_variant();
  if (!is_arm_isa(level) && level >= Isa::avx2 && cpu_supports(Isa::avx2)) return &avx2_variant();
#endif
#if defined(__aarch64__)
  if (is_arm_isa(level) && cpu_supports(Isa::neon)) return &neon_variant();
#endif
  return &scalar_variant();
}

const std::array<const Variant*, kNumIsaLevels>& table() {
  static const std::array<const Variant*, kNumIsaLevels> t = [] {
    std::array<const Variant*, kNumIsaLevels> a{};
    for (int i = 0; i < kNumIsaLevels; ++i) a[i] = best_for(static_cast<Isa>(i));
    return a;
  }();
  return t;
}

const Variant* exact_variant(Isa isa) {
  const Variant* v = table()[static_cast<size_t>(isa)];
  Isa want = isa == Isa::avx_vnni ? Isa::avx2 : isa == Isa::avx512_vnni ? Isa::avx512 : isa;
  if (is_arm_isa(isa)) want = Isa::neon;  // the int8 extensions add nothing to fp32
  return v->isa == want ? v : nullptr;
}

const Variant& checked_variant(Isa isa) {
  const Variant* v = exact_variant(isa);
  PRUNQ_CHECK(v, "dwconv2d_f32: no ", isa_name(isa), " variant in this build or on this CPU");
  return *v;
}

}  // namespace

void dwconv2d_f32(const Conv2dParams& p, const float* input, const float* weight, const float* bias, Activation act,
                  float* output) {
  run_dwconv(*table()[static_cast<size_t>(active_isa())], DwPath::automatic, p, input, weight, bias, act, output);
}

void dwconv2d_f32_isa(Isa isa, const Conv2dParams& p, const float* input, const float* weight, const float* bias,
                      Activation act, float* output) {
  run_dwconv(checked_variant(isa), DwPath::automatic, p, input, weight, bias, act, output);
}

void dwconv2d_f32_path(Isa isa, DwPath path, const Conv2dParams& p, const float* input, const float* weight,
                       const float* bias, Activation act, float* output) {
  run_dwconv(checked_variant(isa), path, p, input, weight, bias, act, output);
}

bool dwconv2d_f32_variant_available(Isa isa) { return exact_variant(isa) != nullptr; }

}  // namespace prunq
