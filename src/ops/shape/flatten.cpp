// Flatten: [d0 .. d(axis-1), d(axis) .. dn] -> [d0 * .. * d(axis-1), d(axis) * .. * dn], axis in
// [-r, r], default 1. Any dtype; the output is a view of the input's storage and keeps its
// quantization.
#include "ops/elementwise/pointwise.h"
#include "ops/quant/element_moves.h"
#include "ops/shape/shape_util.h"

namespace prunq {
namespace {

size_t flatten_axis(const Node& node, size_t rank) {
  int64_t axis = node.attrs.get_int("axis", 1);
  int64_t r = static_cast<int64_t>(rank);
  // Flatten allows axis == rank (everything goes to the outer dim), unlike most axis attributes.
  PRUNQ_CHECK(axis >= -r && axis <= r, node_desc(node), ": axis ", axis, " is out of range for rank ", r);
  return static_cast<size_t>(axis < 0 ? axis + r : axis);
}

class FlattenOp final : public Op {
 public:
  std::string_view name() const override { return "Flatten"; }
  void infer(InferContext& ctx) const override {
    infer_like_input(ctx, /*float_only=*/false);
    const TensorType& t = ctx.inputs[0];
    if (!t.rank_known) {  // still always rank 2
      ctx.outputs[0] = TensorType{t.dtype, {-1, -1}, true};
    } else {
      size_t axis = flatten_axis(ctx.node, t.shape.size());
      ctx.outputs[0].shape = {dims_product(t.shape, 0, axis), dims_product(t.shape, axis, t.shape.size())};
    }
    ctx.outputs[0].quant = reshaped_quant(ctx.node, t.quant, t.shape, ctx.outputs[0].shape);
  }
  void forward(ForwardContext& ctx) const override {
    const Tensor& x = ctx.in(0);
    size_t axis = flatten_axis(ctx.node, x.shape().size());
    const Shape& s = x.shape();
    ctx.outputs[0] = reshaped_view(ctx.node, x, {dims_product(s, 0, axis), dims_product(s, axis, s.size())});
  }
  bool has_backward() const override { return true; }
  void backward(BackwardContext& ctx) const override {
    if (!ctx.need_grad[0]) return;
    const Shape& s = ctx.in(0).shape();
    ctx.grad_inputs[0] = grad_output_or_zeros(ctx, 0, ctx.outputs[0]->shape()).reshape(s);
  }
};

}  // namespace

const Op& op_Flatten() {
  static const FlattenOp op;
  return op;
}

}  // namespace prunq
