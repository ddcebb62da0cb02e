// Cast: converts to the ONNX element type in attribute `to` (TensorProto codes: FLOAT 1, UINT8 2,
// INT8 3, INT32 6, INT64 7, BOOL 9 -> u8 0/1, FLOAT16 10, BFLOAT16 16). Conversions are
// Tensor::to's: float -> integer truncates toward zero and saturates (NaN -> 0), so out-of-range
// values are defined, not UB; integer -> narrower integer saturates too. The output holds the
// stored values: quantization parameters do not survive a Cast.
// Differentiable only as f32 -> f32 (the identity); other casts cut the gradient.
#include "ops/elementwise/pointwise.h"
#include "ops/shape/shape_util.h"

namespace prunq {
namespace {

struct Target {
  DType dtype;
  bool is_bool;
};

Target cast_target(const Node& node) {
  PRUNQ_CHECK(node.attrs.has("to"), node_desc(node), ": attribute 'to' is required");
  int64_t to = node.attrs.get_int("to", 0);
  switch (to) {
    case 1: return {DType::f32, false};
    case 2: return {DType::u8, false};
    case 3: return {DType::i8, false};
    case 6: return {DType::i32, false};
    case 7: return {DType::i64, false};
    case 9: return {DType::u8, true};
    case 10: return {DType::f16, false};
    case 16: return {DType::bf16, false};
    default: fail(node_desc(node), ": unsupported target type code ", to);
  }
}

Tensor cast(const Tensor& x, Target t) {
  Tensor xc = x.contiguous();
  if (t.is_bool) {  // any non-zero value (NaN included) is true
    Tensor f = xc.dtype() == DType::f32 ? xc : xc.to(DType::f32);
    Tensor out(DType::u8, x.shape());
    for (int64_t i = 0; i < x.numel(); ++i) out.data<uint8_t>()[i] = f.f32()[i] != 0.f;
    return out;
  }
  if (xc.dtype() == t.dtype) return xc.with_quant(nullptr);
  return xc.to(t.dtype);  // Tensor::to truncates and saturates float -> int, as Cast specifies
}

class CastOp final : public Op {
 public:
  std::string_view name() const override { return "Cast"; }
  void infer(InferContext& ctx) const override {
    infer_like_input(ctx, /*float_only=*/false);
    ctx.outputs[0].dtype = cast_target(ctx.node).dtype;
  }
  void forward(ForwardContext& ctx) const override { ctx.outputs[0] = cast(ctx.in(0), cast_target(ctx.node)); }
  bool has_backward() const override { return true; }
  void backward(BackwardContext& ctx) const override {
    if (!ctx.need_grad[0]) return;
    const Tensor& x = ctx.in(0);
    PRUNQ_CHECK(x.dtype() == DType::f32 && ctx.outputs[0]->dtype() == DType::f32, node_desc(ctx.node),
                ": only an f32 -> f32 cast passes a gradient, this one is ", dtype_name(x.dtype()), " -> ",
                dtype_name(ctx.outputs[0]->dtype()));
    ctx.grad_inputs[0] = grad_output_or_zeros(ctx, 0, x.shape());
  }
};

}  // namespace

const Op& op_Cast() {
  static const CastOp op;
  return op;
}

}  // namespace prunq
