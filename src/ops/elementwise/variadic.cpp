// Sum, Max, Min over one or more inputs with multidirectional broadcasting (folded pairwise).
// Sum is f32; Max/Min also take i32/i64/i8/u8. Backward: Sum passes gy to every input (reduced over
// broadcast dims); Max/Min route each output element's gradient to the first input holding the
// winning value, so ties do not double-count.
#include <algorithm>

#include "ops/elementwise/broadcast.h"

namespace prunq {
namespace {

enum class Fold { sum, max, min };

template <Fold K, class T>
T combine(T a, T b) {
  if constexpr (K == Fold::sum) return a + b;
  if constexpr (K == Fold::max) return a < b ? b : a;
  if constexpr (K == Fold::min) return b < a ? b : a;
}

template <Fold K, class T>
Tensor fold_all(const std::vector<const Tensor*>& xs, const Node& node) {
  Tensor acc = xs[0]->contiguous();
  if (xs.size() == 1) return acc;
  for (size_t i = 1; i < xs.size(); ++i)
    acc = broadcast_binary<T>(acc, *xs[i], node, [](T a, T b) { return combine<K, T>(a, b); });
  return acc;
}

template <Fold K>
class VariadicOp final : public Op {
 public:
  explicit VariadicOp(std::string_view name) : name_(name) {}
  std::string_view name() const override { return name_; }

  void infer(InferContext& ctx) const override {
    PRUNQ_CHECK(!ctx.inputs.empty(), node_desc(ctx.node), ": needs at least one input");
    TensorType out = ctx.inputs[0];
    for (size_t i = 0; i < ctx.inputs.size(); ++i) {
      PRUNQ_CHECK(ctx.has(i), node_desc(ctx.node), ": input ", i, " is missing");
      const TensorType& t = ctx.inputs[i];
      PRUNQ_CHECK(t.dtype == out.dtype, node_desc(ctx.node), ": input ", i, " is ", t.str(), ", input 0 is ",
                  ctx.inputs[0].str());
      out.rank_known = out.rank_known && t.rank_known;
      if (out.rank_known && i > 0) out.shape = broadcast_shapes(out.shape, t.shape, ctx.node);
    }
    check_dtype(out.dtype, ctx.node);
    if (!out.rank_known) out.shape.clear();
    ctx.outputs[0] = out;
  }

  void forward(ForwardContext& ctx) const override {
    std::vector<const Tensor*> xs;
    for (size_t i = 0; i < ctx.inputs.size(); ++i) xs.push_back(&ctx.in(i));
    PRUNQ_CHECK(!xs.empty(), node_desc(ctx.node), ": needs at least one input");
    for (const Tensor* x : xs)
      PRUNQ_CHECK(x->dtype() == xs[0]->dtype(), node_desc(ctx.node), ": inputs mix ", xs[0]->desc(), " and ",
                  x->desc());
    check_dtype(xs[0]->dtype(), ctx.node);
    switch (xs[0]->dtype()) {
      case DType::f32: ctx.outputs[0] = fold_all<K, float>(xs, ctx.node); break;
      case DType::i32: ctx.outputs[0] = fold_all<K, int32_t>(xs, ctx.node); break;
      case DType::i8: ctx.outputs[0] = fold_all<K, int8_t>(xs, ctx.node); break;
      case DType::u8: ctx.outputs[0] = fold_all<K, uint8_t>(xs, ctx.node); break;
      default: ctx.outputs[0] = fold_all<K, int64_t>(xs, ctx.node); break;
    }
  }

  bool has_backward() const override { return true; }

  void backward(BackwardContext& ctx) const override {
    const Node& node = ctx.node;
    Tensor y = ctx.outputs[0]->contiguous();
    Tensor gy = grad_output_or_zeros(ctx, 0, y.shape());
    if constexpr (K == Fold::sum) {
      for (size_t i = 0; i < ctx.inputs.size(); ++i)
        if (ctx.need_grad[i]) ctx.grad_inputs[i] = reduce_to_shape(gy, ctx.in(i).shape(), node);
      return;
    } else {
      // claimed[e] = an earlier input already took output element e.
      std::vector<uint8_t> claimed(static_cast<size_t>(y.numel()), 0);
      for (size_t i = 0; i < ctx.inputs.size(); ++i) {
        Tensor x = require_f32(ctx.in(i), node);
        Tensor xe = broadcast_binary<float>(x, y, node, [](float v, float) { return v; });  // x in y's shape
        Tensor g(DType::f32, y.shape());
        const float *px = xe.f32(), *py = y.f32(), *pg = gy.f32();
        float* o = g.f32();
        for (int64_t e = 0; e < y.numel(); ++e) {
          bool wins = !claimed[size_t(e)] && px[e] == py[e];
          claimed[size_t(e)] |= wins;
          o[e] = wins ? pg[e] : 0.f;
        }
        if (ctx.need_grad[i]) ctx.grad_inputs[i] = reduce_to_shape(g, x.shape(), node);
      }
    }
  }

 private:
  static void check_dtype(DType t, const Node& node) {
    bool ok = t == DType::f32 || (K != Fold::sum && (t == DType::i32 || t == DType::i64 || t == DType::i8 || t == DType::u8));
    PRUNQ_CHECK(ok, node_desc(node), ": unsupported dtype ", dtype_name(t));
  }
  std::string_view name_;
};

}  // namespace

const Op& op_Sum() {
  static const VariadicOp<Fold::sum> op("Sum");
  return op;
}
const Op& op_Max() {
  static const VariadicOp<Fold::max> op("Max");
  return op;
}
const Op& op_Min() {
  static const VariadicOp<Fold::min> op("Min");
  return op;
}

}  // namespace prunq
