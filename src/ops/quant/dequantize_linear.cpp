// DequantizeLinear (ONNX opset 13): y = (x - x_zero_point) * x_scale in f32, the reference of
// core/quantize.h. x is i8, u8, i4 or i32 (an int32 bias, whose zero point is 0); x_scale an f32
// scalar or 1-D along `axis` (default 1); the optional x_zero_point has x's dtype. When x is
// already quantized (a QuantizeLinear output, a quantized initializer) the node's scale and zero
// point must be the ones x carries: two readings of the same integers would be a corrupt graph.
#include "core/quantize.h"
#include "ops/op.h"
#include "ops/quant/linear_params.h"
#include "ops/shape/shape_util.h"

namespace prunq {
namespace {

void check_agrees(const Node& node, const QuantPtr& carried, const QuantPtr& given) {
  PRUNQ_CHECK(!carried || same_quant(carried, given), node_desc(node), ": x is quantized as (", carried->str(),
              ") but the node's scale and zero point say (", given->str(), ")");
}

class DequantizeLinearOp final : public Op {
 public:
  std::string_view name() const override { return "DequantizeLinear"; }

  void infer(InferContext& ctx) const override {
    const Node& node = ctx.node;
    PRUNQ_CHECK(ctx.has(0) && ctx.has(1), node_desc(node), ": needs x and x_scale");
    const TensorType& x = ctx.inputs[0];
    linear_quant_dtype(node, nullptr, &x, x.dtype, true);
    if (ctx.has(2))
      PRUNQ_CHECK(ctx.inputs[2].dtype == x.dtype, node_desc(node), ": zero point ", ctx.inputs[2].str(),
                  " does not have x's dtype ", dtype_name(x.dtype));
    const Tensor* zp = ctx.has(2) ? ctx.constants[2] : nullptr;
    if (ctx.constants[1] && (zp || !ctx.has(2)))
      check_agrees(node, x.quant, linear_quant_params(node, *ctx.constants[1], zp, x.dtype, x.shape, x.rank_known));
    ctx.outputs[0] = TensorType{DType::f32, x.shape, x.rank_known};
  }

  void forward(ForwardContext& ctx) const override {
    const Node& node = ctx.node;
    const Tensor& x = ctx.in(0);
    linear_quant_dtype(node, nullptr, nullptr, x.dtype(), true);
    const QuantPtr q = linear_quant_params(node, ctx.in(1), ctx.has(2) ? ctx.inputs[2] : nullptr, x.dtype(),
                                           x.shape(), true);
    check_agrees(node, x.quant(), q);
    ctx.outputs[0] = dequantize(x.with_quant(q));
  }

  bool input_differentiable(size_t) const override { return false; }
};

}  // namespace

const Op& op_DequantizeLinear() {
  static const DequantizeLinearOp op;
  return op;
}

}  // namespace prunq
