// Portable int8 Winograd stages: the transforms written as the matrices they are, all integer
// arithmetic in uint32 so that wrapping is defined (see winograd_s8.h for why it is exact).
#include <cstring>

#include "kernels/conv_s8/winograd_s8_kernels.h"
#include "kernels/requant/requant.h"

namespace prunq::winograd_s8_detail {
namespace {

using namespace winograd_s8;

constexpr int kBT[kWindow][kWindow] = {{4, 0, -5, 0, 1, 0},  {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
                                       {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
// A^T of F(4x4, 3x3) with its columns scaled by 2, 4, 4, 1, 1, 8 (undoing G's row scaling x 24)
// and its rows 1..3 divided by 2, 4, 4 (kRowShift).
constexpr int kAT[kOut][kWindow] = {{2, 4, 4, 1, 1, 0}, {0, 2, -2, 1, -1, 0}, {0, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 2}};

void input(const Geometry& g, const uint8_t* in, bool flip_sign, int32_t zp, const Geometry::Tile* tiles, int n,
           int16_t* v) {
  const int64_t cp = g.channels_padded;
  const uint8_t flip = flip_sign ? 0x80 : 0;
  for (int l = 0; l < n; ++l) {
    const Geometry::Tile& t = tiles[l];
    for (int64_t ci = 0; ci < cp; ++ci) {
      int32_t d[kWindow][kWindow];
      for (int i = 0; i < kWindow; ++i)
        for (int j = 0; j < kWindow; ++j) {
          const int64_t iy = t.oy - g.pad_top + i, ix = t.ox - g.pad_left + j;
          // Raw bytes, the zero point in the padding (the -za shift is on the weights' side).
          const bool inside = iy >= 0 && iy < g.in_h && ix >= 0 && ix < g.in_w;
          d[i][j] = ci >= g.c ? 0 : inside ? in[((t.b * g.in_h + iy) * g.in_w + ix) * g.c + ci] ^ flip : zp;
        }
      for (int a = 0; a < kWindow; ++a)
        for (int b = 0; b < kWindow; ++b) {
          int32_t sum = 0;
          for (int i = 0; i < kWindow; ++i)
            for (int j = 0; j < kWindow; ++j) sum += kBT[a][i] * d[i][j] * kBT[b][j];
          v[((a * kWindow + b) * kBlockTiles + l) * cp + ci] = static_cast<int16_t>(sum);
        }
    }
  }
}

void gemm(const PackedWinogradS8& p, const int16_t* v, int64_t p0, int np, int32_t* m) {
  const int64_t cp = p.pairs * 2, cols = int64_t{np} * kPanel, panel_elems = p.pairs * kPanel * 2;
  for (int pos = 0; pos < kPositions; ++pos) {
    const int16_t* u = p.u.data() + (pos * p.panels + p0) * panel_elems;
    for (int r = 0; r < kBlockTiles; ++r) {
      const int16_t* a = v + (pos * kBlockTiles + r) * cp;
      for (int64_t col = 0; col < cols; ++col) {
        const int16_t* w = u + (col / kPanel) * panel_elems + (col % kPanel) * 2;
        uint32_t sum = pos == kStartPosition ? static_cast<uint32_t>(p.start[p0 * kPanel + col]) : 0u;
        for (int64_t pr = 0; pr < p.pairs; ++pr)
          sum += static_cast<uint32_t>(a[2 * pr] * w[pr * kPanel * 2] + a[2 * pr + 1] * w[pr * kPanel * 2 + 1]);
        m[((col / kPanel * kPositions + pos) * kBlockTiles + r) * kPanel + col % kPanel] = static_cast<int32_t>(sum);
      }
    }
  }
}

void output(const PackedWinogradS8& p, const Geometry& g, const int32_t* m, const Geometry::Tile* tiles, int n,
            int64_t p0, int np, void* out) {
  const int64_t cols = int64_t{np} * kPanel;
  for (int l = 0; l < n; ++l) {
    const Geometry::Tile& t = tiles[l];
    for (int64_t col = 0; col < cols; ++col) {
      const int64_t o = p0 * kPanel + col;
      if (o >= p.k) break;
      uint32_t mm[kWindow][kWindow];
      for (int pos = 0; pos < kPositions; ++pos)
        mm[pos / kWindow][pos % kWindow] =
            static_cast<uint32_t>(m[((col / kPanel * kPositions + pos) * kBlockTiles + l) * kPanel + col % kPanel]);
      for (int i = 0; i < kOut && t.oy + i < g.out_h; ++i)
        for (int j = 0; j < kOut && t.ox + j < g.out_w; ++j) {
          uint32_t big = 0;
          for (int a = 0; a < kWindow; ++a)
            for (int b = 0; b < kWindow; ++b) big += static_cast<uint32_t>(kAT[i][a] * kAT[j][b]) * mm[a][b];
          store_output_scalar(p.out, o, recover(big, i, j), out,
                              ((t.b * g.out_h + t.oy + i) * g.out_w + t.ox + j) * p.k + o);
        }
    }
  }
}

}  // namespace

const Kernels& kernels_scalar() {
  static const Kernels k{input, gemm, output};
  return k;
}

}  // namespace prunq::winograd_s8_detail
