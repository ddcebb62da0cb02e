// Identity: the output shares the input's storage (ops never write into their inputs), any dtype;
// a quantized input's parameters stay with it.
#include "ops/elementwise/pointwise.h"

namespace prunq {
namespace {

class IdentityOp final : public Op {
 public:
  std::string_view name() const override { return "Identity"; }
  void infer(InferContext& ctx) const override {
    infer_like_input(ctx, /*float_only=*/false);
    ctx.outputs[0].quant = ctx.inputs[0].quant;
  }
  void forward(ForwardContext& ctx) const override { ctx.outputs[0] = ctx.in(0); }
  bool has_backward() const override { return true; }
  void backward(BackwardContext& ctx) const override {
    if (ctx.need_grad[0]) ctx.grad_inputs[0] = grad_output_or_zeros(ctx, 0, ctx.in(0).shape());
  }
};

}  // namespace

const Op& op_Identity() {
  static const IdentityOp op;
  return op;
}

}  // namespace prunq
