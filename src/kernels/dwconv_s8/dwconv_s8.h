// Quantized int8 depthwise 2-D convolution (groups == channels, one filter per channel) on NHWC
// tensors, computed directly (no GEMM: each output channel reads only its own input channel).
// Any kernel size, stride, padding (zero-point padding) and dilation; the SIMD kernels are tuned
// for 3x3 and 5x5 at stride 1 and 2 (MobileNet's depthwise layers).
//
// SIMD scheme: activations are widened to int16 and two taps are interleaved per 32-bit lane,
// weights are packed as int16 (w - w_zero_point) pairs in the same order, and vpdpwssd (AVX-512
// VNNI) or vpmaddwd (AVX2) adds both taps' exact products into int32 -- 2 MACs per lane per
// instruction, no int16 saturation. NHWC makes a pixel's channels one contiguous vector load.
// NEON (aarch64): activations widened to int16 (UXTL), weights packed as int16 (w - w_zero_point)
// per tap, SMLAL / SMLAL2 multiply-accumulate 4 exact products into int32 lanes each.
// AVX2 pairs kernel rows instead of consecutive taps, so one interleaved input column serves
// every output whose window covers it (avx2.cpp).
// Arithmetic and output stage as in gemm_s8.h (QuantSpec).
#pragma once
#include <cstdint>
#include <vector>

#include "kernels/gemm_s8/gemm_s8.h"

namespace prunq {

struct DwConvS8Shape {
  int64_t in_h = 0, in_w = 0, channels = 0;
  int64_t kernel_h = 3, kernel_w = 3;
  int64_t stride_h = 1, stride_w = 1;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int64_t out_h() const { return (in_h + pad_top + pad_bottom - dilation_h * (kernel_h - 1) - 1) / stride_h + 1; }
  int64_t out_w() const { return (in_w + pad_left + pad_right - dilation_w * (kernel_w - 1) - 1) / stride_w + 1; }
};

enum class DwConvS8Kernel : uint8_t { scalar, avx2, avx512_vnni, neon };
const char* dwconv_s8_kernel_name(DwConvS8Kernel k);
bool dwconv_s8_kernel_available(DwConvS8Kernel k);  // CPU supports it and active_isa() allows it
DwConvS8Kernel best_dwconv_s8_kernel();

struct PackedDwConvS8 {
  DwConvS8Shape shape;
  DwConvS8Kernel kernel = DwConvS8Kernel::scalar;
  int64_t block = 0;            // channels per SIMD block (32 for AVX-512, 16 for AVX2 and NEON)
  int64_t tap_pairs = 0;        // ceil(taps / 2); AVX2: kernel_w * ceil(kernel_h / 2) (kernel-row pairs)
  int64_t padded_channels = 0;  // channels rounded up to block
  int32_t a_zero_point_u8 = 0;  // in the uint8 domain the kernels read (int8 input is flipped)
  bool a_signed = false;
  // x86: per channel block, per tap pair, two int16 vectors ("lo"/"hi" interleave halves).
  // NEON: per channel block, per tap, the block's int16 weights in channel order.
  std::vector<int16_t> weights;
  std::vector<int32_t> correction;  // bias - a_zp * sum_t (w_t - w_zp), per padded channel
  OutputStage out;
  // Scalar kernel: the reference's inputs.
  std::vector<int8_t> raw_weights;
  QuantSpec spec;
};

void check_dwconv_s8_shape(const DwConvS8Shape& s, const char* what);

// weights: ONNX layout [channels][1][kernel_h][kernel_w].
PackedDwConvS8 pack_dwconv_s8(const DwConvS8Shape& shape, const int8_t* weights, const QuantSpec& spec,
                              DwConvS8Kernel k);
inline PackedDwConvS8 pack_dwconv_s8(const DwConvS8Shape& shape, const int8_t* weights, const QuantSpec& spec) {
  return pack_dwconv_s8(shape, weights, spec, best_dwconv_s8_kernel());
}

// input [batch][in_h][in_w][channels] (uint8, or int8 when spec.a_signed) ->
// output [batch][out_h][out_w][channels] of spec.out_type. Threaded over output rows.
void dwconv_s8(const PackedDwConvS8& p, int64_t batch, const void* input, void* output);

// Direct loops: the oracle (also what the scalar kernel runs).
void dwconv_s8_reference(const DwConvS8Shape& shape, const int8_t* weights, const QuantSpec& spec, int64_t batch,
                         const void* input, void* output);

namespace dwconv_s8_detail {
// Tap pointers of every output pixel of row y of image b: result[x * taps + t], zero_row where the
// tap falls in the padding (the AVX-512 row kernel's indirection); the buffer is thread-local.
const uint8_t* const* row_tap_pointers(const PackedDwConvS8& p, const uint8_t* in, const uint8_t* zero_row, int64_t b,
                                       int64_t y);
// One output row (b, y) of a SIMD kernel; `in` already in the uint8 domain, `zero_row` holds
// channels bytes of the zero point. out_row: element index of the row's first output.
using RowFn = void (*)(const PackedDwConvS8& p, const uint8_t* in, const uint8_t* zero_row, int64_t b, int64_t y,
                       void* out, int64_t out_row);
#if defined(__x86_64__) || defined(_M_X64)
void row_avx512_vnni(const PackedDwConvS8& p, const uint8_t* in, const uint8_t* zero_row, int64_t b, int64_t y,
                     void* out, int64_t out_row);
void row_avx2(const PackedDwConvS8& p, const uint8_t* in, const uint8_t* zero_row, int64_t b, int64_t y, void* out,
              int64_t out_row);
#endif
#if defined(__aarch64__)
void row_neon(const PackedDwConvS8& p, const uint8_t* in, const uint8_t* zero_row, int64_t b, int64_t y, void* out,
              int64_t out_row);
#endif
}  // namespace dwconv_s8_detail

}  // namespace prunq
