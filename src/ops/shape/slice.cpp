// Slice (opset 10+): starts, ends and optional axes and steps as int64 inputs 1-4 (opset < 10
// models carry starts/ends/axes attributes, used when the inputs are absent). Per axis, negative
// starts/ends count from the end and are clamped as ONNX specifies (INT64_MAX means "to the end";
// negative steps walk backwards). Any dtype. The result is a strided walk of the input, so
// forward gathers along it and backward scatters the gradient back (slices never overlap).
#include <algorithm>
#include <cstring>

#include "ops/elementwise/pointwise.h"
#include "ops/shape/shape_util.h"

namespace prunq {
namespace {

struct SliceArgs {
  std::vector<int64_t> starts, ends, axes, steps;
};

// Reads the slice arguments from inputs 1-4 (nullptr = absent) or the opset < 10 attributes.
SliceArgs read_args(const Node& node, size_t rank, const Tensor* starts, const Tensor* ends, const Tensor* axes,
                    const Tensor* steps) {
  SliceArgs a;
  if (starts || ends) {
    PRUNQ_CHECK(starts && ends, node_desc(node), ": needs both starts and ends");
    a.starts = read_int_list(*starts, node, "starts");
    a.ends = read_int_list(*ends, node, "ends");
    if (axes) a.axes = read_int_list(*axes, node, "axes");
    if (steps) a.steps = read_int_list(*steps, node, "steps");
  } else {
    PRUNQ_CHECK(node.attrs.has("starts") && node.attrs.has("ends"), node_desc(node), ": starts and ends are required");
    a.starts = node.attrs.get_ints("starts");
    a.ends = node.attrs.get_ints("ends");
    a.axes = node.attrs.get_ints("axes");
  }
  const size_t k = a.starts.size();
  PRUNQ_CHECK(a.ends.size() == k, node_desc(node), ": starts and ends differ in length");
  if (a.axes.empty())
    for (size_t i = 0; i < k; ++i) a.axes.push_back(int64_t(i));
  if (a.steps.empty()) a.steps.assign(k, 1);
  PRUNQ_CHECK(a.axes.size() == k && a.steps.size() == k, node_desc(node), ": starts, ends, axes and steps differ in length");
  normalize_axes(a.axes, int64_t(rank), node);  // range and duplicate checks; a.axes keeps its order
  for (int64_t& ax : a.axes) ax = normalize_axis(ax, int64_t(rank), node);
  for (int64_t s : a.steps) PRUNQ_CHECK(s != 0, node_desc(node), ": steps must not be 0");
  return a;
}

struct AxisSlice {
  int64_t start = 0, step = 1, len = 0;
};

// ONNX clamping of one axis of size n.
AxisSlice slice_axis(int64_t n, int64_t start, int64_t end, int64_t step) {
  auto wrap = [n](int64_t v) { return v < 0 ? v + n : v; };  // cannot overflow: v < 0 <= n
  start = wrap(start);
  end = wrap(end);
  // A step beyond the axis length selects at most one element either way; clamping it keeps
  // step * stride from overflowing.
  const int64_t max_step = std::max<int64_t>(n, 1);
  step = std::clamp(step, -max_step, max_step);
  AxisSlice s;
  s.step = step;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, n);
    end = std::clamp<int64_t>(end, 0, n);
    s.len = end > start ? (end - start + step - 1) / step : 0;
  } else {
    start = std::clamp<int64_t>(start, 0, n - 1);
    end = std::clamp<int64_t>(end, -1, n - 1);
    s.len = start > end ? (start - end - step - 1) / (-step) : 0;
  }
  s.start = start;
  return s;
}

// The walk: output shape, input offset of output element 0 and input stride per output dim.
struct SliceWalk {
  Shape out_shape;
  int64_t base = 0;
  std::vector<int64_t> strides;
};

SliceWalk plan_slice(const Shape& in, const SliceArgs& a) {
  std::vector<AxisSlice> per(in.size());
  for (size_t d = 0; d < in.size(); ++d) per[d] = {0, 1, in[d]};
  for (size_t i = 0; i < a.axes.size(); ++i) {
    size_t d = size_t(a.axes[i]);
    per[d] = slice_axis(in[d], a.starts[i], a.ends[i], a.steps[i]);
  }
  Shape st = contiguous_strides(in);
  SliceWalk w;
  for (size_t d = 0; d < in.size(); ++d) {
    w.out_shape.push_back(per[d].len);
    w.base += per[d].start * st[d];
    w.strides.push_back(per[d].step * st[d]);
  }
  return w;
}

