// Add, Sub, Mul, Div with multidirectional (numpy) broadcasting, for f32 (differentiable) and
// i32/i64/i8/u8 with ONNX's plain integer semantics (shape arithmetic in imported graphs, integer
// tensors; overflow wraps, Div truncates like C and a zero divisor is an Error, not a crash).
// Quantized tensors are not plain integers: their arithmetic is QAdd (docs/design/quantized-ir.md). Backward reduces each operand's gradient over the dims it was broadcast.
#include <cstdint>
#include <type_traits>

#include "ops/elementwise/broadcast.h"

namespace prunq {
namespace {

enum class Arith { add, sub, mul, div };

template <Arith K, class T>
T apply(T a, T b) {
  if constexpr (std::is_integral_v<T> && K != Arith::div) {
    // Integer overflow wraps (two's complement, as ONNX Runtime does) instead of being undefined.
    using U = std::make_unsigned_t<T>;
    const U ua = static_cast<U>(a), ub = static_cast<U>(b);
    if constexpr (K == Arith::add) return static_cast<T>(ua + ub);
    if constexpr (K == Arith::sub) return static_cast<T>(ua - ub);
    if constexpr (K == Arith::mul) return static_cast<T>(ua * ub);
  }
  if constexpr (K == Arith::add) return a + b;
  if constexpr (K == Arith::sub) return a - b;
  if constexpr (K == Arith::mul) return a * b;
  if constexpr (K == Arith::div) {
    // x / -1 is negation done in unsigned arithmetic, so INT_MIN / -1 wraps instead of trapping.
    if constexpr (std::is_integral_v<T> && std::is_signed_v<T>)
      if (b == T(-1)) return static_cast<T>(std::make_unsigned_t<T>(0) - static_cast<std::make_unsigned_t<T>>(a));
    return a / b;
  }
}

template <Arith K, class T>
Tensor compute(const Tensor& a, const Tensor& b, const Node& node) {
  if constexpr (K == Arith::div && !std::is_floating_point_v<T>) {
    Tensor bc = b.contiguous();
    const T* pb = bc.data<T>();
    for (int64_t i = 0; i < bc.numel(); ++i)
      PRUNQ_CHECK(pb[i] != 0, node_desc(node), ": integer division by zero (divisor ", b.desc(), ")");
  }
  return broadcast_binary<T>(a, b, node, [](T x, T y) { return apply<K, T>(x, y); });
}

template <Arith K>
class ArithmeticOp final : public Op {
 public:
  explicit ArithmeticOp(std::string_view name) : name_(name) {}
  std::string_view name() const override { return name_; }

  void infer(InferContext& ctx) const override {
    PRUNQ_CHECK(ctx.has(0) && ctx.has(1), node_desc(ctx.node), ": needs two inputs");
    const TensorType& a = ctx.inputs[0];
    const TensorType& b = ctx.inputs[1];
    PRUNQ_CHECK(a.dtype == b.dtype, node_desc(ctx.node), ": input dtypes differ: ", a.str(), " vs ", b.str());
    check_dtype(a.dtype, ctx.node);
    TensorType out{a.dtype, {}, a.rank_known && b.rank_known};
    if (out.rank_known) out.shape = broadcast_shapes(a.shape, b.shape, ctx.node);
    ctx.outputs[0] = out;
  }

  void forward(ForwardContext& ctx) const override {
    const Tensor& a = ctx.in(0);
    const Tensor& b = ctx.in(1);
    PRUNQ_CHECK(a.dtype() == b.dtype(), node_desc(ctx.node), ": input dtypes differ: ", a.desc(), " vs ",
                b.desc());
    check_dtype(a.dtype(), ctx.node);
    switch (a.dtype()) {
      case DType::f32: ctx.outputs[0] = compute<K, float>(a, b, ctx.node); break;
      case DType::i32: ctx.outputs[0] = compute<K, int32_t>(a, b, ctx.node); break;
      case DType::i8: ctx.outputs[0] = compute<K, int8_t>(a, b, ctx.node); break;
      case DType::u8: ctx.outputs[0] = compute<K, uint8_t>(a, b, ctx.node); break;
      default: ctx.outputs[0] = compute<K, int64_t>(a, b, ctx.node); break;
    }
  }

  bool has_backward() const override { return true; }

  void backward(BackwardContext& ctx) const override {
    const Tensor& a = ctx.in(0);
    const Tensor& b = ctx.in(1);
    const Node& node = ctx.node;
    PRUNQ_CHECK(a.dtype() == DType::f32, node_desc(node), ": only f32 inputs are differentiable, got ", a.desc());
    const Shape out_shape = ctx.outputs[0]->shape();
    Tensor gy = grad_output_or_zeros(ctx, 0, out_shape);
    const bool ga = ctx.need_grad[0], gb = ctx.need_grad[1];
    auto mul = [](float x, float y) { return x * y; };
    if constexpr (K == Arith::add || K == Arith::sub) {
      if (ga) ctx.grad_inputs[0] = reduce_to_shape(gy, a.shape(), node);
      if (gb) {
        Tensor g = reduce_to_shape(gy, b.shape(), node);
        ctx.grad_inputs[1] = K == Arith::add ? g : map_f32(g, [](float v) { return -v; });
      }
    } else if constexpr (K == Arith::mul) {
      if (ga) ctx.grad_inputs[0] = reduce_to_shape(broadcast_binary<float>(gy, b, node, mul), a.shape(), node);
      if (gb) ctx.grad_inputs[1] = reduce_to_shape(broadcast_binary<float>(gy, a, node, mul), b.shape(), node);
    } else {
      // y = a / b: da = gy / b; db = -gy * a / b^2 = -(gy / b) * y.
      Tensor gy_over_b = broadcast_binary<float>(gy, b, node, [](float g, float d) { return g / d; });
      if (ga) ctx.grad_inputs[0] = reduce_to_shape(gy_over_b, a.shape(), node);
      if (gb) {
        Tensor y = ctx.outputs[0]->contiguous();
        Tensor t = broadcast_binary<float>(gy_over_b, y, node, [](float g, float v) { return -g * v; });
        ctx.grad_inputs[1] = reduce_to_shape(t, b.shape(), node);
      }
    }
  }

 private:
  static void check_dtype(DType t, const Node& node) {
    PRUNQ_CHECK(t == DType::f32 || t == DType::i32 || t == DType::i64 || t == DType::i8 || t == DType::u8,
                node_desc(node), ": supports f32, i32, i64, i8 and u8 inputs, got ", dtype_name(t));
  }
  std::string_view name_;
};

}  // namespace

const Op& op_Add() {
  static const ArithmeticOp<Arith::add> op("Add");
  return op;
}
const Op& op_Sub() {
  static const ArithmeticOp<Arith::sub> op("Sub");
  return op;
}
const Op& op_Mul() {
  static const ArithmeticOp<Arith::mul> op("Mul");
  return op;
}
const Op& op_Div() {
  static const ArithmeticOp<Arith::div> op("Div");
  return op;
}

}  // namespace prunq
