// The reference conversions between real and quantized tensors. They define the formats
// (docs/design/quantized-ir.md, section 2); optimised paths must match them bit for bit.
//
//   quantize:   q = saturate(round_half_to_even(x / scale) + zero_point)   (ONNX QuantizeLinear)
//   dequantize: x = (q - zero_point) * scale                               (ONNX DequantizeLinear)
//
// x / scale is one f32 division (as ONNX Runtime computes it), rounded to nearest with ties to
// even; saturation clamps to the dtype's range. NaN quantizes to the zero point (real 0), +-inf
// to the range ends.
#pragma once
#include <cmath>
#include <cstdint>

#include "core/quant_params.h"
#include "core/tensor.h"

namespace prunq {

// One value; lo/hi are the dtype's range.
inline int32_t quantize_value(float x, float scale, int32_t zero_point, int64_t lo, int64_t hi) {
  const float scaled = x / scale;
  if (std::isnan(scaled)) return zero_point;
  // rint rounds ties to even in the default rounding mode; the sum is exact in double.
  const double q = static_cast<double>(std::rint(scaled)) + zero_point;
  return static_cast<int32_t>(q < static_cast<double>(lo) ? lo : q > static_cast<double>(hi) ? hi : q);
}

inline float dequantize_value(int32_t q, float scale, int32_t zero_point) {
  return static_cast<float>(static_cast<int64_t>(q) - zero_point) * scale;
}

// x: f32 of any shape. The result has `dtype` (i8, u8, i4 or i32) and carries `params`, which
// are checked against the dtype and x's shape first.
Tensor quantize(const Tensor& x, QuantPtr params, DType dtype);

// q must carry parameters; the result is f32 without any.
Tensor dequantize(const Tensor& q);

// Packed i4 from an i8 tensor whose values are all in [-8, 7] (else an Error), and back. The
// parameters travel along.
Tensor pack_int4(const Tensor& values);
Tensor unpack_int4(const Tensor& packed);

}  // namespace prunq
