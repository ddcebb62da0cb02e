// The int8 GEMM's truth (plain loops over unpacked data) and the portable scalar micro-kernel.
#include <algorithm>

#include "core/error.h"
#include "kernels/gemm_s8/gemm_s8.h"
#include "kernels/gemm_s8/ukernel.h"

namespace prunq {

void gemm_s8_reference(const int8_t* w, int64_t n, int64_t k, int64_t ldw, const QuantSpec& spec, int64_t m,
                       const void* a, int64_t lda, void* c, int64_t ldc) {
  OutputStage os = make_output_stage(spec, n, n, "gemm_s8_reference");
  for (int64_t row = 0; row < m; ++row)
    for (int64_t col = 0; col < n; ++col) {
      int64_t zw = per_channel(spec.w_zero_points, col, 0);
      int64_t sum = spec.bias.empty() ? 0 : spec.bias[col];
      for (int64_t i = 0; i < k; ++i) {
        int64_t av = spec.a_signed ? static_cast<const int8_t*>(a)[row * lda + i]
                                   : static_cast<const uint8_t*>(a)[row * lda + i];
        sum += (av - spec.a_zero_point) * (w[col * ldw + i] - zw);
      }
      store_output_scalar(os, col, static_cast<int32_t>(static_cast<uint32_t>(sum)), c, row * ldc + col);
    }
}

namespace gemm_s8_detail {
namespace {

// Same arithmetic as the SIMD kernels (u8 bytes x s8 weights, wrapping int32), one lane at a time.
void scalar_ukernel(const UkernelCall& call) {
  const PackedGemmS8& p = *call.p;
  const int MR = ukernel_scalar().mr[call.nv - 1];
  const int64_t gps = p.segment_groups + (p.segment_tail ? 1 : 0);
  for (int r = 0; r < call.mr; ++r) {
    uint32_t acc[4 * kPanelCols] = {};
    uint32_t rowsum = 0;
    const int8_t* w = reinterpret_cast<const int8_t*>(call.w);
    for (int64_t s = 0; s < p.segments; ++s) {
      const uint8_t* a = call.a[s * MR + r];
      for (int64_t g = 0; g < gps; ++g) {
        uint8_t bytes[4] = {0, 0, 0, 0};
        int nb = g < p.segment_groups ? 4 : p.segment_tail;
        for (int b = 0; b < nb; ++b) bytes[b] = a[g * 4 + b];
        for (int b = 0; b < 4; ++b) rowsum += bytes[b];
        for (int v = 0; v < call.nv; ++v) {
          const int8_t* wg = w + v * p.panel_bytes + ((s * gps + g) * kPanelCols) * 4;
          for (int j = 0; j < kPanelCols; ++j)
            for (int b = 0; b < 4; ++b)
              acc[v * kPanelCols + j] += static_cast<uint32_t>(bytes[b] * static_cast<int32_t>(wg[j * 4 + b]));
        }
      }
    }
    for (int j = 0; j < call.n_valid; ++j) {
      int64_t col = call.n0 + j;
      uint32_t x = acc[j] + static_cast<uint32_t>(p.correction[col]);
      if (!p.w_zero_points.empty()) x -= static_cast<uint32_t>(p.w_zero_points[col]) * rowsum;
      store_output_scalar(p.out, col, static_cast<int32_t>(x), call.c, call.c_index + r * call.ldc + j);
    }
  }
}

}  // namespace

const UkernelInfo& ukernel_scalar() {
  static const UkernelInfo info = [] {
    UkernelInfo i;
    i.run = scalar_ukernel;
    i.layout = Layout::vnni4;
    i.max_nv = 4;
    for (int& mr : i.mr) mr = 4;
    return i;
  }();
  return info;
}

}  // namespace gemm_s8_detail
}  // namespace prunq