// fn(out_offset, in_offset, count, in_stride) for every run along the last dim.
template <class F>
void for_each_run(const SliceWalk& w, F&& fn) {
  const size_t r = w.out_shape.size();
  if (shape_numel(w.out_shape) == 0) return;
  if (r == 0) {
    fn(0, w.base, 1, 1);
    return;
  }
  const int64_t last = w.out_shape[r - 1];
  int64_t rows = 1;
  for (size_t d = 0; d + 1 < r; ++d) rows *= w.out_shape[d];
  for (int64_t row = 0; row < rows; ++row) {
    int64_t rem = row, off = w.base;
    for (size_t d = r - 1; d-- > 0;) {
      off += (rem % w.out_shape[d]) * w.strides[d];
      rem /= w.out_shape[d];
    }
    fn(row * last, off, last, w.strides[r - 1]);
  }
}

template <class T>
void gather_runs(const SliceWalk& w, const T* in, T* out) {
  for_each_run(w, [&](int64_t o, int64_t i, int64_t n, int64_t s) {
    if (s == 1) std::memcpy(out + o, in + i, size_t(n) * sizeof(T));
    else for (int64_t k = 0; k < n; ++k) out[o + k] = in[i + k * s];
  });
}

class SliceOp final : public Op {
 public:
  std::string_view name() const override { return "Slice"; }
  bool input_differentiable(size_t i) const override { return i == 0; }

  void infer(InferContext& ctx) const override {
    infer_like_input(ctx, /*float_only=*/false);
    const TensorType& x = ctx.inputs[0];
    if (!x.rank_known) return;
    auto input = [&](size_t i) { return ctx.has(i) && i < ctx.constants.size() ? ctx.constants[i] : nullptr; };
    bool runtime = false;
    for (size_t i = 1; i <= 4; ++i) runtime = runtime || (ctx.has(i) && !input(i));
    if (runtime) {  // arguments computed at run time: only the rank is known
      ctx.outputs[0].shape.assign(x.shape.size(), -1);
      return;
    }
    SliceArgs a = read_args(ctx.node, x.shape.size(), input(1), input(2), input(3), input(4));
    Shape& out = ctx.outputs[0].shape;
    for (size_t i = 0; i < a.axes.size(); ++i) {
      size_t d = size_t(a.axes[i]);
      out[d] = x.shape[d] < 0 ? -1 : slice_axis(x.shape[d], a.starts[i], a.ends[i], a.steps[i]).len;
    }
  }

  void forward(ForwardContext& ctx) const override {
    Tensor x = ctx.in(0).contiguous();
    auto input = [&](size_t i) { return ctx.has(i) ? ctx.inputs[i] : nullptr; };
    SliceArgs a = read_args(ctx.node, x.shape().size(), input(1), input(2), input(3), input(4));
    SliceWalk w = plan_slice(x.shape(), a);
    Tensor out(x.dtype(), w.out_shape);
    switch (dtype_size(x.dtype())) {
      case 1: gather_runs(w, static_cast<const uint8_t*>(x.raw()), static_cast<uint8_t*>(out.raw())); break;
      case 2: gather_runs(w, static_cast<const uint16_t*>(x.raw()), static_cast<uint16_t*>(out.raw())); break;
      case 4: gather_runs(w, static_cast<const uint32_t*>(x.raw()), static_cast<uint32_t*>(out.raw())); break;
      default: gather_runs(w, static_cast<const uint64_t*>(x.raw()), static_cast<uint64_t*>(out.raw())); break;
    }
    ctx.outputs[0] = out;
  }

  bool has_backward() const override { return true; }

  void backward(BackwardContext& ctx) const override {
    if (!ctx.need_grad[0]) return;
    const Tensor& x = ctx.in(0);
    auto input = [&](size_t i) { return i < ctx.inputs.size() ? ctx.inputs[i] : nullptr; };
    SliceArgs a = read_args(ctx.node, x.shape().size(), input(1), input(2), input(3), input(4));
    SliceWalk w = plan_slice(x.shape(), a);
    Tensor gy = grad_output_or_zeros(ctx, 0, w.out_shape);
    Tensor gx = Tensor::zeros(DType::f32, x.shape());
    const float* g = gy.f32();
    float* o = gx.f32();
    for_each_run(w, [&](int64_t out_off, int64_t in_off, int64_t n, int64_t s) {
      for (int64_t k = 0; k < n; ++k) o[in_off + k * s] = g[out_off + k];
    });
    ctx.grad_inputs[0] = gx;
  }
};

}  // namespace

const Op& op_Slice() {
  static const SliceOp op;
  return op;
}

}  // namespace prunq
