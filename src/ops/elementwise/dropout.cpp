// Dropout: in training, zeroes each element with probability `ratio` and scales the kept ones by
// 1 / (1 - ratio) (inverted dropout, so inference is the identity). ratio comes from optional
// input 1 (opset 12+) or the attribute (older opsets), default 0.5. The executor's training flag
// decides the mode; an optional training_mode input (2), when present and false, turns dropping
// off even in training. The optional second output is the keep mask (u8, 1 = kept), which stands
// in for ONNX's bool tensor. Backward multiplies by the mask saved in the node state.
#include <algorithm>

#include "ops/elementwise/pointwise.h"

namespace prunq {
namespace {

float dropout_ratio(const Node& node, const Tensor* ratio_input) {
  float r = ratio_input ? read_float_scalar(*ratio_input, node, "ratio") : node.attrs.get_float("ratio", 0.5f);
  PRUNQ_CHECK(r >= 0.f && r < 1.f, node_desc(node), ": ratio must be in [0, 1), got ", r);
  return r;
}

class DropoutOp final : public Op {
 public:
  std::string_view name() const override { return "Dropout"; }

  void infer(InferContext& ctx) const override {
    infer_like_input(ctx);
    if (ctx.has(1) && ctx.constants.size() > 1 && ctx.constants[1]) dropout_ratio(ctx.node, ctx.constants[1]);
    if (ctx.outputs.size() > 1) ctx.outputs[1] = TensorType{DType::u8, ctx.inputs[0].shape, ctx.inputs[0].rank_known};
  }

  void forward(ForwardContext& ctx) const override {
    Tensor x = require_f32(ctx.in(0), ctx.node);
    float ratio = dropout_ratio(ctx.node, ctx.has(1) ? ctx.inputs[1] : nullptr);
    bool drop = ctx.training && ratio > 0.f;
    if (ctx.has(2)) drop = drop && read_float_scalar(*ctx.inputs[2], ctx.node, "training_mode") != 0.f;
    bool want_mask = ctx.outputs.size() > 1;
    ctx.state.saved.clear();
    if (!drop) {
      ctx.outputs[0] = x;
      if (want_mask) {
        Tensor m(DType::u8, x.shape());
        std::fill(m.data<uint8_t>(), m.data<uint8_t>() + m.numel(), uint8_t{1});
        ctx.outputs[1] = m;
      }
      return;
    }
    // One draw per element from the executor's RNG, in order, so a seed reproduces the masks.
    // The top 24 bits of a 64-bit draw give a uniform float in [0, 1) exactly.
    const float scale = 1.f / (1.f - ratio);
    Tensor keep_scale(DType::f32, x.shape());
    float* ks = keep_scale.f32();
    const int64_t n = x.numel();
    for (int64_t i = 0; i < n; ++i) {
      float u = static_cast<float>(ctx.rng() >> 40) * (1.f / 16777216.f);
      ks[i] = u >= ratio ? scale : 0.f;
    }
    Tensor y(DType::f32, x.shape());
    const float* px = x.f32();
    float* py = y.f32();
    parallel_elements(n, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) py[i] = px[i] * ks[i];
    });
    ctx.outputs[0] = y;
    if (want_mask) {
      Tensor m(DType::u8, x.shape());
      uint8_t* pm = m.data<uint8_t>();
      for (int64_t i = 0; i < n; ++i) pm[i] = ks[i] != 0.f;
      ctx.outputs[1] = m;
    }
    if (ctx.training) ctx.state.saved = {keep_scale};
  }

  bool has_backward() const override { return true; }
  bool input_differentiable(size_t i) const override { return i == 0; }

  void backward(BackwardContext& ctx) const override {
    if (!ctx.need_grad[0]) return;
    const Shape& shape = ctx.in(0).shape();
    Tensor gy = grad_output_or_zeros(ctx, 0, shape);
    if (ctx.state.saved.empty()) {  // the forward pass did not drop anything
      ctx.grad_inputs[0] = gy;
      return;
    }
    const Tensor& ks = ctx.state.saved[0];
    PRUNQ_CHECK(ks.shape() == shape, node_desc(ctx.node), ": saved mask ", ks.desc(), " does not match input ",
                shape_str(shape));
    ctx.grad_inputs[0] = chain_f32(gy, ks, gy, [](float, float k) { return k; });
  }
};

}  // namespace

const Op& op_Dropout() {
  static const DropoutOp op;
  return op;
}

}  // namespace prunq
