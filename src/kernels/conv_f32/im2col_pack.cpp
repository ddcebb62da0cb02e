// Implicit-GEMM packing: gathers im2col rows into B panels for the current block only. Each
// panel row is walked as runs of consecutive output pixels within one output row; for stride 1
// the valid part of such a run is one contiguous input segment (a memcpy), padding is zeros.
#include "kernels/conv_f32/im2col_pack.h"

#include <algorithm>
#include <cstring>

namespace prunq::conv_detail {
namespace {

// dst[t] = row[(ox0 + t) * sw + dx] for t in [0, count), 0 where the input column is padding.
void gather_run(const float* row, int64_t in_w, int64_t ox0, int64_t count, int64_t sw, int64_t dx, float* dst) {
  // Valid t satisfy 0 <= (ox0 + t) * sw + dx < in_w.
  const int64_t first_ix = ox0 * sw + dx;
  int64_t t_lo = first_ix >= 0 ? 0 : (-first_ix + sw - 1) / sw;
  int64_t t_hi = first_ix >= in_w ? 0 : (in_w - first_ix + sw - 1) / sw;
  t_lo = std::min(t_lo, count);
  t_hi = std::clamp(t_hi, t_lo, count);
  std::fill(dst, dst + t_lo, 0.f);
  if (sw == 1) {
    std::memcpy(dst + t_lo, row + first_ix + t_lo, sizeof(float) * (t_hi - t_lo));
  } else {
    const float* s = row + first_ix;
    for (int64_t t = t_lo; t < t_hi; ++t) dst[t] = s[t * sw];
  }
  std::fill(dst + t_hi, dst + count, 0.f);
}

}  // namespace

void pack_im2col(const void* ctx, const gemm_detail::Ukernel& uk, int64_t k0, int64_t kc, int64_t n0, int64_t nc,
                 float* dst) {
  const int nr = uk.nr;
  const Im2colSource& src = *static_cast<const Im2colSource*>(ctx);
  const Conv2dParams& p = *src.p;
  const int64_t taps = p.kernel_h * p.kernel_w, plane = p.in_h * p.in_w;
  for (int64_t j0 = 0; j0 < nc; j0 += nr) {
    const int64_t valid = std::min<int64_t>(nr, nc - j0);
    const int64_t first_pixel = n0 + j0;
    for (int64_t k = 0; k < kc; ++k) {
      const int64_t kk = k0 + k, c = kk / taps, tap = kk % taps;
      const int64_t ky = tap / p.kernel_w, kx = tap % p.kernel_w;
      const int64_t dy = ky * p.dilation_h - p.pad_top, dx = kx * p.dilation_w - p.pad_left;
      const float* chan = src.image + c * plane;
      float* d = dst + k * nr;
      int64_t oy = first_pixel / src.out_w, ox = first_pixel % src.out_w;
      for (int64_t j = 0; j < valid;) {
        const int64_t run = std::min(valid - j, src.out_w - ox);
        const int64_t iy = oy * p.stride_h + dy;
        if (iy < 0 || iy >= p.in_h)
          std::fill(d + j, d + j + run, 0.f);
        else
          gather_run(chan + iy * p.in_w, p.in_w, ox, run, p.stride_w, dx, d + j);
        j += run;
        ox = 0;
        ++oy;
      }
      std::fill(d + valid, d + nr, 0.f);
    }
    dst += kc * nr;
  }
}

}  // namespace prunq::conv_detail
