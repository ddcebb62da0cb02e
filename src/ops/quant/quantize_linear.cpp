// QuantizeLinear (ONNX opset 13): y = saturate(round_half_to_even(x / y_scale) + y_zero_point),
// the reference of core/quantize.h. x is f32; y_scale an f32 scalar (per tensor) or 1-D along
// `axis` (default 1); the optional y_zero_point gives y's dtype (u8 without one; i8, u8 or i4).
// When the scale and zero point are constants (initializers), y's type carries the parameters,
// so everything downstream knows how to read y. No gradient: quantization-aware training uses
// fake quantization in f32.
#include "core/quantize.h"
#include "ops/op.h"
#include "ops/quant/linear_params.h"
#include "ops/shape/shape_util.h"

namespace prunq {
namespace {

class QuantizeLinearOp final : public Op {
 public:
  std::string_view name() const override { return "QuantizeLinear"; }

  void infer(InferContext& ctx) const override {
    const Node& node = ctx.node;
    PRUNQ_CHECK(ctx.has(0) && ctx.has(1), node_desc(node), ": needs x and y_scale");
    const TensorType& x = ctx.inputs[0];
    PRUNQ_CHECK(x.dtype == DType::f32, node_desc(node), ": x must be f32, got ", x.str());
    const Tensor* zp = ctx.has(2) ? ctx.constants[2] : nullptr;
    const DType q = linear_quant_dtype(node, zp, ctx.has(2) ? &ctx.inputs[2] : nullptr, DType::u8, false);
    QuantPtr params;
    if (ctx.constants[1] && (zp || !ctx.has(2)))
      params = linear_quant_params(node, *ctx.constants[1], zp, q, x.shape, x.rank_known);
    ctx.outputs[0] = TensorType{q, x.shape, x.rank_known, params};
  }

  void forward(ForwardContext& ctx) const override {
    const Node& node = ctx.node;
    const Tensor& x = ctx.in(0);
    PRUNQ_CHECK(x.dtype() == DType::f32, node_desc(node), ": x must be f32, got ", x.desc());
    const Tensor* zp = ctx.has(2) ? ctx.inputs[2] : nullptr;
    const DType q = linear_quant_dtype(node, zp, nullptr, DType::u8, false);
    ctx.outputs[0] = quantize(x, linear_quant_params(node, ctx.in(1), zp, q, x.shape(), true), q);
  }

  bool input_differentiable(size_t) const override { return false; }
};

}  // namespace

const Op& op_QuantizeLinear() {
  static const QuantizeLinearOp op;
  return op;
}

}  // namespace prunq
