#include "ops/nn/conv_gemm.h"

#include <algorithm>
#include <cstring>
#include <mutex>

#include "core/thread_pool.h"
#include "kernels/gemm_f32/gemm_f32.h"
#include "ops/nn/im2col.h"
#include "ops/nn/nn_util.h"

namespace prunq::nn {
namespace {

// Column-buffer budget per chunk, in floats (1 MiB). Measured on the fmnist-cnn layers: GEMMs
// whose column operand stays in the per-core L2 run at ~95 GFLOP/s, chunks of 8 MiB at 70-85.
// Small layers (few input channels) still batch many images into one GEMM.
constexpr int64_t kColumnBudget = int64_t(1) << 18;

struct Plan {
  int64_t rows;       // in_channels * kh * kw: rows of the column matrix
  int64_t k_group;    // rows per group
  int64_t m_group;    // output channels per group
  int64_t out_plane;  // oh * ow
  int64_t in_image;   // in_channels * ih * iw
  int64_t chunk;      // images per chunk
  int64_t chunks;     // number of chunks
};

Plan make_plan(const ConvGemmShape& s) {
  Plan p{};
  p.rows = s.in_channels * s.w.kh * s.w.kw;
  p.k_group = p.rows / s.group;
  p.m_group = s.out_channels / s.group;
  p.out_plane = s.w.oh * s.w.ow;
  p.in_image = s.in_channels * s.w.ih * s.w.iw;
  // At least one chunk per thread, so every core has images to work on.
  const int64_t per_thread = (s.batch + num_threads() - 1) / num_threads();
  p.chunk = std::clamp<int64_t>(kColumnBudget / std::max<int64_t>(1, p.rows * p.out_plane), 1,
                                std::max<int64_t>(1, per_thread));
  p.chunks = (s.batch + p.chunk - 1) / p.chunk;
  return p;
}

// Forward of images [n0, n0 + nb) with this thread's buffers.
void forward_chunk(const ConvGemmShape& s, const Plan& p, const float* x, const float* weight, const float* bias,
                   int64_t n0, int64_t nb, float* y) {
  const int64_t cols = nb * p.out_plane;
  float* col = scratch(0, size_t(p.rows * cols));
  im2col_batch(x + n0 * p.in_image, nb, s.in_channels, s.w, col);
  if (nb == 1) {
    // One image: the GEMM result [M, oh*ow] is already y's layout; bias is fused into it.
    float* y_image = y + n0 * s.out_channels * p.out_plane;
    for (int64_t g = 0; g < s.group; ++g) {
      GemmEpilogue e;
      e.row_bias = bias ? bias + g * p.m_group : nullptr;
      gemm_f32_epilogue(false, false, p.m_group, cols, p.k_group, 1.f, weight + g * p.m_group * p.k_group, p.k_group,
                        col + g * p.k_group * cols, cols, 0.f, y_image + g * p.m_group * cols, cols, e);
    }
    return;
  }
  float* out = scratch(1, size_t(s.out_channels * cols));
  for (int64_t g = 0; g < s.group; ++g)
    gemm_f32(false, false, p.m_group, cols, p.k_group, 1.f, weight + g * p.m_group * p.k_group, p.k_group,
             col + g * p.k_group * cols, cols, 0.f, out + g * p.m_group * cols, cols);
  // out is [M, nb, oh*ow]; y wants [nb, M, oh*ow].
  for (int64_t b = 0; b < nb; ++b)
    for (int64_t m = 0; m < s.out_channels; ++m) {
      const float* src = out + m * cols + b * p.out_plane;
      float* dst = y + ((n0 + b) * s.out_channels + m) * p.out_plane;
      const float add = bias ? bias[m] : 0.f;
      for (int64_t i = 0; i < p.out_plane; ++i) dst[i] = src[i] + add;
    }
}

// Backward of images [n0, n0 + nb): dweight_acc += this chunk's weight gradient, dx of the
// chunk's images is written (dx was zeroed).
void backward_chunk(const ConvGemmShape& s, const Plan& p, const float* x, const float* weight, const float* dy,
                    int64_t n0, int64_t nb, float* dx, float* dweight_acc) {
  const int64_t cols = nb * p.out_plane;
  float* col = scratch(0, size_t(p.rows * cols));
  // dy chunk [nb, M, oh*ow] -> [M, nb*oh*ow], the layout of the forward GEMM's output; for a
  // single image that is dy itself.
  const float* g_cols = dy + n0 * s.out_channels * p.out_plane;
  if (nb > 1) {
    float* dy_t = scratch(1, size_t(s.out_channels * cols));
    for (int64_t b = 0; b < nb; ++b)
      for (int64_t m = 0; m < s.out_channels; ++m)
        std::memcpy(dy_t + m * cols + b * p.out_plane, dy + ((n0 + b) * s.out_channels + m) * p.out_plane,
                    size_t(p.out_plane) * sizeof(float));
    g_cols = dy_t;
  }
  if (dweight_acc) {
    im2col_batch(x + n0 * p.in_image, nb, s.in_channels, s.w, col);
    for (int64_t g = 0; g < s.group; ++g)
      gemm_f32(false, true, p.m_group, p.k_group, cols, 1.f, g_cols + g * p.m_group * cols, cols,
               col + g * p.k_group * cols, cols, 1.f, dweight_acc + g * p.m_group * p.k_group, p.k_group);
  }
  if (dx) {
    // The column buffer is free again once dweight used it: reuse it for d(columns).
    for (int64_t g = 0; g < s.group; ++g)
      gemm_f32(true, false, p.k_group, cols, p.m_group, 1.f, weight + g * p.m_group * p.k_group, p.k_group,
               g_cols + g * p.m_group * cols, cols, 0.f, col + g * p.k_group * cols, cols);
    col2im_batch_add(col, nb, s.in_channels, s.w, dx + n0 * p.in_image);
  }
}

}  // namespace

// Threads split the batch (one range of chunks each) and run their GEMMs single-threaded:
// measured on 2 cores, that beats threading each small GEMM. With a single chunk (batch 1
// inference) the helpers' own parallel_for and the GEMM's threading take over instead.
void conv_gemm_forward(const ConvGemmShape& s, const float* x, const float* weight, const float* bias, float* y) {
  const Plan p = make_plan(s);
  parallel_for(p.chunks, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      const int64_t n0 = c * p.chunk;
      forward_chunk(s, p, x, weight, bias, n0, std::min(p.chunk, s.batch - n0), y);
    }
  });
}

