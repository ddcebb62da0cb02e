// Relu: y = max(x, 0). NaN passes through (x < 0 is false for NaN), as in PyTorch. i8 / u8 inputs
// too (ONNX opset 14): max(q, 0) for plain integers, max(q, zero_point) for quantized ones,
// whose parameters the output keeps.
#include <limits>

#include "ops/elementwise/pointwise.h"
#include "ops/quant/element_moves.h"

namespace prunq {
namespace {
struct ReluFn {
  static constexpr std::string_view kName = "Relu";
  explicit ReluFn(const Node&) {}
  float value(float x) const { return x < 0.f ? 0.f : x; }
  float derivative(float x, float) const { return x > 0.f ? 1.f : 0.f; }
};

class ReluOp final : public PointwiseOp<ReluFn> {
 public:
  void infer(InferContext& ctx) const override {
    if (!(ctx.has(0) && is_int8_dtype(ctx.inputs[0].dtype))) return PointwiseOp::infer(ctx);
    infer_like_input(ctx, /*float_only=*/false);
    ctx.outputs[0].quant = ctx.inputs[0].quant;
  }
  void forward(ForwardContext& ctx) const override {
    if (!is_int8_dtype(ctx.in(0).dtype())) return PointwiseOp::forward(ctx);
    ctx.outputs[0] = clamp_integers(ctx.in(0), 0.f, std::numeric_limits<float>::infinity());
  }
};

}  // namespace

const Op& op_Relu() {
  static const ReluOp op;
  return op;
}

}  // namespace prunq
