// Base of the ops whose output is input 0 with another shape and the same elements in the same
// order (Reshape, Squeeze, Unsqueeze): their gradient is the output gradient reshaped back to
// the input's shape. The other inputs (target shape, axes) are integer and not differentiable.
#pragma once

#include "ops/elementwise/pointwise.h"
#include "ops/op.h"

namespace prunq {

class ReshapeLikeOp : public Op {
 public:
  bool has_backward() const override { return true; }
  bool input_differentiable(size_t i) const override { return i == 0; }
  void backward(BackwardContext& ctx) const override {
    if (!ctx.need_grad[0]) return;
    ctx.grad_inputs[0] = grad_output_or_zeros(ctx, 0, ctx.outputs[0]->shape()).reshape(ctx.in(0).shape());
  }
};

}  // namespace prunq
