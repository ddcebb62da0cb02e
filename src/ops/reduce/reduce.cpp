// The Reduce family (ONNX opset 13 forms, unchanged through opset 17): ReduceSum (axes as an
// optional input, noop_with_empty_axes), ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1,
// ReduceL2, ReduceSumSquare, ReduceLogSum, ReduceLogSumExp (axes as an attribute). keepdims
// defaults to 1; no axes reduces every dim.
//
// One traversal serves every op and both directions: walking the input in memory order with a
// multi-index counter gives each element's output slot without divisions (ReduceMap). Forward
// accumulates into the slot (double for f32, so long reductions do not drift); backward reads the
// slot's output and gradient. Sum / Prod / Max / Min also run on i32 / i64 (shape arithmetic of
// imported graphs); the others are f32 only.
//
// Backward: Sum 1, Mean 1/n, Max / Min split evenly among the tied extreme elements (as PyTorch's
// amax), Prod the product of the others (exact with zeros in the group), L1 sign(x), L2 x/y,
// SumSquare 2x, LogSum 1/exp(y), LogSumExp exp(x - y).
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "ops/elementwise/pointwise.h"
#include "ops/op.h"
#include "ops/shape/shape_util.h"

namespace prunq {
namespace {

enum class Reduce { sum, mean, max, min, prod, l1, l2, sum_square, log_sum, log_sum_exp };

bool integer_capable(Reduce k) { return k == Reduce::sum || k == Reduce::max || k == Reduce::min || k == Reduce::prod; }

struct ReduceAxes {
  std::vector<char> reduced;  // per input dim
  bool noop = false;          // ReduceSum with empty axes and noop_with_empty_axes = 1
};

// The axes of the node for an input of `rank`: ReduceSum reads its optional second input, the
// others the attribute.
ReduceAxes reduce_axes(const Node& node, bool axes_from_input, const Tensor* axes_input, bool axes_present,
                       int64_t rank) {
  std::vector<int64_t> axes;
  bool given = false;
  if (axes_from_input) {
    if (axes_present) {
      PRUNQ_CHECK(axes_input, node_desc(node), ": the axes input must be a constant");
      axes = read_int_list(*axes_input, node, "axes");
      given = !axes.empty();
    }
  } else if (node.attrs.has("axes")) {
    axes = node.attrs.get_ints("axes");
    given = !axes.empty();
  }
  ReduceAxes r;
  r.reduced.assign(static_cast<size_t>(rank), given ? 0 : 1);
  if (!given && axes_from_input && node.attrs.get_int("noop_with_empty_axes", 0) != 0) {
    r.noop = true;
    std::fill(r.reduced.begin(), r.reduced.end(), 0);
    return r;
  }
  for (int64_t a : normalize_axes(axes, rank, node)) r.reduced[static_cast<size_t>(a)] = 1;
  return r;
}

Shape reduced_shape(const Shape& in, const ReduceAxes& ax, bool keepdims) {
  Shape out;
  for (size_t d = 0; d < in.size(); ++d) {
    if (!ax.reduced[d])
      out.push_back(in[d]);
    else if (keepdims)
      out.push_back(1);
  }
  return out;
}

// out_index[i]: the output slot of input element i (contiguous, row-major), and how many input
// elements each slot reduces.
struct ReduceMap {
  std::vector<int64_t> out_index;
  int64_t out_count = 1, group = 1;
};

ReduceMap make_reduce_map(const Shape& in, const ReduceAxes& ax) {
  const size_t rank = in.size();
  std::vector<int64_t> out_stride(rank, 0);
  ReduceMap m;
  int64_t acc = 1;
  for (size_t d = rank; d-- > 0;) {
    if (ax.reduced[d]) {
      m.group *= in[d];
    } else {
      out_stride[d] = acc;
      acc *= in[d];
    }
  }
  m.out_count = acc;
  const int64_t n = shape_numel(in);
  m.out_index.resize(static_cast<size_t>(n));
  std::vector<int64_t> idx(rank, 0);
  int64_t off = 0;
  for (int64_t i = 0; i < n; ++i) {
    m.out_index[static_cast<size_t>(i)] = off;
    for (size_t d = rank; d-- > 0;) {  // increment the multi-index, carrying
      off += out_stride[d];
      if (++idx[d] < in[d]) break;
      off -= out_stride[d] * in[d];
      idx[d] = 0;
    }
  }
  return m;
}

template <class T>
using Acc = std::conditional_t<std::is_floating_point_v<T>, double, T>;

// Wrapping integer products (as the arithmetic ops wrap), exact float ones in double.
template <class T>
Acc<T> times(Acc<T> a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) * static_cast<U>(b));
  } else {
    return a * static_cast<double>(b);
  }
}

