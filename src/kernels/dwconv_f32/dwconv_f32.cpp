// Depthwise driver: validation, the zero-bordered scratch plane, the choice between the
// per-ISA 3x3/5x5 row kernels and the generic loop, and threading over planes.
#include "kernels/dwconv_f32/dwconv_f32.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"
#include "kernels/dwconv_f32/row_kernels.h"

namespace prunq {
namespace {

using dwconv_detail::kDwRowSlack;
using dwconv_detail::RowFn;
using dwconv_detail::RowKernels;

// The padded input region the outputs actually read, plus kDwRowSlack floats per row.
struct Scratch {
  int64_t rows, cols, pitch;
};

Scratch scratch_geometry(const Conv2dParams& p) {
  Scratch s;
  s.rows = (p.out_h() - 1) * p.stride_h + (p.kernel_h - 1) * p.dilation_h + 1;
  s.cols = (p.out_w() - 1) * p.stride_w + (p.kernel_w - 1) * p.dilation_w + 1;
  s.pitch = s.cols + kDwRowSlack;
  return s;
}

// Copies one input plane into the scratch plane at offset (pad_top, pad_left) with zeros in the
// padding; the per-row slack is left as it is (see row_kernels.h).
void fill_scratch(const Conv2dParams& p, const Scratch& s, const float* plane, float* dst) {
  const int64_t left = std::min(p.pad_left, s.cols);
  const int64_t copy_cols = std::clamp<int64_t>(s.cols - p.pad_left, 0, p.in_w);
  for (int64_t r = 0; r < s.rows; ++r) {
    float* d = dst + r * s.pitch;
    const int64_t iy = r - p.pad_top;
    if (iy < 0 || iy >= p.in_h || copy_cols == 0) {
      std::fill(d, d + s.cols, 0.f);
      continue;
    }
    std::fill(d, d + left, 0.f);
    std::memcpy(d + left, plane + iy * p.in_w, sizeof(float) * copy_cols);
    std::fill(d + left + copy_cols, d + s.cols, 0.f);
  }
}

// Any kernel size, stride and dilation, on the scratch plane.
void generic_plane(const Conv2dParams& p, const Scratch& s, const float* src, const float* w, float bias, float lo,
                   float hi, float* out) {
  const int64_t oh = p.out_h(), ow = p.out_w();
  for (int64_t oy = 0; oy < oh; ++oy)
    for (int64_t ox = 0; ox < ow; ++ox) {
      float acc = bias;
      for (int64_t ky = 0; ky < p.kernel_h; ++ky) {
        const float* r = src + (oy * p.stride_h + ky * p.dilation_h) * s.pitch + ox * p.stride_w;
        for (int64_t kx = 0; kx < p.kernel_w; ++kx) acc += w[ky * p.kernel_w + kx] * r[kx * p.dilation_w];
      }
      out[oy * ow + ox] = std::min(std::max(acc, lo), hi);
    }
}

RowFn pick_row_kernel(const RowKernels& k, const Conv2dParams& p) {
  if (p.dilation_h != 1 || p.dilation_w != 1 || p.kernel_h != p.kernel_w || p.stride_h != p.stride_w) return nullptr;
  const int64_t ks = p.kernel_h, st = p.stride_h;
  if (ks == 3 && st == 1) return k.k3s1;
  if (ks == 3 && st == 2) return k.k3s2;
  if (ks == 5 && st == 1) return k.k5s1;
  if (ks == 5 && st == 2) return k.k5s2;
  return nullptr;
}

void run_dwconv(const RowKernels& k, const Conv2dParams& p, const float* input, const float* weight,
                const float* bias, Activation act, float* output) {
  check_conv2d_params(p, "dwconv2d_f32");
  PRUNQ_CHECK(p.groups == p.in_channels && p.out_channels == p.in_channels, "dwconv2d_f32: needs groups (", p.groups,
              ") == in_channels (", p.in_channels, ") == out_channels (", p.out_channels, ")");
  PRUNQ_CHECK(input && weight && output, "dwconv2d_f32: input, weight and output must not be null");
  const Scratch s = scratch_geometry(p);
  const int64_t oh = p.out_h(), ow = p.out_w(), taps = p.kernel_h * p.kernel_w;
  const int64_t planes = p.batch * p.in_channels;
  const GemmEpilogue clamp = with_activation({}, act);
  const RowFn row = pick_row_kernel(k, p);
  // Small layers are not worth waking a second thread for.
  const double flops = 2.0 * double(planes) * double(oh * ow) * double(taps);
  const int64_t grain = flops < 2e5 ? planes : 1;
  parallel_for(planes, [&](int64_t b, int64_t e) {
    thread_local std::vector<float> scratch;  // grows zero-initialised, so the slack is never uninitialised
    if (scratch.size() < static_cast<size_t>(s.rows * s.pitch)) scratch.resize(static_cast<size_t>(s.rows * s.pitch));
    for (int64_t plane = b; plane < e; ++plane) {
      const int64_t c = plane % p.in_channels;
      const float* w = weight + c * taps;
      const float bv = bias ? bias[c] : 0.f;
      float* out = output + plane * oh * ow;
      fill_scratch(p, s, input + plane * p.in_h * p.in_w, scratch.data());
      if (!row) {
        generic_plane(p, s, scratch.data(), w, bv, clamp.clamp_min, clamp.clamp_max, out);
        continue;
      }
      for (int64_t oy = 0; oy < oh; ++oy)
        row(scratch.data() + oy * p.stride_h * s.pitch, s.pitch, w, bv, ow, clamp.clamp_min, clamp.clamp_max,
            out + oy * ow);
    }
  }, grain);
}

// Best compiled variant at or below each ISA level (same scheme as the GEMM table).
const RowKernels* best_for(Isa level) {
#if defined(__x86_64__) || defined(__i386__)
  if (level >= Isa::avx512 && cpu_supports(Isa::avx512)) return &dwconv_detail::row_kernels_avx512();
  if (level >= Isa::avx2 && cpu_supports(Isa::avx2)) return &dwconv_detail::row_kernels_avx2();
#endif
  return &dwconv_detail::row_kernels_scalar();
}

const std::array<const RowKernels*, 5>& table() {
  static const std::array<const RowKernels*, 5> t = [] {
    std::array<const RowKernels*, 5> a{};
    for (int i = 0; i < 5; ++i) a[i] = best_for(static_cast<Isa>(i));
    return a;
  }();
  return t;
}

const RowKernels* exact_variant(Isa isa) {
  const RowKernels* k = table()[static_cast<size_t>(isa)];
  Isa want = isa == Isa::avx_vnni ? Isa::avx2 : isa == Isa::avx512_vnni ? Isa::avx512 : isa;
  return k->isa == want ? k : nullptr;
}

}  // namespace

void dwconv2d_f32(const Conv2dParams& p, const float* input, const float* weight, const float* bias,
                  Activation act, float* output) {
  run_dwconv(*table()[static_cast<size_t>(active_isa())], p, input, weight, bias, act, output);
}

void dwconv2d_f32_isa(Isa isa, const Conv2dParams& p, const float* input, const float* weight, const float* bias,
                      Activation act, float* output) {
  const RowKernels* k = exact_variant(isa);
  PRUNQ_CHECK(k, "dwconv2d_f32: no ", isa_name(isa), " variant in this build or on this CPU");
  run_dwconv(*k, p, input, weight, bias, act, output);
}

bool dwconv2d_f32_variant_available(Isa isa) { return exact_variant(isa) != nullptr; }

}  // namespace prunq
