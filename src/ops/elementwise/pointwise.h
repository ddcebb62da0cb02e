// Shared machinery of the elementwise float ops: chunked parallel loops over contiguous tensors,
// map helpers for forward and backward, and PointwiseOp, which turns a small functor (value and
// derivative of y = f(x)) into a complete Op. Most activations are a dozen lines on top of it.
#pragma once
#include <string_view>

#include "core/thread_pool.h"
#include "ops/op.h"
#include "ops/shape/shape_util.h"

namespace prunq {

// Below this many elements per chunk, waking another thread costs more than it saves.
inline constexpr int64_t kElementwiseGrain = 1 << 15;

// Runs f(begin, end) over [0, n) in parallel chunks of at least kElementwiseGrain elements.
template <class F>
void parallel_elements(int64_t n, F&& f) {
  parallel_for(n, [&f](int64_t b, int64_t e) { f(b, e); }, kElementwiseGrain);
}

// The op's float input `role` as a contiguous f32 tensor; any other dtype is an Error naming the node.
Tensor require_f32(const Tensor& t, const Node& node, const char* role = "input");

// Shape inference of ops whose single output has the input's dtype and shape; requires f32 when
// float_only. The output gets no quantization parameters: ops that keep them say so themselves.
void infer_like_input(InferContext& ctx, bool float_only = true);

// The incoming gradient of output `i` as a contiguous f32 tensor, or zeros shaped like `like`
// when no gradient reaches that output.
Tensor grad_output_or_zeros(const BackwardContext& ctx, size_t i, const Shape& like);

// Sum of n floats. Sixteen independent float lanes (which GCC vectorises; a single running sum
// is one long dependency chain it may not reorder), combined in double at the end.
double sum_f32(const float* p, int64_t n);

// y[i] = f(x[i]) over a contiguous f32 tensor.
template <class F>
Tensor map_f32(const Tensor& x, F f) {
  Tensor y(DType::f32, x.shape());
  const float* px = x.f32();
  float* py = y.f32();
  parallel_elements(x.numel(), [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const float v = f(px[i]);  // a separate statement keeps GCC's if-conversion (and SIMD) for selects
      py[i] = v;
    }
  });
  return y;
}

// gx[i] = gy[i] * d(x[i], y[i]) where d is dy/dx; all contiguous f32 of one shape.
template <class D>
Tensor chain_f32(const Tensor& x, const Tensor& y, const Tensor& gy, D d) {
  Tensor gx(DType::f32, x.shape());
  const float* px = x.f32();
  const float* py = y.f32();
  const float* pg = gy.f32();
  float* out = gx.f32();
  parallel_elements(x.numel(), [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      // Not `pg[i] * d(...)`: folded into `cond ? pg[i] * c : ...`, the multiply becomes
      // conditional and GCC (trapping math) no longer vectorises the loop: 6x slower.
      const float dv = d(px[i], py[i]);
      out[i] = pg[i] * dv;
    }
  });
  return gx;
}

// Fn is a functor type with
//   static constexpr std::string_view kName;      the ONNX op type
//   explicit Fn(const Node&);                      reads and validates the node's attributes
//   float value(float x) const;                    y = f(x)
//   float derivative(float x, float y) const;      dy/dx, given x and y = f(x)
// Ops with an integer form on top (Relu) derive from it and handle those inputs first.
template <class Fn>
class PointwiseOp : public Op {
 public:
  std::string_view name() const override { return Fn::kName; }
  void infer(InferContext& ctx) const override {
    Fn check(ctx.node);  // attribute errors surface at load time, not at the first run
    (void)check;
    infer_like_input(ctx);
  }
  void forward(ForwardContext& ctx) const override {
    const Fn fn(ctx.node);
    Tensor x = require_f32(ctx.in(0), ctx.node);
    ctx.outputs[0] = map_f32(x, [&fn](float v) { return fn.value(v); });
  }
  bool has_backward() const override { return true; }
  void backward(BackwardContext& ctx) const override {
    if (!ctx.need_grad[0]) return;
    const Fn fn(ctx.node);
    Tensor x = require_f32(ctx.in(0), ctx.node);
    Tensor y = ctx.outputs[0]->contiguous();
    Tensor gy = grad_output_or_zeros(ctx, 0, x.shape());
    ctx.grad_inputs[0] = chain_f32(x, y, gy, [&fn](float xv, float yv) { return fn.derivative(xv, yv); });
  }
};

}  // namespace prunq
