// Exact integer Winograd F(4x4, 3x3) for int8 3x3 stride-1 convolutions (NHWC).
//
// Why: on this class of CPU the direct int8 convolution already runs at ~85 % of the vpdpbusd
// peak, so only fewer multiplications make it faster. F(4x4, 3x3) computes a 4x4 output tile
// from a 6x6 input window with 36 multiplications per input channel instead of 144, in int16
// (vpdpwssd does half as many MACs per instruction as vpdpbusd): about 2x fewer instructions on
// 28x28 maps. ncnn ships the same idea for int8; the formulation here is ours and is bit-exact.
// Without VNNI (AVX2) the direct convolution does 16 MACs per multiply (vpmaddwd, or vpmaddubsw +
// vpmaddwd), the rate of the Winograd products too, so the 4x fewer products show more fully:
// about 2.2x over the vpmaddwd direct kernel on the fmnist 32- and 64-channel layers.
//
// Why exact: with rows of G scaled to integers (x12, -x6, -x6, x24, x24, x3) and the columns of
// A^T scaled to compensate (x2, x4, x4, x1, x1, x8: powers of two, so shifts), every value is
// an integer:
//   V = B^T x B               |V| <= 100 * 255 = 25500                   (int16)
//   U = G' (w - zw) G'^T      |U| <= 49 * 255 = 12495                    (int16)
//   Y = A'^T (U .* V) A'      = 576 * y, y the exact convolution sum   (int32, wrapping)
// Y wraps modulo 2^32, but 576 = 2^6 * 9: Y * 9^-1 = 64 y (mod 2^32), which is exact in int32
// whenever |y| < 2^25, so y = (Y * 9^-1) >> 6. Pack time proves that bound from the weights
// (max |x - za| * sum |w - zw| per output channel); otherwise the caller stays direct.
// Three more exact rewrites keep the transforms short:
// - B^T's row sums are (0, -6, 0, 0, 0, 0), so the activation zero point only shifts position
//   (1,1) by -36 za: V is taken of the raw bytes and the shift moves into the weights' side.
// - A'^T e = 24 (1, 1, 1, 1) for e = 6 * unit(1), so 36 * bias added at position (1,1) adds
//   576 * bias to every output: the bias (and the zero-point shift) is where that position's
//   accumulators start, and the output stage adds nothing.
// - A'^T's rows 1..3 carry common factors 2, 4, 4, left out of the transform and taken off the
//   final shift instead (6 - log2 of both factors).
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

constexpr int kStartPosition = 7;              // (1,1): where the bias and zero-point terms enter
constexpr int kRowShift[kOut] = {0, 1, 2, 2};  // log2 of the factor left out of A'^T's rows

// y from Y = 576 * y / 2^(kRowShift[i] + kRowShift[j]) (mod 2^32), for |y| < 2^25.
inline int32_t recover(uint32_t big, int i, int j) {
  return static_cast<int32_t>(big * kInverseOf9) >> (6 - kRowShift[i] - kRowShift[j]);
}
}  // namespace winograd_s8

// Weights transformed and packed once: u[position][panel][channel pair][16 columns][2].
struct PackedWinogradS8 {
  GemmS8Kernel kernel = GemmS8Kernel::scalar;  // whose stages run (scalar: the portable ones)
  int64_t c = 0, pairs = 0;                    // input channels; channel pairs (c rounded up to even, halved)
  int64_t k = 0, panels = 0;                   // output channels; 16-channel panels
  bool a_signed = false;
  int32_t a_zero_point_u8 = 0;  // in the uint8 domain (int8 input runs as x ^ 0x80)
  std::vector<int16_t> u;
  // panels * 16 (zero padded): 36 * (bias - za * sum of U at kStartPosition) per output channel,
  // wrapped to int32: the start of that position's accumulators.
  std::vector<int32_t> start;
  OutputStage out;
};

// True when F(4x4, 3x3) computes this convolution exactly with these weights: 3x3 kernel,
// stride 1, dilation 1, and the bound above (|y| < 2^25) holds for every output channel.
bool winograd_s8_exact(const ConvS8Shape& shape, const int8_t* weights_oihw, const QuantSpec& spec);

// kernel: the stages of that ISA (avx2, avx_vnni, avx512_vnni: the CPU must have it at run time),
// or the portable scalar ones.
PackedWinogradS8 pack_winograd_s8(const ConvS8Shape& shape, const int8_t* weights_oihw, const QuantSpec& spec,
                                  GemmS8Kernel kernel);

// Same contract as conv_s8(): NHWC uint8/int8 input -> NHWC output of spec.out_type.
void conv_winograd_s8(const PackedWinogradS8& p, const ConvS8Shape& shape, int64_t batch, const void* input,
                      void* output);

}  // namespace prunq
