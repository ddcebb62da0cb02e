// Shape: the input's dims as a 1-D int64 tensor, optionally the slice [start, end) (opset 15;
// negative values count from the end, both clamped to [0, rank]). Not differentiable.
#include <algorithm>

#include "ops/elementwise/pointwise.h"
#include "ops/shape/shape_util.h"

namespace prunq {
namespace {

std::pair<int64_t, int64_t> shape_range(const Node& node, int64_t rank) {
  auto clamp = [rank](int64_t v) { return std::clamp(v < 0 ? v + rank : v, int64_t{0}, rank); };
  return {clamp(node.attrs.get_int("start", 0)), clamp(node.attrs.get_int("end", rank))};
}

class ShapeOp final : public Op {
 public:
  std::string_view name() const override { return "Shape"; }
  bool input_differentiable(size_t) const override { return false; }
  void infer(InferContext& ctx) const override {
    PRUNQ_CHECK(ctx.has(0), node_desc(ctx.node), ": input 0 is missing");
    const TensorType& x = ctx.inputs[0];
    if (!x.rank_known) {
      ctx.outputs[0] = TensorType{DType::i64, {-1}, true};
      return;
    }
    auto [b, e] = shape_range(ctx.node, int64_t(x.shape.size()));
    ctx.outputs[0] = TensorType{DType::i64, {std::max<int64_t>(0, e - b)}, true};
  }
  void forward(ForwardContext& ctx) const override {
    const Shape& s = ctx.in(0).shape();
    auto [b, e] = shape_range(ctx.node, int64_t(s.size()));
    Tensor out(DType::i64, {std::max<int64_t>(0, e - b)});
    for (int64_t i = b; i < e; ++i) out.data<int64_t>()[i - b] = s[size_t(i)];
    ctx.outputs[0] = out;
  }
};

}  // namespace

const Op& op_Shape() {
  static const ShapeOp op;
  return op;
}

}  // namespace prunq
