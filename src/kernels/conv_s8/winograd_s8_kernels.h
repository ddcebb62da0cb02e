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
