// Quantized int8 2-D convolution on NHWC tensors, as an implicit GEMM over the int8 GEMM
// micro-kernels: rows are output pixels, columns output channels, and K runs over filter taps
// x input channels. Each tap of an output pixel is a pointer (an indirection buffer built per
// tile) to that input pixel's channels, or to zero-point bytes where the tap falls into the
// padding -- no im2col copy is made (see kernel_row_segments).
//
// Why NHWC: a pixel's channels are contiguous, so one tap is one contiguous K segment that
// vpdpbusd consumes 4 channels at a time; 1x1 convolutions are exactly a GEMM; and each output
// pixel's channels are a contiguous row the micro-kernel stores directly.
// Arithmetic and output stage as in gemm_s8.h (QuantSpec).
#pragma once
#include <cstdint>

#include "kernels/conv_s8/winograd_s8.h"
#include "kernels/gemm_s8/gemm_s8.h"

namespace prunq {

struct ConvS8Shape {
  int64_t in_h = 0, in_w = 0, in_c = 0, out_c = 0;
  int64_t kernel_h = 1, kernel_w = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int64_t out_h() const { return (in_h + pad_top + pad_bottom - dilation_h * (kernel_h - 1) - 1) / stride_h + 1; }
  int64_t out_w() const { return (in_w + pad_left + pad_right - dilation_w * (kernel_w - 1) - 1) / stride_w + 1; }
};

// Throws prunq::Error naming the problem when the shape is not a valid convolution.
void check_conv_s8_shape(const ConvS8Shape& s, const char* what);

// How a convolution is computed. automatic: Winograd F(4x4, 3x3) (winograd_s8.h) for 3x3
// stride-1 layers with at least winograd_min_channels(kernel) input channels when the AVX-512
// VNNI or AVX2 kernels run and the weights prove it exact; the direct implicit GEMM otherwise.
// Both are bit-exact with conv_s8_reference; the environment variable PRUNQ_CONV_S8=direct turns
// Winograd off.
enum class ConvS8Algorithm : uint8_t { automatic, direct, winograd };

// Below this many input channels the transforms cost more than the products save. Measured on
// 28x28 layers with twice as many output channels, 1 thread: AVX-512 VNNI direct wins at 8
// channels (0.46 vs 0.60 ms) and loses at 16 (1.31 vs 1.20). AVX2 depends on the direct form the
// weights get: with vpmaddwd direct loses at 8 (batch 8: 0.167 vs 0.144 ms), with vpmaddubsw
// (maddubs: weights within its bound) it wins at 8 (0.102 vs 0.143) and loses at 12 (0.285 vs 0.219).
constexpr int64_t winograd_min_channels(GemmS8Kernel k, bool maddubs = false) {
  return k == GemmS8Kernel::avx512_vnni ? 16 : maddubs ? 12 : 8;
}

struct PackedConvS8 {
  ConvS8Shape shape;
  bool winograd = false;  // computed by `wino` instead of `gemm`
  PackedWinogradS8 wino;
  PackedGemmS8 gemm;  // out_c columns, K = kernel_h * kernel_w * in_c in (tap, channel) order
  // dilation_w == 1: a kernel row's kw taps are kw * in_c contiguous input bytes, so K is split
  // into kernel_h segments (one pointer per kernel row, fewer partial 4-byte groups when in_c is
  // small), pointing into a copy of the input with the padding written out as zero-point bytes
  // (the input itself when unpadded). Otherwise one segment per tap.
  bool kernel_row_segments = false;
};

// Packs ONNX-layout weights [out_c][in_c][kernel_h][kernel_w] (int8) for kernel k. A forced
// winograd algorithm throws when it would not be exact; with the scalar kernel it runs the
// portable Winograd stages.
PackedConvS8 pack_conv_s8(const ConvS8Shape& shape, const int8_t* weights_oihw, const QuantSpec& spec,
                          GemmS8Kernel k, ConvS8Algorithm algorithm = ConvS8Algorithm::automatic);
inline PackedConvS8 pack_conv_s8(const ConvS8Shape& shape, const int8_t* weights_oihw, const QuantSpec& spec) {
  return pack_conv_s8(shape, weights_oihw, spec, best_gemm_s8_kernel());
}

// input [batch][in_h][in_w][in_c] (uint8, or int8 when spec.a_signed) ->
// output [batch][out_h][out_w][out_c] of spec.out_type.
void conv_s8(const PackedConvS8& p, int64_t batch, const void* input, void* output);

// Direct loops: the oracle.
void conv_s8_reference(const ConvS8Shape& shape, const int8_t* weights_oihw, const QuantSpec& spec, int64_t batch,
                       const void* input, void* output);

}  // namespace prunq
