// Internal: the per-ISA depthwise row kernels. A row kernel computes one output row:
//   out[ox] = clamp(bias + sum_{ky,kx} w[ky*K + kx] * in[ky * in_stride + ox * S + kx], lo, hi)
// for ox in [0, out_w), where `in` is the scratch plane at the first input row of the window.
// The scratch rows carry kDwRowSlack floats past the last column any output needs, so kernels
// may load whole vectors past the row's end without masks. The slack holds stale but
// initialised values: they only reach lanes of outputs past out_w, which are never stored.
#pragma once
#include <cstdint>

#include "core/cpu_features.h"

namespace prunq::dwconv_detail {

constexpr int64_t kDwRowSlack = 32;  // AVX-512 stride 2 reads up to 31 floats past the last tap

using RowFn = void (*)(const float* in, int64_t in_stride, const float* w, float bias, int64_t out_w, float lo,
                       float hi, float* out);

struct RowKernels {
  const char* name;
  Isa isa;
  RowFn k3s1, k3s2, k5s1, k5s2;
};

const RowKernels& row_kernels_scalar();
#if defined(__x86_64__) || defined(__i386__)
const RowKernels& row_kernels_avx2();
const RowKernels& row_kernels_avx512();
#endif

}  // namespace prunq::dwconv_detail
