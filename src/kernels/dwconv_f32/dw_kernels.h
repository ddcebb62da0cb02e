// Internal: the interface between the depthwise driver (dwconv_f32.cpp) and the per-ISA kernels.
// Two fast paths, both for square 3x3/5x5 kernels with equal strides 1 or 2 and no dilation:
//  * plane kernels compute a whole (image, channel) plane straight from the NCHW input, several
//    output rows per pass so each loaded input row serves every kernel row it meets. Stride 1
//    reads the input in place: masked loads at the left/right borders read zeros, taps on the
//    top/bottom padding rows are skipped; stride 2 splits the input vectors into their even and
//    odd columns in registers.
//  * block kernels compute `lanes` channels of one image at once for planes too narrow to fill
//    a vector: the channels are transposed into the vector lanes of a zero-bordered pixel grid,
//    every tap is then one full-vector FMA, and the result is transposed back.
// Everything else runs the generic loop (generic.cpp).
#pragma once
#include <cstdint>

#include "core/cpu_features.h"

namespace prunq::dwconv_detail {

// Geometry of one fast-path call, identical for every plane of the call.
struct DwGeom {
  int64_t k, s;  // square kernel size, stride (both directions)
  int64_t in_h, in_w, out_h, out_w;
  int64_t pad_top, pad_left;  // bottom/right padding is implied by out_h/out_w
  float lo, hi;               // activation clamp
  // The padded input region the outputs read: rows (out_h-1)*s + k, columns (out_w-1)*s + k.
  int64_t span_h() const { return (out_h - 1) * s + k; }
  int64_t span_w() const { return (out_w - 1) * s + k; }
};

// Floats of per-thread scratch a block kernel may use: the pixel grid [span_h][span_w][lanes]
// and the weights as k*k tap vectors of `lanes` channels.
inline int64_t block_scratch_floats(const DwGeom& g, int64_t lanes) {
  return (g.span_h() * g.span_w() + g.k * g.k) * lanes;
}

// One plane: in = its input [in_h, in_w], w = its k*k taps, out = [out_h, out_w].
using PlaneFn = void (*)(const DwGeom& g, const float* in, const float* w, float bias, float* out);

// `nc` (1..lanes) consecutive channels of one image: in/out point at the first channel's plane,
// w at its taps, bias at its bias (or null); planes are in_h*in_w / out_h*out_w floats apart.
// scratch: block_scratch_floats floats, 64-byte aligned, contents undefined on entry.
using BlockFn = void (*)(const DwGeom& g, const float* in, const float* w, const float* bias, int64_t nc, float* out,
                         float* scratch);

// Indexed [k == 5][s == 2].
struct PlaneKernels {
  PlaneFn fn[2][2];
};
struct BlockKernels {
  int64_t lanes;  // channels per block (the vector length in floats)
  BlockFn fn[2][2];
};

const PlaneKernels& plane_kernels_scalar();
#if defined(__x86_64__) || defined(__i386__)
const PlaneKernels& plane_kernels_avx2();
const PlaneKernels& plane_kernels_avx512();
const BlockKernels& block_kernels_avx2();
const BlockKernels& block_kernels_avx512();
#endif
#if defined(__aarch64__)
const PlaneKernels& plane_kernels_neon();
const BlockKernels& block_kernels_neon();
#endif

}  // namespace prunq::dwconv_detail