template <class T>
Tensor reduce_forward(Reduce k, const Tensor& x, const ReduceMap& m, const Shape& out_shape) {
  const T* px = x.data<T>();
  const int64_t n = x.numel();
  std::vector<Acc<T>> acc(static_cast<size_t>(m.out_count));
  Acc<T> init = 0;
  if (k == Reduce::prod) init = 1;
  if (k == Reduce::max) init = std::numeric_limits<T>::has_infinity ? -std::numeric_limits<Acc<T>>::infinity()
                                                                   : std::numeric_limits<Acc<T>>::lowest();
  if (k == Reduce::min) init = std::numeric_limits<T>::has_infinity ? std::numeric_limits<Acc<T>>::infinity()
                                                                   : std::numeric_limits<Acc<T>>::max();
  std::fill(acc.begin(), acc.end(), init);
  std::vector<double> shift;  // LogSumExp: the group maximum, subtracted before exp for stability
  if (k == Reduce::log_sum_exp) {
    shift.assign(acc.size(), -INFINITY);
    for (int64_t i = 0; i < n; ++i) {
      double& s = shift[static_cast<size_t>(m.out_index[size_t(i)])];
      s = std::max(s, static_cast<double>(px[i]));
    }
    for (double& s : shift)
      if (std::isinf(s)) s = 0;  // all -inf (or empty): exp(-inf - 0) = 0, log 0 = -inf
  }
  for (int64_t i = 0; i < n; ++i) {
    Acc<T>& a = acc[static_cast<size_t>(m.out_index[size_t(i)])];
    const T v = px[i];
    switch (k) {
      case Reduce::sum:
      case Reduce::mean:
      case Reduce::log_sum:
        if constexpr (std::is_integral_v<T>)
          a = static_cast<T>(static_cast<std::make_unsigned_t<T>>(a) + static_cast<std::make_unsigned_t<T>>(v));
        else
          a += v;
        break;
      case Reduce::max: a = std::max<Acc<T>>(a, v); break;
      case Reduce::min: a = std::min<Acc<T>>(a, v); break;
      case Reduce::prod: a = times<T>(a, v); break;
      case Reduce::l1: a += std::fabs(static_cast<double>(v)); break;
      case Reduce::l2:
      case Reduce::sum_square: a += static_cast<double>(v) * static_cast<double>(v); break;
      case Reduce::log_sum_exp:
        a += std::exp(static_cast<double>(v) - shift[static_cast<size_t>(m.out_index[size_t(i)])]);
        break;
    }
  }
  Tensor y(x.dtype(), out_shape);
  T* py = y.data<T>();
  for (size_t o = 0; o < acc.size(); ++o) {
    Acc<T> a = acc[o];
    if constexpr (std::is_floating_point_v<T>) {
      if (k == Reduce::mean) a /= static_cast<double>(m.group);
      if (k == Reduce::l2) a = std::sqrt(a);
      if (k == Reduce::log_sum) a = std::log(a);
      if (k == Reduce::log_sum_exp) a = std::log(a) + shift[o];
    }
    py[o] = static_cast<T>(a);
  }
  return y;
}

