// Pow: y = a ^ b with multidirectional broadcasting; a is f32, the exponent f32 or an integer
// tensor (converted to f32). Backward: da = b * a^(b-1) * gy; db = y * ln(a) * gy, taken as 0
// where a <= 0 (there ln(a) is undefined and only integer exponents make sense).
#include <cmath>

#include "ops/elementwise/broadcast.h"

namespace prunq {
namespace {

Tensor exponent_f32(const Tensor& b, const Node& node) {
  if (b.dtype() == DType::f32) return b.contiguous();
  PRUNQ_CHECK(b.dtype() == DType::i64 || b.dtype() == DType::i32, node_desc(node),
              ": exponent must be f32, i32 or i64, got ", b.desc());
  return b.to(DType::f32);
}

// The broadcast of `t` to the output shape of (a, b).
Tensor expand(const Tensor& t, const Tensor& other, const Node& node, bool first) {
  return first ? broadcast_binary<float>(t, other, node, [](float x, float) { return x; })
               : broadcast_binary<float>(other, t, node, [](float, float y) { return y; });
}

class PowOp final : public Op {
 public:
  std::string_view name() const override { return "Pow"; }
  void infer(InferContext& ctx) const override {
    infer_like_input(ctx);
    PRUNQ_CHECK(ctx.has(1), node_desc(ctx.node), ": exponent input is missing");
    const TensorType& b = ctx.inputs[1];
    PRUNQ_CHECK(b.dtype == DType::f32 || b.dtype == DType::i64 || b.dtype == DType::i32, node_desc(ctx.node),
                ": exponent must be f32, i32 or i64, got ", b.str());
    ctx.outputs[0].rank_known = ctx.inputs[0].rank_known && b.rank_known;
    if (ctx.outputs[0].rank_known) ctx.outputs[0].shape = broadcast_shapes(ctx.inputs[0].shape, b.shape, ctx.node);
    else ctx.outputs[0].shape.clear();
  }
  void forward(ForwardContext& ctx) const override {
    Tensor a = require_f32(ctx.in(0), ctx.node), b = exponent_f32(ctx.in(1), ctx.node);
    ctx.outputs[0] = broadcast_binary<float>(a, b, ctx.node, [](float x, float e) {
      if (e == 2.f) return x * x;  // the common square, exact and fast
      return std::pow(x, e);
    });
  }
  bool has_backward() const override { return true; }
  void backward(BackwardContext& ctx) const override {
    const Node& node = ctx.node;
    Tensor a = require_f32(ctx.in(0), node), b = exponent_f32(ctx.in(1), node);
    Tensor y = ctx.outputs[0]->contiguous();
    Tensor gy = grad_output_or_zeros(ctx, 0, y.shape());
    Tensor A = expand(a, b, node, true), B = expand(b, a, node, false);
    const float *pa = A.f32(), *pb = B.f32(), *py = y.f32(), *pg = gy.f32();
    if (ctx.need_grad[0]) {
      Tensor g(DType::f32, y.shape());
      float* o = g.f32();
      parallel_elements(g.numel(), [&](int64_t s, int64_t e) {
        for (int64_t i = s; i < e; ++i) o[i] = pg[i] * pb[i] * std::pow(pa[i], pb[i] - 1.f);
      });
      ctx.grad_inputs[0] = reduce_to_shape(g, a.shape(), node);
    }
    if (ctx.need_grad[1] && ctx.in(1).dtype() == DType::f32) {
      Tensor g(DType::f32, y.shape());
      float* o = g.f32();
      parallel_elements(g.numel(), [&](int64_t s, int64_t e) {
        for (int64_t i = s; i < e; ++i) o[i] = pa[i] > 0.f ? pg[i] * py[i] * std::log(pa[i]) : 0.f;
      });
      ctx.grad_inputs[1] = reduce_to_shape(g, b.shape(), node);
    }
  }
};

}  // namespace

const Op& op_Pow() {
  static const PowOp op;
  return op;
}

}  // namespace prunq
