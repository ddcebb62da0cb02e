#include "ops/nn/depthwise_conv.h"

#include <algorithm>

#include "core/thread_pool.h"

namespace prunq::nn {
namespace {

// Calls fn(y, x, iy, ix) for every output position and kernel tap (i, j) that reads inside the
// input; padding taps are skipped, which is the same as reading zeros.
template <typename Fn>
void for_each_tap(const Window2d& w, int64_t i, int64_t j, Fn&& fn) {
  for (int64_t y = 0; y < w.oh; ++y) {
    const int64_t iy = y * w.sh - w.pt + i * w.dh;
    if (iy < 0 || iy >= w.ih) continue;
    const int64_t off = j * w.dw - w.pl;
    const int64_t x_lo = off >= 0 ? 0 : (-off + w.sw - 1) / w.sw;
    const int64_t x_hi = std::min(w.ow, w.iw - off <= 0 ? 0 : (w.iw - off + w.sw - 1) / w.sw);
    for (int64_t x = x_lo; x < x_hi; ++x) fn(y * w.ow + x, iy * w.iw + x * w.sw + off);
  }
}

}  // namespace

void depthwise_forward(const DepthwiseShape& s, const float* x, const float* weight, const float* bias, float* y) {
  const Window2d& w = s.w;
  const int64_t out_ch = s.channels * s.multiplier, plane = w.ih * w.iw, out_plane = w.oh * w.ow;
  parallel_for(s.batch * out_ch, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t b = p / out_ch, m = p % out_ch;
      const float* src = x + (b * s.channels + m / s.multiplier) * plane;
      const float* k = weight + m * w.kh * w.kw;
      float* dst = y + p * out_plane;
      std::fill(dst, dst + out_plane, bias ? bias[m] : 0.f);
      for (int64_t i = 0; i < w.kh; ++i)
        for (int64_t j = 0; j < w.kw; ++j) {
          const float kv = k[i * w.kw + j];
          for_each_tap(w, i, j, [&](int64_t o, int64_t in) { dst[o] += kv * src[in]; });
        }
    }
  });
}

void depthwise_backward(const DepthwiseShape& s, const float* x, const float* weight, const float* dy, float* dx,
                        float* dweight) {
  const Window2d& w = s.w;
  const int64_t out_ch = s.channels * s.multiplier, plane = w.ih * w.iw, out_plane = w.oh * w.ow;
  const int64_t taps = w.kh * w.kw;
  if (dx) {
    // One task per input plane: all output channels that read it are handled by that task.
    parallel_for(s.batch * s.channels, [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; ++p) {
        const int64_t b = p / s.channels, c = p % s.channels;
        float* dst = dx + p * plane;
        std::fill(dst, dst + plane, 0.f);
        for (int64_t m = c * s.multiplier; m < (c + 1) * s.multiplier; ++m) {
          const float* g = dy + (b * out_ch + m) * out_plane;
          for (int64_t i = 0; i < w.kh; ++i)
            for (int64_t j = 0; j < w.kw; ++j) {
              const float kv = weight[m * taps + i * w.kw + j];
              for_each_tap(w, i, j, [&](int64_t o, int64_t in) { dst[in] += kv * g[o]; });
            }
        }
      }
    });
  }
  if (dweight) {
    // One task per output channel, summing over the batch: no two tasks write the same tap.
    parallel_for(out_ch, [&](int64_t m0, int64_t m1) {
      for (int64_t m = m0; m < m1; ++m) {
        const int64_t c = m / s.multiplier;
        for (int64_t t = 0; t < taps; ++t) {
          double acc = 0;
          for (int64_t b = 0; b < s.batch; ++b) {
            const float* src = x + (b * s.channels + c) * plane;
            const float* g = dy + (b * out_ch + m) * out_plane;
            float part = 0;
            for_each_tap(w, t / w.kw, t % w.kw, [&](int64_t o, int64_t in) { part += g[o] * src[in]; });
            acc += part;
          }
          dweight[m * taps + t] = static_cast<float>(acc);
        }
      }
    });
  }
}

}  // namespace prunq::nn