// d(output slot)/d(input element) times the slot's gradient, for every input element.
Tensor reduce_backward(Reduce k, const Tensor& x, const Tensor& y, const Tensor& gy, const ReduceMap& m) {
  const float* px = x.f32();
  const float* py = y.f32();
  const float* pg = gy.f32();
  const int64_t n = x.numel();
  const auto slot = [&](int64_t i) { return static_cast<size_t>(m.out_index[static_cast<size_t>(i)]); };
  Tensor gx(DType::f32, x.shape());
  float* out = gx.f32();
  if (k == Reduce::max || k == Reduce::min) {
    std::vector<int64_t> ties(static_cast<size_t>(m.out_count), 0);
    for (int64_t i = 0; i < n; ++i) ties[slot(i)] += px[i] == py[slot(i)];
    for (int64_t i = 0; i < n; ++i)
      out[i] = px[i] == py[slot(i)] ? pg[slot(i)] / static_cast<float>(ties[slot(i)]) : 0.f;
    return gx;
  }
  if (k == Reduce::prod) {
    // The product of the group's other elements: y / x unless x is zero, so count zeros and
    // keep the product of the non-zero elements per group.
    std::vector<int64_t> zeros(static_cast<size_t>(m.out_count), 0);
    std::vector<double> nonzero_prod(static_cast<size_t>(m.out_count), 1.0);
    for (int64_t i = 0; i < n; ++i) {
      if (px[i] == 0.f)
        ++zeros[slot(i)];
      else
        nonzero_prod[slot(i)] *= px[i];
    }
    for (int64_t i = 0; i < n; ++i) {
      const size_t o = slot(i);
      double others = 0;
      if (zeros[o] == 0) others = nonzero_prod[o] / px[i];
      else if (zeros[o] == 1 && px[i] == 0.f) others = nonzero_prod[o];
      out[i] = static_cast<float>(pg[o] * others);
    }
    return gx;
  }
  for (int64_t i = 0; i < n; ++i) {
    const size_t o = slot(i);
    const float g = pg[o], v = px[i];
    float d = 1.f;
    switch (k) {
      case Reduce::sum: d = 1.f; break;
      case Reduce::mean: d = 1.f / static_cast<float>(m.group); break;
      case Reduce::l1: d = v > 0.f ? 1.f : (v < 0.f ? -1.f : 0.f); break;
      case Reduce::l2: d = py[o] == 0.f ? 0.f : v / py[o]; break;
      case Reduce::sum_square: d = 2.f * v; break;
      case Reduce::log_sum: d = std::exp(-py[o]); break;
      case Reduce::log_sum_exp: d = std::exp(v - py[o]); break;
      default: break;
    }
    out[i] = g * d;
  }
  return gx;
}

class ReduceOp final : public Op {
 public:
  ReduceOp(std::string_view name, Reduce kind) : name_(name), kind_(kind) {}
  std::string_view name() const override { return name_; }

  void infer(InferContext& ctx) const override {
    PRUNQ_CHECK(ctx.has(0), node_desc(ctx.node), ": needs a data input");
    const TensorType& x = ctx.inputs[0];
    check_dtype(x.dtype, ctx.node);
    if (!x.rank_known) {
      ctx.outputs[0] = TensorType{x.dtype, {}, false};
      return;
    }
    const bool present = ctx.has(1);
    if (present && !ctx.constants[1]) {
      ctx.outputs[0] = axes_known_only_at_run_time(ctx.node, x, ctx.inputs[1]);
      return;
    }
    const ReduceAxes ax = axes_for(ctx.node, present ? ctx.constants[1] : nullptr, present,
                                   static_cast<int64_t>(x.shape.size()));
    ctx.outputs[0] = TensorType{x.dtype, ax.noop ? x.shape : reduced_shape(x.shape, ax, keepdims(ctx.node)), true};
  }

  void forward(ForwardContext& ctx) const override {
    const Tensor x = ctx.in(0).contiguous();
    check_dtype(x.dtype(), ctx.node);
    const ReduceAxes ax = axes_for(ctx.node, ctx.has(1) ? ctx.inputs[1] : nullptr, ctx.has(1), x.rank());
    if (ax.noop) {
      ctx.outputs[0] = x;
      return;
    }
    const ReduceMap m = make_reduce_map(x.shape(), ax);
    const Shape out_shape = reduced_shape(x.shape(), ax, keepdims(ctx.node));
    switch (x.dtype()) {
      case DType::f32: ctx.outputs[0] = reduce_forward<float>(kind_, x, m, out_shape); break;
      case DType::i32: ctx.outputs[0] = reduce_forward<int32_t>(kind_, x, m, out_shape); break;
      default: ctx.outputs[0] = reduce_forward<int64_t>(kind_, x, m, out_shape); break;
    }
  }

  bool has_backward() const override { return true; }
  bool input_differentiable(size_t i) const override { return i == 0; }

