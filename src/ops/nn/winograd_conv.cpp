#include "ops/nn/winograd_conv.h"

#include <algorithm>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/gemm_f32/gemm_f32.h"
#include "ops/nn/nn_util.h"

namespace prunq::nn {
namespace {

// Floats of transformed input + GEMM output per chunk of images (2 MiB): keeps both in L2/L3
// while the 16 GEMMs and the output transform read them back.
constexpr int64_t kTileBudget = int64_t(1) << 19;

// U[k][m][c] = (G g G^T)[k] for the 3x3 filter g = weight[m][c].
void transform_weights(const float* weight, int64_t m_count, int64_t c_count, float* u) {
  const int64_t mc = m_count * c_count;
  for (int64_t p = 0; p < mc; ++p) {
    const float* g = weight + p * 9;
    float t[4][3];  // G g: rows g0, (g0+g1+g2)/2, (g0-g1+g2)/2, g2
    for (int j = 0; j < 3; ++j) {
      t[0][j] = g[j];
      t[1][j] = 0.5f * (g[j] + g[3 + j] + g[6 + j]);
      t[2][j] = 0.5f * (g[j] - g[3 + j] + g[6 + j]);
      t[3][j] = g[6 + j];
    }
    for (int i = 0; i < 4; ++i) {  // (G g) G^T, same combination along the columns
      const float r[4] = {t[i][0], 0.5f * (t[i][0] + t[i][1] + t[i][2]), 0.5f * (t[i][0] - t[i][1] + t[i][2]),
                          t[i][2]};
      for (int j = 0; j < 4; ++j) u[(i * 4 + j) * mc + p] = r[j];
    }
  }
}

// V[k][c][tile] = (B^T d B)[k] for the 4x4 input patch d of every tile of the images in the chunk.
// Loops run along tile columns so the compiler vectorises them: d B (column combinations) is
// computed once per input row, since consecutive tile rows share two input rows, and B^T (row
// combinations) then reads four of those rows per tile row.
void transform_input(const WinogradShape& s, const float* x, int64_t nb, int64_t tiles_h, int64_t tiles_w,
                     float* v) {
  const int64_t tiles_img = tiles_h * tiles_w, cols = nb * tiles_img, plane = s.ih * s.iw;
  const int64_t kstride = s.in_channels * cols;
  const int64_t rows_needed = 2 * tiles_h + 2, row_len = 2 * tiles_w + 2;
  // Valid input columns of a padded row [-pl, -pl + row_len).
  const int64_t col_lo = std::min(row_len, s.pl), col_hi = std::clamp<int64_t>(s.iw + s.pl, col_lo, row_len);
  parallel_for(nb * s.in_channels, [&](int64_t p0, int64_t p1) {
    float* row = scratch(3, size_t(row_len + 2 * (tiles_w + 1) + 4 * tiles_w * rows_needed));
    // The pointers below address disjoint parts of one buffer: __restrict lets the compiler
    // vectorise the per-row loops without alias checks.
    float* __restrict even = row + row_len;       // row[2q]
    float* __restrict odd = even + tiles_w + 1;   // row[2q + 1]
    float* db = odd + tiles_w + 1;     // db[(r * 4 + j) * tiles_w + tx]: (d B) of padded row r
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t b = p / s.in_channels, c = p % s.in_channels;
      const float* src = x + (b * s.in_channels + c) * plane;
      float* dst = v + c * cols + b * tiles_img;
      for (int64_t r = 0; r < rows_needed; ++r) {
        const int64_t yy = r - s.pt;
        float* e = db + r * 4 * tiles_w;
        if (yy < 0 || yy >= s.ih) {
          std::fill(e, e + 4 * tiles_w, 0.f);
          continue;
        }
        std::fill(row, row + col_lo, 0.f);
        std::copy(src + yy * s.iw + (col_lo - s.pl), src + yy * s.iw + (col_hi - s.pl), row + col_lo);
        std::fill(row + col_hi, row + row_len, 0.f);
        for (int64_t q = 0; q <= tiles_w; ++q) {
          even[q] = row[2 * q];
          odd[q] = row[2 * q + 1];
        }
        float* __restrict e0 = e;
        float* __restrict e1 = e + tiles_w;
        float* __restrict e2 = e + 2 * tiles_w;
        float* __restrict e3 = e + 3 * tiles_w;
        for (int64_t tx = 0; tx < tiles_w; ++tx) {  // d B: x0-x2, x1+x2, x2-x1, x1-x3
          const float x0 = even[tx], x1 = odd[tx], x2 = even[tx + 1], x3 = odd[tx + 1];
          e0[tx] = x0 - x2;
          e1[tx] = x1 + x2;
          e2[tx] = x2 - x1;
          e3[tx] = x1 - x3;
        }
      }
      for (int64_t ty = 0; ty < tiles_h; ++ty)
        for (int j = 0; j < 4; ++j) {  // B^T (d B): rows r0-r2, r1+r2, r2-r1, r1-r3
          const float* __restrict r0 = db + ((2 * ty + 0) * 4 + j) * tiles_w;
          const float* __restrict r1 = db + ((2 * ty + 1) * 4 + j) * tiles_w;
          const float* __restrict r2 = db + ((2 * ty + 2) * 4 + j) * tiles_w;
          const float* __restrict r3 = db + ((2 * ty + 3) * 4 + j) * tiles_w;
          float* __restrict v0 = dst + (0 * 4 + j) * kstride + ty * tiles_w;
          float* __restrict v1 = dst + (1 * 4 + j) * kstride + ty * tiles_w;
          float* __restrict v2 = dst + (2 * 4 + j) * kstride + ty * tiles_w;
          float* __restrict v3 = dst + (3 * 4 + j) * kstride + ty * tiles_w;
          for (int64_t tx = 0; tx < tiles_w; ++tx) {
            v0[tx] = r0[tx] - r2[tx];
            v1[tx] = r1[tx] + r2[tx];
            v2[tx] = r2[tx] - r1[tx];
            v3[tx] = r1[tx] - r3[tx];
          }
        }
    }
  });
}

// y tile = A^T m A (+ bias), cropped at the right and bottom edges; vectorised over tile columns
// like transform_input.
void transform_output(const WinogradShape& s, const float* mbuf, const float* bias, int64_t n0, int64_t nb,
                      int64_t tiles_h, int64_t tiles_w, float* y) {
  const int64_t tiles_img = tiles_h * tiles_w, cols = nb * tiles_img, out_plane = s.oh * s.ow;
  const int64_t kstride = s.out_channels * cols;
  parallel_for(nb * s.out_channels, [&](int64_t p0, int64_t p1) {
    float* buf = scratch(3, size_t(12 * tiles_w));
    float* am = buf;                  // A^T m: am[(i * 4 + j) * tiles_w + tx], i < 2
    float* out = buf + 8 * tiles_w;   // out[(i * 2 + j) * tiles_w + tx]
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t b = p / s.out_channels, m = p % s.out_channels;
      const float* src = mbuf + m * cols + b * tiles_img;
      float* dst = y + ((n0 + b) * s.out_channels + m) * out_plane;
      const float add = bias ? bias[m] : 0.f;
      for (int64_t ty = 0; ty < tiles_h; ++ty) {
        for (int j = 0; j < 4; ++j) {  // A^T m: rows m0+m1+m2, m1-m2-m3
          const float* __restrict m0 = src + (0 * 4 + j) * kstride + ty * tiles_w;
          const float* __restrict m1 = src + (1 * 4 + j) * kstride + ty * tiles_w;
          const float* __restrict m2 = src + (2 * 4 + j) * kstride + ty * tiles_w;
          const float* __restrict m3 = src + (3 * 4 + j) * kstride + ty * tiles_w;
          float* __restrict a0 = am + (0 * 4 + j) * tiles_w;
          float* __restrict a1 = am + (1 * 4 + j) * tiles_w;
          for (int64_t tx = 0; tx < tiles_w; ++tx) {
            a0[tx] = m0[tx] + m1[tx] + m2[tx];
            a1[tx] = m1[tx] - m2[tx] - m3[tx];
          }
        }
        for (int i = 0; i < 2; ++i) {  // (A^T m) A: columns c0+c1+c2, c1-c2-c3
          const float* __restrict c0 = am + (i * 4 + 0) * tiles_w;
          const float* __restrict c1 = am + (i * 4 + 1) * tiles_w;
          const float* __restrict c2 = am + (i * 4 + 2) * tiles_w;
          const float* __restrict c3 = am + (i * 4 + 3) * tiles_w;
          float* __restrict o0 = out + (i * 2 + 0) * tiles_w;
          float* __restrict o1 = out + (i * 2 + 1) * tiles_w;
          for (int64_t tx = 0; tx < tiles_w; ++tx) {
            o0[tx] = c0[tx] + c1[tx] + c2[tx] + add;
            o1[tx] = c1[tx] - c2[tx] - c3[tx] + add;
          }
        }
        for (int i = 0; i < 2 && 2 * ty + i < s.oh; ++i) {
          float* row = dst + (2 * ty + i) * s.ow;
          const float* o0 = out + (i * 2 + 0) * tiles_w;
          const float* o1 = out + (i * 2 + 1) * tiles_w;
          const int64_t full = s.ow / 2;  // tiles whose two columns are both inside the output
          for (int64_t tx = 0; tx < full; ++tx) {
            row[2 * tx] = o0[tx];
            row[2 * tx + 1] = o1[tx];
          }
          if (full < tiles_w) row[2 * full] = o0[full];
        }
      }
    }
  });
}

}  // namespace

