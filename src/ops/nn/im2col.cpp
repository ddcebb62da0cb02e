#include "ops/nn/im2col.h"

#include <algorithm>
#include <cstring>

#include "core/thread_pool.h"

namespace prunq::nn {
namespace {

// Output columns [x_lo, x_hi) read input columns inside [0, iw) for kernel column offset `off`.
void valid_range(int64_t off, int64_t stride, int64_t iw, int64_t ow, int64_t* x_lo, int64_t* x_hi) {
  // x*stride + off >= 0  and  x*stride + off < iw
  int64_t lo = off >= 0 ? 0 : (-off + stride - 1) / stride;
  int64_t hi = iw - off <= 0 ? 0 : (iw - off + stride - 1) / stride;
  *x_lo = std::min(lo, ow);
  *x_hi = std::clamp(hi, *x_lo, ow);
}

}  // namespace

void im2col_batch(const float* x, int64_t batch, int64_t channels, const Window2d& w, float* col) {
  const int64_t plane = w.ih * w.iw, out_plane = w.oh * w.ow, row_len = batch * out_plane;
  const int64_t rows = channels * w.kh * w.kw;
  parallel_for(rows, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t c = r / (w.kh * w.kw), i = (r / w.kw) % w.kh, j = r % w.kw;
      const int64_t off_x = j * w.dw - w.pl;
      int64_t x_lo, x_hi;
      valid_range(off_x, w.sw, w.iw, w.ow, &x_lo, &x_hi);
      for (int64_t b = 0; b < batch; ++b) {
        const float* src = x + (b * channels + c) * plane;
        float* dst = col + r * row_len + b * out_plane;
        for (int64_t y = 0; y < w.oh; ++y, dst += w.ow) {
          const int64_t iy = y * w.sh - w.pt + i * w.dh;
          if (iy < 0 || iy >= w.ih) {
            std::memset(dst, 0, size_t(w.ow) * sizeof(float));
            continue;
          }
          const float* row = src + iy * w.iw + off_x;
          std::fill(dst, dst + x_lo, 0.f);
          if (w.sw == 1) {
            std::memcpy(dst + x_lo, row + x_lo, size_t(x_hi - x_lo) * sizeof(float));
          } else {
            for (int64_t xx = x_lo; xx < x_hi; ++xx) dst[xx] = row[xx * w.sw];
          }
          std::fill(dst + x_hi, dst + w.ow, 0.f);
        }
      }
    }
  });
}

void col2im_batch_add(const float* col, int64_t batch, int64_t channels, const Window2d& w, float* dx) {
  const int64_t plane = w.ih * w.iw, out_plane = w.oh * w.ow, row_len = batch * out_plane;
  // One task per (image, channel) plane: every write to a plane comes from the same task.
  parallel_for(batch * channels, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t b = p / channels, c = p % channels;
      float* dst = dx + p * plane;
      for (int64_t i = 0; i < w.kh; ++i) {
        for (int64_t j = 0; j < w.kw; ++j) {
          const int64_t r = (c * w.kh + i) * w.kw + j;
          const int64_t off_x = j * w.dw - w.pl;
          int64_t x_lo, x_hi;
          valid_range(off_x, w.sw, w.iw, w.ow, &x_lo, &x_hi);
          const float* src = col + r * row_len + b * out_plane;
          for (int64_t y = 0; y < w.oh; ++y, src += w.ow) {
            const int64_t iy = y * w.sh - w.pt + i * w.dh;
            if (iy < 0 || iy >= w.ih) continue;
            float* row = dst + iy * w.iw + off_x;
            if (w.sw == 1) {
              for (int64_t xx = x_lo; xx < x_hi; ++xx) row[xx] += src[xx];
            } else {
              for (int64_t xx = x_lo; xx < x_hi; ++xx) row[xx * w.sw] += src[xx];
            }
          }
        }
      }
    }
  });
}

}  // namespace prunq::nn
