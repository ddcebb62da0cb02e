// The three stages of the int8 Winograd convolution, per ISA (scalar reference, AVX2, AVX-VNNI,
// AVX-512 VNNI), and the driver's description of a block of tiles. A block's buffers:
//   V[36][kBlockTiles][pairs * 2] int16   transformed input windows
//   M[np][36][kBlockTiles][16]    int32   per-position products for np panels of output channels
//                                         (a constant stride between positions: the output
//                                         transform's 36 loads need no address arithmetic)
// Tile t covers output rows 4*ty .. 4*ty+3 and columns 4*tx .. 4*tx+3 of image b, with
// t = (b * tiles_h + ty) * tiles_w + tx.
#pragma once
#include <cstdint>

#include "kernels/conv_s8/winograd_s8.h"

namespace prunq::winograd_s8_detail {

struct Geometry {
  int64_t in_h = 0, in_w = 0, c = 0, pad_top = 0, pad_left = 0;
  int64_t out_h = 0, out_w = 0, tiles_h = 0, tiles_w = 0;
  int64_t channels_padded = 0;  // pairs * 2: the row length of V
  // channels_padded + 32 input bytes that read as the zero point (stored sign-flipped for int8
  // input): what window pixels in the padding may load instead of branching.
  const uint8_t* pad_row = nullptr;

  // Where a tile lies: image, first output row / column (the window starts at oy - pad_top).
  struct Tile {
    int64_t b, oy, ox;
  };
  // Tiles t0 .. t0+n-1, walked with additions after one division (the stages run per tile).
  void tiles(int64_t t0, int n, Tile* out) const {
    const int64_t per_image = tiles_h * tiles_w, b = t0 / per_image, r = t0 - b * per_image, ty = r / tiles_w;
    Tile t{b, ty * winograd_s8::kOut, (r - ty * tiles_w) * winograd_s8::kOut};
    for (int i = 0; i < n; ++i) {
      out[i] = t;
      if ((t.ox += winograd_s8::kOut) >= tiles_w * winograd_s8::kOut) {
        t.ox = 0;
        if ((t.oy += winograd_s8::kOut) >= tiles_h * winograd_s8::kOut) t.oy = 0, ++t.b;
      }
    }
  }
};

// The input stages' walk over a block's tiles: window(pixel, v_row) transforms tile l's window
// into V row v + l * channels_padded, where pixel(i, j) gives the bytes of window pixel (i, j).
// Windows inside the image address their pixels directly; windows that reach into the padding
// go through a pointer table whose padding entries point at pad_row. (A template, instantiated
// with each ISA file's own lambda, so no code compiled for one ISA is shared with another.)
template <typename Window>
void for_each_window(const Geometry& g, const uint8_t* in, const Geometry::Tile* tiles, int n, int16_t* v,
                     const Window& window) {
  const int64_t c = g.c, row_bytes = g.in_w * c;
  for (int l = 0; l < n; ++l) {
    const Geometry::Tile& t = tiles[l];
    const int64_t iy0 = t.oy - g.pad_top, ix0 = t.ox - g.pad_left;
    const uint8_t* corner = in + ((t.b * g.in_h + iy0) * g.in_w + ix0) * c;
    int16_t* vt = v + l * g.channels_padded;
    if (iy0 >= 0 && ix0 >= 0 && iy0 + winograd_s8::kWindow <= g.in_h && ix0 + winograd_s8::kWindow <= g.in_w) {
      window([&](int i, int j) { return corner + i * row_bytes + j * c; }, vt);
      continue;
    }
    const uint8_t* px[winograd_s8::kWindow][winograd_s8::kWindow];
    for (int i = 0; i < winograd_s8::kWindow; ++i) {
      const bool row_ok = iy0 + i >= 0 && iy0 + i < g.in_h;
      for (int j = 0; j < winograd_s8::kWindow; ++j)
        px[i][j] = row_ok && ix0 + j >= 0 && ix0 + j < g.in_w ? corner + i * row_bytes + j * c : g.pad_row;
    }
    window([&](int i, int j) { return px[i][j]; }, vt);
  }
}

struct Kernels {
  // V for the block's n tiles (x - za, sign-flipped first for int8 input); rows n ..
  // kBlockTiles-1 are left as they are (their products are never stored).
  void (*input)(const Geometry& g, const uint8_t* in, bool flip_sign, int32_t zero_point_u8,
                const Geometry::Tile* tiles, int n, int16_t* v);
  // M[q][pos][row][col] = start + sum over pairs of V[pos][row][pair] . U[pos][p0 + q][pair][col],
  // for all kBlockTiles rows and np panels.
  void (*gemm)(const PackedWinogradS8& p, const int16_t* v, int64_t p0, int np, int32_t* m);
  // Output tiles of columns p0*16 .. (p0+np)*16 (valid ones only) from M, through the output stage.
  void (*output)(const PackedWinogradS8& p, const Geometry& g, const int32_t* m, const Geometry::Tile* tiles, int n,
                 int64_t p0, int np, void* out);
};

const Kernels& kernels_scalar();
#if defined(__x86_64__) || defined(_M_X64)
const Kernels& kernels_avx2();
const Kernels& kernels_avx_vnni();
const Kernels& kernels_avx512_vnni();
#endif

}  // namespace prunq::winograd_s8_detail
