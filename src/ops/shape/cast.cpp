// Cast: converts to the ONNX element type in attribute `to` (TensorProto codes: FLOAT 1, UINT8 2,
// INT8 3, INT32 6, INT64 7, BOOL 9 -> u8 0/1, FLOAT16 10, BFLOAT16 16). Float -> integer
// truncates toward zero and saturates (NaN -> 0), so out-of-range values are defined, not UB.
// Differentiable only as f32 -> f32 (the identity); other casts cut the gradient.
#include <cmath>
#include <limits>

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

template <class T>
void float_to_int(const float* src, T* dst, int64_t n) {
  constexpr double lo = double(std::numeric_limits<T>::min()), hi = double(std::numeric_limits<T>::max());
  for (int64_t i = 0; i < n; ++i) {
    double v = std::trunc(double(src[i]));
    dst[i] = std::isnan(v) ? T(0) : v <= lo ? std::numeric_limits<T>::min() : v >= hi ? std::numeric_limits<T>::max() : T(v);
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
  if (xc.dtype() == t.dtype) return xc;
  const bool from_float = info(xc.dtype()).is_float, to_int = !info(t.dtype).is_float;
  if (!(from_float && to_int)) return xc.to(t.dtype);
  Tensor f = xc.dtype() == DType::f32 ? xc : xc.to(DType::f32);
  Tensor out(t.dtype, x.shape());
  const int64_t n = x.numel();
  switch (t.dtype) {
    case DType::u8: float_to_int(f.f32(), out.data<uint8_t>(), n); break;
    case DType::i8: float_to_int(f.f32(), out.data<int8_t>(), n); break;
    case DType::i32: float_to_int(f.f32(), out.data<int32_t>(), n); break;
    default: float_to_int(f.f32(), out.data<int64_t>(), n); break;
  }
  return out;
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
