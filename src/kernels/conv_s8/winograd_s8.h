// Exact integer Winograd F(4x4, 3x3) for int8 3x3 stride-1 convolutions (NHWC).
//
// Why: on this class of CPU the direct int8 convolution already runs at ~85 % of the vpdpbusd
// peak, so only fewer multiplications make it faster. F(4x4, 3x3) computes a 4x4 output tile
// from a 6x6 input window with 36 products per channel pair instead of 144, in int16 (vpdpwssd
// does half as many MACs per instruction as vpdpbusd): about 2x fewer instructions on 28x28
// maps. ncnn ships the same idea for int8; the formulation here is ours and is bit-exact.
//
// Why exact: with rows of G scaled to integers (x12, -x6, -x6, x24, x24, x3) and the columns of
// A^T scaled to compensate (x2, x4, x4, x1, x1, x8: powers of two, so shifts), every value is
// an integer:
//   V = B^T (x - za) B        |V| <= 100 * 255 = 25500                   (int16)
//   U = G' (w - zw) G'^T      |U| <= 49 * 255 = 12495                    (int16)
//   Y = A'^T (U .* V) A'      = 576 * y, y the exact convolution sum   (int32, wrapping)
// Y wraps modulo 2^32, but 576 = 2^6 * 9, so y mod 2^26 is recovered as (Y >> 6) * 9^-1 and
// sign-extended from 26 bits: exact whenever |y| < 2^25, which pack time proves from the
// weights (max |x - za| * sum |w - zw| per output channel); otherwise the caller stays direct.
#pragma once
#include <cstdint>
#include <vector>

#include "kernels/gemm_s8/gemm_s8.h"

namespace prunq {

struct ConvS8Shape;

namespace winograd_s8 {
constexpr int kOut = 4;                        // output tile edge
constexpr int kWindow = 6;                     // input window edge
constexpr int kPositions = 36;                 // transform positions (6 x 6)
constexpr int kPanel = 16;                     // output channels per weight panel (one zmm of int32)
constexpr int kMaxPanels = 4;                  // panels per GEMM / output-transform pass
constexpr int kBlockTiles = 24;                // tiles per block: a multiple of every micro-kernel's rows (6, 8, 12)
constexpr uint32_t kInverseOf9 = 0x38E38E39u;  // 9 * kInverseOf9 == 1 (mod 2^32)

// y from Y = 576 * y (mod 2^32), for |y| < 2^25.
inline int32_t recover(uint32_t big) {
  const uint32_t t = static_cast<uint32_t>(static_cast<int32_t>(big) >> 6) * kInverseOf9;
  return static_cast<int32_t>(t << 6) >> 6;
}
}  // namespace winograd_s8

// Weights transformed and packed once: u[position][panel][channel pair][16 columns][2].
struct PackedWinogradS8 {
  GemmS8Kernel kernel = GemmS8Kernel::scalar;  // scalar or avx512_vnni
  int64_t c = 0, pairs = 0;                    // input channels; channel pairs (c rounded up to even, halved)
  int64_t k = 0, panels = 0;                   // output channels; 16-channel panels
  bool a_signed = false;
  int32_t a_zero_point_u8 = 0;  // in the uint8 domain (int8 input runs as x ^ 0x80)
  std::vector<int16_t> u;
  std::vector<int32_t> bias;  // panels * 16 (zero padded)
  OutputStage out;
};

// True when F(4x4, 3x3) computes this convolution exactly with these weights: 3x3 kernel,
// stride 1, dilation 1, and the bound above (|y| < 2^25) holds for every output channel.
bool winograd_s8_exact(const ConvS8Shape& shape, const int8_t* weights_oihw, const QuantSpec& spec);

// kernel: avx512_vnni when available, else the portable scalar implementation.
PackedWinogradS8 pack_winograd_s8(const ConvS8Shape& shape, const int8_t* weights_oihw, const QuantSpec& spec,
                                  GemmS8Kernel kernel);

// Same contract as conv_s8(): NHWC uint8/int8 input -> NHWC output of spec.out_type.
void conv_winograd_s8(const PackedWinogradS8& p, const ConvS8Shape& shape, int64_t batch, const void* input,
                      void* output);

}  // namespace prunq
