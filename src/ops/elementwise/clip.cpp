// Clip (opset 11+): y = min(max(x, min), max) with min/max as optional one-element inputs 1 and 2
// (opset 6 models carry them as attributes, which are honoured when the inputs are absent).
// ReLU6 is Clip(x, 0, 6). The bounds are treated as constants: no gradient flows into them.
// i8 / u8 inputs have an integer forward: plain integers are clamped to the integers inside
// [min, max]; quantized ones get bounds in real units, converted to their quantized domain
// (ops/quant/element_moves.h), and keep their parameters.
#include <limits>

#include "ops/elementwise/pointwise.h"
#include "ops/quant/element_moves.h"

namespace prunq {
namespace {

struct Bounds {
  float lo, hi;
};

Bounds read_bounds(const Node& node, const Tensor* lo, const Tensor* hi) {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  Bounds b{node.attrs.get_float("min", -kInf), node.attrs.get_float("max", kInf)};
  if (lo) b.lo = read_float_scalar(*lo, node, "min");
  if (hi) b.hi = read_float_scalar(*hi, node, "max");
  return b;
}

const Tensor* optional_input(const ForwardContext& ctx, size_t i) { return ctx.has(i) ? ctx.inputs[i] : nullptr; }
const Tensor* optional_input(const BackwardContext& ctx, size_t i) {
  return i < ctx.inputs.size() ? ctx.inputs[i] : nullptr;
}

class ClipOp final : public Op {
 public:
  std::string_view name() const override { return "Clip"; }
  void infer(InferContext& ctx) const override {
    PRUNQ_CHECK(ctx.has(0), node_desc(ctx.node), ": input 0 is missing");
    check_moves_dtype(ctx.node, ctx.inputs[0].dtype, "input");
    infer_like_input(ctx, /*float_only=*/false);
    ctx.outputs[0].quant = ctx.inputs[0].quant;
    for (size_t i = 1; i <= 2; ++i) {
      if (!ctx.has(i) || !ctx.inputs[i].rank_known) continue;
      const Shape& s = ctx.inputs[i].shape;
      bool one = true;
      for (int64_t d : s) one = one && (d == 1 || d == -1);
      PRUNQ_CHECK(one, node_desc(ctx.node), ": ", i == 1 ? "min" : "max", " must hold one value, got ",
                  ctx.inputs[i].str());
    }
  }
  void forward(ForwardContext& ctx) const override {
    check_moves_dtype(ctx.node, ctx.in(0).dtype(), "input");
    Bounds b = read_bounds(ctx.node, optional_input(ctx, 1), optional_input(ctx, 2));
    if (is_int8_dtype(ctx.in(0).dtype())) {
      ctx.outputs[0] = clamp_integers(ctx.in(0), b.lo, b.hi);
      return;
    }
    Tensor x = require_f32(ctx.in(0), ctx.node);
    // min(max(x, lo), hi): when lo > hi every output is hi, as ONNX specifies.
    ctx.outputs[0] = map_f32(x, [b](float v) {
      float t = v < b.lo ? b.lo : v;
      return t > b.hi ? b.hi : t;
    });
  }
  bool has_backward() const override { return true; }
  bool input_differentiable(size_t i) const override { return i == 0; }
  void backward(BackwardContext& ctx) const override {
    if (!ctx.need_grad[0]) return;
    Tensor x = require_f32(ctx.in(0), ctx.node);
    Bounds b = read_bounds(ctx.node, optional_input(ctx, 1), optional_input(ctx, 2));
    Tensor gy = grad_output_or_zeros(ctx, 0, x.shape());
    ctx.grad_inputs[0] = chain_f32(x, x, gy, [b](float v, float) {
      return (v >= b.lo && v <= b.hi) ? 1.f : 0.f;
    });
  }
};

}  // namespace

const Op& op_Clip() {
  static const ClipOp op;
  return op;
}

}  // namespace prunq
