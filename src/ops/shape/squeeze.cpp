// Squeeze and Unsqueeze (opset 13: axes as optional/required int64 input 1; opset < 13 models
// carry an `axes` attribute, honoured when the input is absent). Squeeze without axes removes
// every size-1 dim. Any dtype; outputs are views of the input's storage and keep its
// quantization.
#include <optional>

#include "ops/elementwise/pointwise.h"
#include "ops/quant/element_moves.h"
#include "ops/shape/reshape_like.h"
#include "ops/shape/shape_util.h"

namespace prunq {
namespace {

// The axes when they are known: from the constant input 1 or the attribute. nullopt: no axes given.
std::optional<std::vector<int64_t>> given_axes(const Node& node, const Tensor* axes_input) {
  if (axes_input) return read_int_list(*axes_input, node, "axes");
  if (node.attrs.has("axes")) return node.attrs.get_ints("axes");
  return std::nullopt;
}

Shape squeeze_shape(const Shape& in, const std::optional<std::vector<int64_t>>& axes, const Node& node) {
  Shape out;
  if (!axes) {
    for (int64_t d : in)
      if (d != 1) out.push_back(d);
    return out;
  }
  std::vector<int64_t> ax = normalize_axes(*axes, static_cast<int64_t>(in.size()), node);
  for (size_t i = 0, k = 0; i < in.size(); ++i) {
    if (k < ax.size() && ax[k] == static_cast<int64_t>(i)) {
      // An unknown (-1) dim is taken to be 1; the run-time check catches it if not.
      PRUNQ_CHECK(in[i] == 1 || in[i] == -1, node_desc(node), ": cannot squeeze axis ", i, " of size ", in[i],
                  " in shape ", shape_str(in));
      ++k;
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

Shape unsqueeze_shape(const Shape& in, const std::vector<int64_t>& axes, const Node& node) {
  const int64_t out_rank = static_cast<int64_t>(in.size() + axes.size());
  std::vector<int64_t> ax = normalize_axes(axes, out_rank, node);
  Shape out;
  size_t next_in = 0, k = 0;
  for (int64_t i = 0; i < out_rank; ++i) {
    if (k < ax.size() && ax[k] == i) {
      out.push_back(1);
      ++k;
    } else {
      out.push_back(in[next_in++]);
    }
  }
  return out;
}

const Tensor* constant_input(const InferContext& ctx, size_t i) {
  return ctx.has(i) && i < ctx.constants.size() ? ctx.constants[i] : nullptr;
}

// Number of axes when only the axes input's type is known (its length), else -1.
int64_t axes_count_from_type(const InferContext& ctx) {
  const TensorType& t = ctx.inputs[1];
  return t.rank_known && t.shape.size() == 1 ? t.shape[0] : -1;
}

class SqueezeOp final : public ReshapeLikeOp {
 public:
  std::string_view name() const override { return "Squeeze"; }
  void infer(InferContext& ctx) const override {
    infer_shape(ctx);
    ctx.outputs[0].quant = reshaped_quant(ctx.node, ctx.inputs[0].quant, ctx.inputs[0].shape, ctx.outputs[0].shape);
  }
  void infer_shape(InferContext& ctx) const {
    infer_like_input(ctx, /*float_only=*/false);
    const TensorType& x = ctx.inputs[0];
    TensorType& out = ctx.outputs[0];
    const bool axes_unknown = ctx.has(1) && !constant_input(ctx, 1);
    std::optional<std::vector<int64_t>> axes;
    if (!axes_unknown) axes = given_axes(ctx.node, constant_input(ctx, 1));
    bool batch_unknown = false;
    for (int64_t d : x.shape) batch_unknown = batch_unknown || d < 0;
    if (!x.rank_known || (!axes && (axes_unknown || batch_unknown))) {
      // Which dims go is only known at run time; with a known axes count the rank still is.
      int64_t k = axes_unknown ? axes_count_from_type(ctx) : -1;
      if (x.rank_known && k >= 0) out.shape = Shape(x.shape.size() - size_t(k), -1);
      else out = TensorType{x.dtype, {}, false};
      return;
    }
    out.shape = squeeze_shape(x.shape, axes, ctx.node);
  }
  void forward(ForwardContext& ctx) const override {
    const Tensor& x = ctx.in(0);
    Shape s = squeeze_shape(x.shape(), given_axes(ctx.node, ctx.has(1) ? ctx.inputs[1] : nullptr), ctx.node);
    ctx.outputs[0] = reshaped_view(ctx.node, x, s);
  }
};

class UnsqueezeOp final : public ReshapeLikeOp {
 public:
  std::string_view name() const override { return "Unsqueeze"; }
  void infer(InferContext& ctx) const override {
    infer_shape(ctx);
    ctx.outputs[0].quant = reshaped_quant(ctx.node, ctx.inputs[0].quant, ctx.inputs[0].shape, ctx.outputs[0].shape);
  }
  void infer_shape(InferContext& ctx) const {
    infer_like_input(ctx, /*float_only=*/false);
    const TensorType& x = ctx.inputs[0];
    TensorType& out = ctx.outputs[0];
    const bool axes_unknown = ctx.has(1) && !constant_input(ctx, 1);
    if (!axes_unknown) {
      std::optional<std::vector<int64_t>> axes = given_axes(ctx.node, constant_input(ctx, 1));
      PRUNQ_CHECK(axes, node_desc(ctx.node), ": axes are required");
      if (x.rank_known) out.shape = unsqueeze_shape(x.shape, *axes, ctx.node);
      return;
    }
    int64_t k = axes_count_from_type(ctx);
    if (x.rank_known && k >= 0) out.shape = Shape(x.shape.size() + size_t(k), -1);
    else out = TensorType{x.dtype, {}, false};
  }
  void forward(ForwardContext& ctx) const override {
    const Tensor& x = ctx.in(0);
    std::optional<std::vector<int64_t>> axes = given_axes(ctx.node, ctx.has(1) ? ctx.inputs[1] : nullptr);
    PRUNQ_CHECK(axes, node_desc(ctx.node), ": axes are required");
    ctx.outputs[0] = reshaped_view(ctx.node, x, unsqueeze_shape(x.shape(), *axes, ctx.node));
  }
};

}  // namespace

const Op& op_Squeeze() {
  static const SqueezeOp op;
  return op;
}

const Op& op_Unsqueeze() {
  static const UnsqueezeOp op;
  return op;
}

}  // namespace prunq
