// Concat: joins inputs along `axis` (required, may be negative). All inputs share dtype and rank,
// and every dim but the axis. Any whole-byte dtype: each input contributes one contiguous slab of
// bytes per outer index, so forward is a series of memcpys; backward cuts the gradient into the
// same slabs. Quantized inputs must all carry the same parameters (per tensor, or per channel on
// another axis than the concatenated one), which the output keeps; differently quantized inputs
// need prunq's QConcat, which requantizes.
#include <cstring>

#include "ops/elementwise/pointwise.h"
#include "ops/quant/element_moves.h"
#include "ops/shape/shape_util.h"

namespace prunq {
namespace {

int64_t concat_axis(const Node& node, size_t rank) {
  PRUNQ_CHECK(node.attrs.has("axis"), node_desc(node), ": attribute 'axis' is required");
  return normalize_axis(node.attrs.int_("axis"), int64_t(rank), node);
}

// Slab layout: out viewed as [outer, sum(widths)] bytes, input k as [outer, widths[k]] bytes.
struct Slabs {
  int64_t outer = 1;
  std::vector<int64_t> widths, offsets;  // bytes per outer index, and where each starts in a row
  int64_t row = 0;                       // bytes per outer index in the output
};

Slabs slabs_for(const std::vector<Shape>& shapes, size_t axis, size_t elem_size) {
  Slabs s;
  for (size_t d = 0; d < axis; ++d) s.outer *= shapes[0][d];
  for (const Shape& sh : shapes) {
    int64_t w = static_cast<int64_t>(elem_size);
    for (size_t d = axis; d < sh.size(); ++d) w *= sh[d];
    s.offsets.push_back(s.row);
    s.widths.push_back(w);
    s.row += w;
  }
  return s;
}

// The output's parameters: input 0's, which every input must share.
QuantPtr concat_quant(const Node& node, const std::vector<QuantPtr>& quants, int64_t axis) {
  for (size_t k = 1; k < quants.size(); ++k)
    PRUNQ_CHECK(same_quant(quants[k], quants[0]), node_desc(node), ": input ", k, " is quantized as (",
                quants[k] ? quants[k]->str() : "none", "), input 0 as (", quants[0] ? quants[0]->str() : "none",
                "); Concat joins equally quantized inputs only (QConcat requantizes)");
  const QuantPtr& q = quants.empty() ? nullptr : quants[0];
  PRUNQ_CHECK(!q || q->per_tensor() || (axis >= 0 && q->axis != axis && (q->group_size == 0 || q->group_axis != axis)),
              node_desc(node), ": inputs are quantized per channel (", quant_str(q),
              ") along the concatenated axis ", axis);
  return q;
}

class ConcatOp final : public Op {
 public:
  std::string_view name() const override { return "Concat"; }

  void infer(InferContext& ctx) const override {
    const Node& node = ctx.node;
    PRUNQ_CHECK(!ctx.inputs.empty(), node_desc(node), ": needs at least one input");
    TensorType out{ctx.inputs[0].dtype, {}, true};
    PRUNQ_CHECK(!is_packed(out.dtype), node_desc(node), ": ", dtype_name(out.dtype),
                " is packed; Concat joins whole-byte elements");
    std::vector<QuantPtr> quants;
    for (size_t k = 0; k < ctx.inputs.size(); ++k) {
      PRUNQ_CHECK(ctx.has(k), node_desc(node), ": input ", k, " is missing");
      quants.push_back(ctx.inputs[k].quant);
      const TensorType& t = ctx.inputs[k];
      PRUNQ_CHECK(t.dtype == out.dtype, node_desc(node), ": input ", k, " is ", t.str(), ", input 0 is ",
                  ctx.inputs[0].str());
      out.rank_known = out.rank_known && t.rank_known;
    }
    if (!out.rank_known) {
      out.quant = concat_quant(node, quants, -1);
      ctx.outputs[0] = out;
      return;
    }
    const size_t rank = ctx.inputs[0].shape.size();
    const size_t axis = size_t(concat_axis(node, rank));
    out.quant = concat_quant(node, quants, int64_t(axis));
    out.shape = ctx.inputs[0].shape;
    out.shape[axis] = 0;
    for (size_t k = 0; k < ctx.inputs.size(); ++k) {
      const Shape& s = ctx.inputs[k].shape;
      PRUNQ_CHECK(s.size() == rank, node_desc(node), ": input ", k, " has rank ", s.size(), ", input 0 has rank ",
                  rank);
      for (size_t d = 0; d < rank; ++d) {
        if (d == axis) {
          out.shape[d] = (out.shape[d] < 0 || s[d] < 0) ? -1 : out.shape[d] + s[d];
        } else if (out.shape[d] < 0) {
          out.shape[d] = s[d];  // a known dim refines an unknown one
        } else {
          PRUNQ_CHECK(s[d] < 0 || s[d] == out.shape[d], node_desc(node), ": input ", k, " shape ", shape_str(s),
                      " does not match ", shape_str(ctx.inputs[0].shape), " outside axis ", axis);
        }
      }
    }
    ctx.outputs[0] = out;
  }

