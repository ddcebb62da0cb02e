// Softmax and LogSoftmax (opset 13 semantics): normalise along one axis (default -1).
// The tensor is viewed as [outer, n, inner] with n the axis length; inner == 1 (the usual last
// axis) runs over contiguous rows, otherwise columns are processed inner-wide so memory is still
// read in order. Both subtract the maximum before exp for stability.
// Backward: Softmax gx = y * (gy - sum(gy * y)); LogSoftmax gx = gy - exp(y) * sum(gy).
#include <algorithm>
#include <cmath>
#include <vector>

#include "ops/elementwise/pointwise.h"

namespace prunq {
namespace {

struct AxisView {
  int64_t outer, n, inner;
};

AxisView axis_view(const Node& node, const Shape& s) {
  int64_t axis = normalize_axis(node.attrs.get_int("axis", -1), static_cast<int64_t>(s.size()), node);
  size_t a = static_cast<size_t>(axis);
  return {shape_numel(Shape(s.begin(), s.begin() + a)), s[a], shape_numel(Shape(s.begin() + a + 1, s.end()))};
}

// Runs fn(block_start) for every outer index, in parallel, where block_start = o * n * inner.
template <class F>
void for_each_block(const AxisView& v, F&& fn) {
  int64_t block = std::max<int64_t>(1, v.n * v.inner);
  parallel_for(v.outer, [&](int64_t b, int64_t e) {
    for (int64_t o = b; o < e; ++o) fn(o * v.n * v.inner);
  }, std::max<int64_t>(1, kElementwiseGrain / block));
}

// y over one [n, inner] block; log_output selects LogSoftmax.
void softmax_block(const float* x, float* y, int64_t n, int64_t inner, bool log_output, std::vector<float>& mx,
                   std::vector<float>& sum) {
  mx.assign(static_cast<size_t>(inner), -INFINITY);
  sum.assign(static_cast<size_t>(inner), 0.f);
  for (int64_t k = 0; k < n; ++k)
    for (int64_t j = 0; j < inner; ++j) mx[size_t(j)] = std::max(mx[size_t(j)], x[k * inner + j]);
  for (int64_t k = 0; k < n; ++k)
    for (int64_t j = 0; j < inner; ++j) {
      float e = std::exp(x[k * inner + j] - mx[size_t(j)]);
      sum[size_t(j)] += e;
      if (!log_output) y[k * inner + j] = e;
    }
  if (log_output) {
    for (int64_t j = 0; j < inner; ++j) mx[size_t(j)] += std::log(sum[size_t(j)]);  // log-sum-exp
    for (int64_t k = 0; k < n; ++k)
      for (int64_t j = 0; j < inner; ++j) y[k * inner + j] = x[k * inner + j] - mx[size_t(j)];
  } else {
    for (int64_t j = 0; j < inner; ++j) sum[size_t(j)] = 1.f / sum[size_t(j)];
    for (int64_t k = 0; k < n; ++k)
      for (int64_t j = 0; j < inner; ++j) y[k * inner + j] *= sum[size_t(j)];
  }
}

void softmax_backward_block(const float* y, const float* gy, float* gx, int64_t n, int64_t inner, bool log_output,
                            std::vector<float>& acc) {
  acc.assign(static_cast<size_t>(inner), 0.f);
  if (log_output) {
    for (int64_t k = 0; k < n; ++k)
      for (int64_t j = 0; j < inner; ++j) acc[size_t(j)] += gy[k * inner + j];
    for (int64_t k = 0; k < n; ++k)
      for (int64_t j = 0; j < inner; ++j) gx[k * inner + j] = gy[k * inner + j] - std::exp(y[k * inner + j]) * acc[size_t(j)];
  } else {
    for (int64_t k = 0; k < n; ++k)
      for (int64_t j = 0; j < inner; ++j) acc[size_t(j)] += gy[k * inner + j] * y[k * inner + j];
    for (int64_t k = 0; k < n; ++k)
      for (int64_t j = 0; j < inner; ++j) gx[k * inner + j] = y[k * inner + j] * (gy[k * inner + j] - acc[size_t(j)]);
  }
}

class SoftmaxOp final : public Op {
 public:
  explicit SoftmaxOp(bool log_output) : log_(log_output) {}
  std::string_view name() const override { return log_ ? "LogSoftmax" : "Softmax"; }

  void infer(InferContext& ctx) const override {
    infer_like_input(ctx);
    const TensorType& t = ctx.inputs[0];
    if (t.rank_known)
      normalize_axis(ctx.attrs().get_int("axis", -1), static_cast<int64_t>(t.shape.size()), ctx.node);
  }

  void forward(ForwardContext& ctx) const override {
    Tensor x = require_f32(ctx.in(0), ctx.node);
    AxisView v = axis_view(ctx.node, x.shape());
    Tensor y(DType::f32, x.shape());
    const float* px = x.f32();
    float* py = y.f32();
    for_each_block(v, [&](int64_t start) {
      thread_local std::vector<float> mx, sum;
      softmax_block(px + start, py + start, v.n, v.inner, log_, mx, sum);
    });
    ctx.outputs[0] = y;
  }

  bool has_backward() const override { return true; }

  void backward(BackwardContext& ctx) const override {
    if (!ctx.need_grad[0]) return;
    const Tensor& x = ctx.in(0);
    AxisView v = axis_view(ctx.node, x.shape());
    Tensor y = ctx.outputs[0]->contiguous();
    Tensor gy = grad_output_or_zeros(ctx, 0, x.shape());
    Tensor gx(DType::f32, x.shape());
    const float* py = y.f32();
    const float* pg = gy.f32();
    float* out = gx.f32();
    for_each_block(v, [&](int64_t start) {
      thread_local std::vector<float> acc;
      softmax_backward_block(py + start, pg + start, out + start, v.n, v.inner, log_, acc);
    });
    ctx.grad_inputs[0] = gx;
  }

 private:
  bool log_;
};

}  // namespace

const Op& op_Softmax() {
  static const SoftmaxOp op(false);
  return op;
}

const Op& op_LogSoftmax() {
  static const SoftmaxOp op(true);
  return op;
}

}  // namespace prunq