  void backward(BackwardContext& ctx) const override {
    if (!ctx.need_grad[0]) return;
    const Tensor x = require_f32(ctx.in(0), ctx.node, "data");
    const ReduceAxes ax = axes_for(ctx.node, ctx.inputs.size() > 1 ? ctx.inputs[1] : nullptr,
                                   ctx.inputs.size() > 1 && ctx.inputs[1], x.rank());
    const Tensor y = ctx.outputs[0]->contiguous();
    const Tensor gy = grad_output_or_zeros(ctx, 0, y.shape());
    if (ax.noop) {
      ctx.grad_inputs[0] = gy;
      return;
    }
    ctx.grad_inputs[0] = reduce_backward(kind_, x, y, gy, make_reduce_map(x.shape(), ax));
  }

 private:
  bool axes_from_input() const { return kind_ == Reduce::sum; }
  // ReduceSum's axes fed at run time: how many there are (the axes tensor's length) fixes the
  // output rank, not which dims shrink, so every dim is unknown (-1) -- unless there are none,
  // which reduces everything (or nothing, with noop_with_empty_axes).
  TensorType axes_known_only_at_run_time(const Node& node, const TensorType& x, const TensorType& axes) const {
    PRUNQ_CHECK(axes.dtype == DType::i64 || axes.dtype == DType::i32, node_desc(node), ": axes must be integers, got ",
                axes.str());
    PRUNQ_CHECK(!axes.rank_known || axes.shape.size() <= 1, node_desc(node), ": axes must be 1-D, got ", axes.str());
    const int64_t n_axes = axes.rank_known ? (axes.shape.empty() ? 1 : axes.shape[0]) : -1;
    const auto rank = static_cast<int64_t>(x.shape.size());
    if (n_axes == 0) {
      const ReduceAxes ax = reduce_axes(node, true, nullptr, false, rank);
      return TensorType{x.dtype, ax.noop ? x.shape : reduced_shape(x.shape, ax, keepdims(node)), true};
    }
    if (keepdims(node)) return TensorType{x.dtype, Shape(static_cast<size_t>(rank), -1), true};
    if (n_axes < 0) return TensorType{x.dtype, {}, false};
    PRUNQ_CHECK(n_axes <= rank, node_desc(node), ": ", n_axes, " axes for an input of rank ", rank);
    return TensorType{x.dtype, Shape(static_cast<size_t>(rank - n_axes), -1), true};
  }
  static bool keepdims(const Node& node) { return node.attrs.get_int("keepdims", 1) != 0; }
  ReduceAxes axes_for(const Node& node, const Tensor* axes, bool present, int64_t rank) const {
    PRUNQ_CHECK(axes_from_input() || !present, node_desc(node),
                ": takes its axes as an attribute (opset 13-17), not as a second input");
    PRUNQ_CHECK(!axes_from_input() || !node.attrs.has("axes"), node_desc(node),
                ": takes its axes as the second input (opset 13+), not as an attribute");
    return reduce_axes(node, axes_from_input(), axes, present, rank);
  }
  void check_dtype(DType t, const Node& node) const {
    const bool ok = t == DType::f32 || (integer_capable(kind_) && (t == DType::i32 || t == DType::i64));
    PRUNQ_CHECK(ok, node_desc(node), ": supports ", integer_capable(kind_) ? "f32, i32 and i64" : "f32",
                " inputs, got ", dtype_name(t));
  }
  std::string_view name_;
  Reduce kind_;
};

}  // namespace

#define PRUNQ_DEFINE_REDUCE(Name, kind)      \
  const Op& op_##Name() {                    \
    static const ReduceOp op(#Name, kind);   \
    return op;                               \
  }
PRUNQ_DEFINE_REDUCE(ReduceSum, Reduce::sum)
PRUNQ_DEFINE_REDUCE(ReduceMean, Reduce::mean)
PRUNQ_DEFINE_REDUCE(ReduceMax, Reduce::max)
PRUNQ_DEFINE_REDUCE(ReduceMin, Reduce::min)
PRUNQ_DEFINE_REDUCE(ReduceProd, Reduce::prod)
PRUNQ_DEFINE_REDUCE(ReduceL1, Reduce::l1)
PRUNQ_DEFINE_REDUCE(ReduceL2, Reduce::l2)
PRUNQ_DEFINE_REDUCE(ReduceSumSquare, Reduce::sum_square)
PRUNQ_DEFINE_REDUCE(ReduceLogSum, Reduce::log_sum)
PRUNQ_DEFINE_REDUCE(ReduceLogSumExp, Reduce::log_sum_exp)
#undef PRUNQ_DEFINE_REDUCE

}  // namespace prunq
