// Portable depthwise row kernels: fixed K and S as template arguments so the compiler unrolls
// the taps and can vectorise along the row with the baseline SIMD.
#include <algorithm>

#include "kernels/dwconv_f32/row_kernels.h"

namespace prunq::dwconv_detail {
namespace {

template <int K, int S>
void row(const float* in, int64_t in_stride, const float* w, float bias, int64_t out_w, float lo, float hi,
         float* out) {
  for (int64_t ox = 0; ox < out_w; ++ox) {
    float acc = bias;
    for (int ky = 0; ky < K; ++ky) {
      const float* r = in + ky * in_stride + ox * S;
      for (int kx = 0; kx < K; ++kx) acc += w[ky * K + kx] * r[kx];
    }
    out[ox] = std::min(std::max(acc, lo), hi);
  }
}

}  // namespace

const RowKernels& row_kernels_scalar() {
  static const RowKernels k{"dwconv_f32__scalar", Isa::scalar, row<3, 1>, row<3, 2>, row<5, 1>, row<5, 2>};
  return k;
}

}  // namespace prunq::dwconv_detail
