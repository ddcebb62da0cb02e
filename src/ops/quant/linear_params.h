// The scale / zero point inputs of ONNX's QuantizeLinear and DequantizeLinear (opset 13) read as
// QuantParams: y_scale (f32, a scalar for per-tensor, or 1-D with one entry per index of `axis`)
// and an optional zero point tensor of the quantized dtype with the scale's shape.
#pragma once
#include "core/tensor.h"
#include "graph/graph.h"

namespace prunq {

// The quantized dtype a zero point tensor names (its own dtype), or `fallback` without one.
// Only i8, u8 and i4 are activations/weights; i32 is accepted where `allow_i32` (bias dequantize).
DType linear_quant_dtype(const Node& node, const Tensor* zero_point, const TensorType* zero_point_type,
                         DType fallback, bool allow_i32);

// Parameters for a tensor of `shape` (rank_known false: only per-tensor scales can be placed)
// and dtype `q_dtype`; every problem is an Error naming the node.
QuantPtr linear_quant_params(const Node& node, const Tensor& scale, const Tensor* zero_point, DType q_dtype,
                             const Shape& shape, bool rank_known);

}  // namespace prunq