void winograd_conv3x3(const WinogradShape& s, const float* x, const float* weight, const float* bias, float* y) {
  const int64_t tiles_h = (s.oh + 1) / 2, tiles_w = (s.ow + 1) / 2, tiles_img = tiles_h * tiles_w;
  const int64_t per_image = 16 * (s.in_channels + s.out_channels) * tiles_img;
  // As in conv_gemm: threads split the batch and run their 16 GEMMs single-threaded.
  const int64_t per_thread = (s.batch + num_threads() - 1) / num_threads();
  const int64_t chunk = std::clamp<int64_t>(kTileBudget / std::max<int64_t>(1, per_image), 1,
                                            std::max<int64_t>(1, per_thread));
  const int64_t chunks = (s.batch + chunk - 1) / chunk;
  const int64_t mc = s.out_channels * s.in_channels;
  std::vector<float> u(size_t(16 * mc));
  transform_weights(weight, s.out_channels, s.in_channels, u.data());
  parallel_for(chunks, [&](int64_t c0, int64_t c1) {
    float* v = scratch(1, size_t(16 * s.in_channels * chunk * tiles_img));
    float* mbuf = scratch(2, size_t(16 * s.out_channels * chunk * tiles_img));
    for (int64_t ci = c0; ci < c1; ++ci) {
      const int64_t n0 = ci * chunk, nb = std::min(chunk, s.batch - n0), cols = nb * tiles_img;
      transform_input(s, x + n0 * s.in_channels * s.ih * s.iw, nb, tiles_h, tiles_w, v);
      for (int64_t k = 0; k < 16; ++k)
        gemm_f32(false, false, s.out_channels, cols, s.in_channels, 1.f, u.data() + k * mc, s.in_channels,
                 v + k * s.in_channels * cols, cols, 0.f, mbuf + k * s.out_channels * cols, cols);
      transform_output(s, mbuf, bias, n0, nb, tiles_h, tiles_w, y);
    }
  });
}

void winograd_conv3x3_input_grad(int64_t batch, int64_t in_channels, int64_t out_channels, int64_t ih, int64_t iw,
                                 int64_t pt, int64_t pl, int64_t oh, int64_t ow, const float* dy, const float* weight,
                                 float* dx) {
  // dx = conv3x3(dy, w') with w'[c][m][i][j] = w[m][c][2-i][2-j] and leading pads 2-pt, 2-pl.
  std::vector<float> flipped(size_t(in_channels * out_channels * 9));
  for (int64_t m = 0; m < out_channels; ++m)
    for (int64_t c = 0; c < in_channels; ++c)
      for (int k = 0; k < 9; ++k) flipped[size_t((c * out_channels + m) * 9 + (8 - k))] = weight[(m * in_channels + c) * 9 + k];
  WinogradShape t{batch, out_channels, in_channels, oh, ow, 2 - pt, 2 - pl, ih, iw};
  winograd_conv3x3(t, dy, flipped.data(), nullptr, dx);
}

}  // namespace prunq::nn