  void forward(ForwardContext& ctx) const override {
    const Node& node = ctx.node;
    std::vector<Tensor> xs;
    std::vector<Shape> shapes;
    for (size_t k = 0; k < ctx.inputs.size(); ++k) {
      xs.push_back(ctx.in(k).contiguous());
      shapes.push_back(xs.back().shape());
    }
    PRUNQ_CHECK(!xs.empty(), node_desc(node), ": needs at least one input");
    const size_t rank = shapes[0].size();
    const size_t axis = size_t(concat_axis(node, rank));
    Shape out_shape = shapes[0];
    out_shape[axis] = 0;
    for (size_t k = 0; k < xs.size(); ++k) {
      PRUNQ_CHECK(xs[k].dtype() == xs[0].dtype(), node_desc(node), ": input ", k, " is ", xs[k].desc(),
                  ", input 0 is ", xs[0].desc());
      bool same = shapes[k].size() == rank;
      for (size_t d = 0; same && d < rank; ++d) same = d == axis || shapes[k][d] == shapes[0][d];
      PRUNQ_CHECK(same, node_desc(node), ": input ", k, " shape ", shape_str(shapes[k]), " does not match ",
                  shape_str(shapes[0]), " outside axis ", axis);
      out_shape[axis] += shapes[k][axis];
    }
    Tensor out(xs[0].dtype(), out_shape);
    std::vector<QuantPtr> quants;
    for (const Tensor& x : xs) quants.push_back(x.quant());
    if (QuantPtr q = concat_quant(node, quants, int64_t(axis))) out.set_quant(q);
    const Slabs s = slabs_for(shapes, axis, dtype_size(out.dtype()));
    char* dst = static_cast<char*>(out.raw());
    parallel_for(s.outer, [&](int64_t o0, int64_t o1) {
      for (int64_t o = o0; o < o1; ++o)
        for (size_t k = 0; k < xs.size(); ++k)
          std::memcpy(dst + o * s.row + s.offsets[k], static_cast<const char*>(xs[k].raw()) + o * s.widths[k],
                      size_t(s.widths[k]));
    }, std::max<int64_t>(1, 4 * kElementwiseGrain / std::max<int64_t>(1, s.row)));
    ctx.outputs[0] = out;
  }

  bool has_backward() const override { return true; }

  void backward(BackwardContext& ctx) const override {
    std::vector<Shape> shapes;
    for (size_t k = 0; k < ctx.inputs.size(); ++k) shapes.push_back(ctx.in(k).shape());
    const size_t axis = size_t(concat_axis(ctx.node, shapes[0].size()));
    Tensor gy = grad_output_or_zeros(ctx, 0, ctx.outputs[0]->shape());
    const Slabs s = slabs_for(shapes, axis, sizeof(float));
    const char* src = static_cast<const char*>(gy.raw());
    for (size_t k = 0; k < shapes.size(); ++k) {
      if (!ctx.need_grad[k]) continue;
      Tensor g(DType::f32, shapes[k]);
      char* dst = static_cast<char*>(g.raw());
      for (int64_t o = 0; o < s.outer; ++o)
        std::memcpy(dst + o * s.widths[k], src + o * s.row + s.offsets[k], size_t(s.widths[k]));
      ctx.grad_inputs[k] = g;
    }
  }
};

}  // namespace

const Op& op_Concat() {
  static const ConcatOp op;
  return op;
}

}  // namespace prunq