void conv_gemm_backward(const ConvGemmShape& s, const float* x, const float* weight, const float* dy, float* dx,
                        float* dweight, float* dbias) {
  const Plan p = make_plan(s);
  if (dbias) {
    parallel_for(s.out_channels, [&](int64_t m0, int64_t m1) {
      for (int64_t m = m0; m < m1; ++m) {
        double acc = 0;
        for (int64_t b = 0; b < s.batch; ++b) {
          const float* g = dy + (b * s.out_channels + m) * p.out_plane;
          float part = 0;
          for (int64_t i = 0; i < p.out_plane; ++i) part += g[i];
          acc += part;
        }
        dbias[m] = static_cast<float>(acc);
      }
    });
  }
  if (!dx && !dweight) return;
  const int64_t weight_size = s.out_channels * p.k_group;
  if (dweight) std::memset(dweight, 0, size_t(weight_size) * sizeof(float));
  if (dx) std::memset(dx, 0, size_t(s.batch * p.in_image) * sizeof(float));
  std::mutex sum_mu;
  parallel_for(p.chunks, [&](int64_t c0, int64_t c1) {
    // Each thread sums its chunks' weight gradients privately, then adds them in once.
    float* partial = nullptr;
    if (dweight) {
      partial = scratch(2, size_t(weight_size));
      std::fill(partial, partial + weight_size, 0.f);
    }
    for (int64_t c = c0; c < c1; ++c) {
      const int64_t n0 = c * p.chunk;
      backward_chunk(s, p, x, weight, dy, n0, std::min(p.chunk, s.batch - n0), dx, partial);
    }
    if (dweight) {
      std::lock_guard<std::mutex> lock(sum_mu);
      for (int64_t i = 0; i < weight_size; ++i) dweight[i] += partial[i];
    }
  });
}

}  // namespace prunq::nn
