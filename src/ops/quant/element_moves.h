// What the ops that only move or clamp elements (Reshape, Flatten, Squeeze, Unsqueeze,
// Transpose, Identity, MaxPool, Concat, Relu, Clip) do with quantized inputs
// (docs/design/quantized-ir.md, section 4). Their outputs hold input elements unchanged (or
// clamped on the integer grid), so they keep the input's parameters; per-channel parameters
// follow their axis to where the op puts it. Shape inference and the forwards call the same
// functions, so the output tensor always carries what inference promised.
#pragma once
#include <functional>
#include <optional>

#include "core/tensor.h"
#include "graph/graph.h"

namespace prunq {

// The parameters of an output whose input axis a lands at new_axis(a) (nullopt: the axis does
// not survive as one dim). Per-tensor parameters pass unchanged; an axis that does not survive
// is an Error naming the node.
QuantPtr moved_quant(const Node& node, const QuantPtr& q, const std::function<std::optional<int64_t>(int64_t)>& new_axis);

// Same, for a reshape of `from` to `to` (dims may be -1 at inference time).
QuantPtr reshaped_quant(const Node& node, const QuantPtr& q, const Shape& from, const Shape& to);

// x as a view of shape `to` carrying reshaped_quant's parameters (the forward of Reshape,
// Flatten, Squeeze and Unsqueeze).
Tensor reshaped_view(const Node& node, const Tensor& x, const Shape& to);

// Integer dtypes these ops accept besides f32: i8 and u8 (plain or quantized). i4 is packed and
// never an activation; `what` names the input in the error.
bool is_int8_dtype(DType t);
void check_moves_dtype(const Node& node, DType t, const char* what, bool allow_i4 = false);

// min(max(x, lo), hi) on an i8 / u8 tensor, lo and hi in real units. Quantized: the bounds are
// quantized with the input's own parameters (per channel where it has several), so the result
// equals quantizing clip(dequantize(x)) bit for bit; Relu is lo = 0, which lands on the zero
// point. Plain integers: lo rounds up, hi down (the integers inside [lo, hi]). lo > hi gives hi
// everywhere, as ONNX's Clip does. The output keeps x's parameters.
Tensor clamp_integers(const Tensor& x, float lo, float hi);

}  // namespace prunq
