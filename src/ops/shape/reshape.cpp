// Reshape (opset 14): the target comes from the int64 `shape` input. 0 copies the input's dim at
// that position (unless allowzero=1, where 0 is a real zero-size dim), one -1 is inferred from the
// element count. Shape inference needs the shape input as a constant; with an unknown batch it
// still resolves -1 when the unknown dims are copied through by 0 (e.g. [-1,64,7,7] -> [0,-1]
// gives [-1, 3136]), else leaves it -1. Any dtype; the output is a view of the input's storage
// and keeps its quantization (a per-channel axis must survive whole, see ops/quant/element_moves.h).
#include "ops/elementwise/pointwise.h"
#include "ops/quant/element_moves.h"
#include "ops/shape/reshape_like.h"
#include "ops/shape/shape_util.h"

namespace prunq {
namespace {

// Output shape for input shape `in` (dims may be -1 at inference time) and the shape input `spec`.
Shape resolve_shape(const Shape& in, const std::vector<int64_t>& spec, bool allowzero, const Node& node) {
  Shape out(spec.size());
  int infer_at = -1;
  int64_t out_known = 1;
  int copied_unknown = 0;
  bool has_zero = false;
  for (size_t i = 0; i < spec.size(); ++i) {
    int64_t v = spec[i];
    PRUNQ_CHECK(v >= -1, node_desc(node), ": invalid dim ", v, " in shape ", shape_str(spec));
    if (v == -1) {
      PRUNQ_CHECK(infer_at < 0, node_desc(node), ": shape ", shape_str(spec), " has more than one -1");
      infer_at = static_cast<int>(i);
      continue;
    }
    if (v == 0 && !allowzero) {
      PRUNQ_CHECK(i < in.size(), node_desc(node), ": shape ", shape_str(spec), " copies dim ", i,
                  " (0) but the input ", shape_str(in), " has rank ", in.size());
      v = in[i];
    }
    has_zero = has_zero || spec[i] == 0;
    out[i] = v;
    if (v < 0) ++copied_unknown;
    else out_known *= v;
  }
  PRUNQ_CHECK(!(allowzero && has_zero && infer_at >= 0), node_desc(node), ": shape ", shape_str(spec),
              " mixes 0 and -1 with allowzero=1");
  int in_unknown = 0;
  int64_t in_known = 1;
  for (int64_t d : in) {
    if (d < 0) ++in_unknown;
    else in_known *= d;
  }
  if (infer_at >= 0) {
    // Resolvable when every unknown input dim was copied through, so the unknowns cancel out.
    if (in_unknown == copied_unknown) {
      PRUNQ_CHECK(out_known > 0 && in_known % out_known == 0, node_desc(node), ": cannot reshape ",
                  shape_str(in), " to ", shape_str(spec));
      out[size_t(infer_at)] = in_known / out_known;
    } else {
      out[size_t(infer_at)] = -1;
    }
  } else if (in_unknown == 0 && copied_unknown == 0) {
    PRUNQ_CHECK(in_known == out_known, node_desc(node), ": cannot reshape ", shape_str(in), " (", in_known,
                " elements) to ", shape_str(out), " (", out_known, " elements)");
  }
  return out;
}

class ReshapeOp final : public ReshapeLikeOp {
 public:
  std::string_view name() const override { return "Reshape"; }
  void infer(InferContext& ctx) const override {
    PRUNQ_CHECK(ctx.has(0) && ctx.has(1), node_desc(ctx.node), ": needs data and shape inputs");
    const TensorType& x = ctx.inputs[0];
    const bool allowzero = ctx.attrs().get_int("allowzero", 0) != 0;
    if (ctx.constants.size() > 1 && ctx.constants[1]) {
      std::vector<int64_t> spec = read_int_list(*ctx.constants[1], ctx.node, "shape");
      if (x.rank_known) {
        ctx.outputs[0] = TensorType{x.dtype, resolve_shape(x.shape, spec, allowzero, ctx.node), true};
      } else {  // rank is the spec's length; copied and inferred dims stay unknown
        Shape s(spec.begin(), spec.end());
        for (int64_t& d : s)
          if (d == -1 || (d == 0 && !allowzero)) d = -1;
        ctx.outputs[0] = TensorType{x.dtype, s, true};
      }
    } else {
      // Shape computed at run time: the rank is known when the shape input's length is.
      const TensorType& st = ctx.inputs[1];
      if (st.rank_known && st.shape.size() == 1 && st.shape[0] >= 0)
        ctx.outputs[0] = TensorType{x.dtype, Shape(size_t(st.shape[0]), -1), true};
      else
        ctx.outputs[0] = TensorType{x.dtype, {}, false};
    }
    ctx.outputs[0].quant = reshaped_quant(ctx.node, x.quant, x.shape, ctx.outputs[0].shape);
  }
  void forward(ForwardContext& ctx) const override {
    const Tensor& x = ctx.in(0);
    std::vector<int64_t> spec = read_int_list(ctx.in(1), ctx.node, "shape");
    Shape out = resolve_shape(x.shape(), spec, ctx.attrs().get_int("allowzero", 0) != 0, ctx.node);
    ctx.outputs[0] = reshaped_view(ctx.node, x, out);
  }
};

}  // namespace

const Op& op_Reshape() {
  static const ReshapeOp op;
  return op;
}

}  // namespace prunq
