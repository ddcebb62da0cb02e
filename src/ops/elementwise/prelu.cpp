// PRelu: y = x for x > 0, slope * x otherwise, slope broadcast to x (unidirectional: the output
// has x's shape; PyTorch exports per-channel slopes as [C, 1, 1]). Both x and slope are
// differentiable; the slope gradient is reduced over the dims it was broadcast along.
#include "ops/elementwise/broadcast.h"

namespace prunq {
namespace {

void check_unidirectional(const Shape& x, const Shape& slope, const Node& node) {
  Shape b = broadcast_shapes(x, slope, node);
  PRUNQ_CHECK(b == x, node_desc(node), ": slope ", shape_str(slope), " does not broadcast to the input ",
              shape_str(x));
}

class PReluOp final : public Op {
 public:
  std::string_view name() const override { return "PRelu"; }
  void infer(InferContext& ctx) const override {
    infer_like_input(ctx);
    PRUNQ_CHECK(ctx.has(1), node_desc(ctx.node), ": slope input is missing");
    PRUNQ_CHECK(ctx.inputs[1].dtype == DType::f32, node_desc(ctx.node), ": slope must be f32, got ",
                ctx.inputs[1].str());
    if (ctx.inputs[0].rank_known && ctx.inputs[1].rank_known)
      check_unidirectional(ctx.inputs[0].shape, ctx.inputs[1].shape, ctx.node);
  }
  void forward(ForwardContext& ctx) const override {
    Tensor x = require_f32(ctx.in(0), ctx.node), slope = require_f32(ctx.in(1), ctx.node, "slope");
    check_unidirectional(x.shape(), slope.shape(), ctx.node);
    ctx.outputs[0] = broadcast_binary<float>(x, slope, ctx.node, [](float v, float s) { return v > 0.f ? v : s * v; });
  }
  bool has_backward() const override { return true; }
  void backward(BackwardContext& ctx) const override {
    const Node& node = ctx.node;
    Tensor x = require_f32(ctx.in(0), node), slope = require_f32(ctx.in(1), node, "slope");
    Tensor gy = grad_output_or_zeros(ctx, 0, x.shape());
    if (ctx.need_grad[0]) {
      // gx = gy * (x > 0 ? 1 : slope): the factor first (slope broadcast against x), then the product.
      Tensor through = broadcast_binary<float>(x, slope, node, [](float v, float s) { return v > 0.f ? 1.f : s; });
      ctx.grad_inputs[0] = broadcast_binary<float>(gy, through, node, [](float g, float d) { return g * d; });
    }
    if (ctx.need_grad[1]) {
      Tensor g_slope = broadcast_binary<float>(gy, x, node, [](float g, float v) { return v > 0.f ? 0.f : g * v; });
      ctx.grad_inputs[1] = reduce_to_shape(g_slope, slope.shape(), node);
    }
  }
};

}  // namespace

const Op& op_PRelu() {
  static const PReluOp op;
  return op;
}

}  // namespace prunq
