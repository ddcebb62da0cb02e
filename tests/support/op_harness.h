// The one op-test harness: runs a single op straight through its Op interface (no executor),
// checks shape inference against the real outputs, and checks backward against central finite
// differences. Every op test uses it, so every op gets the same gradient scrutiny.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "graph/graph.h"
#include "ops/op.h"

namespace prunq::testing {

struct OpCase {
  std::string op;
  Attributes attrs;
  std::vector<Tensor> inputs;  // an undefined Tensor marks an omitted optional input
  int num_outputs = 1;
  bool training = false;
};

inline Tensor random_tensor(Shape shape, uint64_t seed, float lo = -1.f, float hi = 1.f) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  Tensor t(DType::f32, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t.f32()[i] = d(rng);
  return t;
}

inline Node make_node(const OpCase& c) {
  Node n;
  n.op = c.op;
  n.name = "test_" + c.op;
  n.attrs = c.attrs;
  for (size_t i = 0; i < c.inputs.size(); ++i) n.inputs.push_back(c.inputs[i].defined() ? ValueId(i) : kNoValue);
  for (int i = 0; i < c.num_outputs; ++i) n.outputs.push_back(ValueId(c.inputs.size() + size_t(i)));
  return n;
}

// Runs shape inference (inputs given as constants too) and returns the inferred output types.
inline std::vector<TensorType> infer_types(const OpCase& c) {
  Node n = make_node(c);
  const Op& op = get_op(n);
  InferContext ictx{n, {}, {}, {}, {}};
  for (const Tensor& t : c.inputs) {
    ictx.inputs.push_back(t.defined() ? TensorType{t.dtype(), t.shape(), true, t.quant()} : TensorType{});
    ictx.present.push_back(t.defined());
    ictx.constants.push_back(t.defined() ? &t : nullptr);
  }
  ictx.outputs.resize(size_t(c.num_outputs));
  op.infer(ictx);
  return ictx.outputs;
}

// Forward through the op, with a fresh RNG of a fixed seed (so Dropout masks repeat).
inline std::vector<Tensor> run_forward(const OpCase& c, NodeState* state_out = nullptr, uint64_t seed = 7) {
  Node n = make_node(c);
  const Op& op = get_op(n);
  NodeState local;
  NodeState& st = state_out ? *state_out : local;
  std::mt19937_64 rng(seed);
  ForwardContext ctx{n, {}, {}, c.training, st, rng};
  for (const Tensor& t : c.inputs) ctx.inputs.push_back(t.defined() ? &t : nullptr);
  ctx.outputs.resize(size_t(c.num_outputs));
  op.forward(ctx);
  // Shape inference must agree with what forward produced, quantization parameters included.
  std::vector<TensorType> types = infer_types(c);
  for (size_t i = 0; i < ctx.outputs.size(); ++i) {
    if (!ctx.outputs[i].defined()) continue;
    EXPECT_EQ(types[i].dtype, ctx.outputs[i].dtype()) << c.op << " output " << i;
    if (types[i].quant)
      EXPECT_TRUE(same_quant(types[i].quant, ctx.outputs[i].quant()))
          << c.op << " output " << i << ": inferred " << types[i].str() << ", forward gave ("
          << quant_str(ctx.outputs[i].quant()) << ")";
    if (types[i].rank_known) {
      EXPECT_EQ(types[i].shape, ctx.outputs[i].shape()) << c.op << " output " << i << ": inferred "
                                                        << types[i].str() << " vs " << ctx.outputs[i].desc();
    }
  }
  return ctx.outputs;
}

inline double weighted_sum(const std::vector<Tensor>& outs, const std::vector<Tensor>& weights) {
  double s = 0;
  for (size_t o = 0; o < outs.size(); ++o) {
    if (!weights[o].defined() || !outs[o].defined()) continue;
    Tensor out = outs[o].contiguous();
    for (int64_t i = 0; i < out.numel(); ++i) s += double(out.f32()[i]) * weights[o].f32()[i];
  }
  return s;
}

// Checks backward against central differences of L = sum_o <w_o, out_o> for random w_o.
// wrt: inputs to check (empty = every present f32 input the op calls differentiable).
// grad_outputs_used: which outputs get a gradient (empty = output 0 only).
inline void check_gradients(const OpCase& c, std::vector<size_t> wrt = {}, double eps = 1e-2,
                            double atol = 2e-2, double rtol = 2e-2, std::vector<size_t> grad_outputs_used = {}) {
  Node n = make_node(c);
  const Op& op = get_op(n);
  ASSERT_TRUE(op.has_backward()) << c.op << " has no backward rule";
  if (wrt.empty())
    for (size_t i = 0; i < c.inputs.size(); ++i)
      if (c.inputs[i].defined() && c.inputs[i].dtype() == DType::f32 && op.input_differentiable(i)) wrt.push_back(i);
  if (grad_outputs_used.empty()) grad_outputs_used = {0};

  NodeState st;
  std::vector<Tensor> outs = run_forward(c, &st);
  std::vector<Tensor> w(outs.size());
  for (size_t o : grad_outputs_used) w[o] = random_tensor(outs[o].shape(), 1000 + o);

  BackwardContext b{n, {}, {}, {}, {}, {}, st};
  for (const Tensor& t : c.inputs) b.inputs.push_back(t.defined() ? &t : nullptr);
  for (const Tensor& t : outs) b.outputs.push_back(&t);
  for (size_t o = 0; o < outs.size(); ++o) b.grad_outputs.push_back(w[o].defined() ? &w[o] : nullptr);
  b.need_grad.assign(c.inputs.size(), false);
  for (size_t i : wrt) b.need_grad[i] = true;
  b.grad_inputs.resize(c.inputs.size());
  op.backward(b);

  for (size_t i : wrt) {
    ASSERT_TRUE(b.grad_inputs[i].defined()) << c.op << ": no gradient for input " << i;
    ASSERT_EQ(b.grad_inputs[i].shape(), c.inputs[i].shape()) << c.op << ": gradient shape of input " << i;
    Tensor analytic = b.grad_inputs[i].contiguous();
    for (int64_t k = 0; k < c.inputs[i].numel(); ++k) {
      OpCase plus = c, minus = c;
      plus.inputs[i] = c.inputs[i].clone();
      minus.inputs[i] = c.inputs[i].clone();
      plus.inputs[i].f32()[k] += float(eps);
      minus.inputs[i].f32()[k] -= float(eps);
      double numeric = (weighted_sum(run_forward(plus), w) - weighted_sum(run_forward(minus), w)) / (2 * eps);
      double got = analytic.f32()[k];
      EXPECT_NEAR(got, numeric, atol + rtol * std::fabs(numeric))
          << c.op << ": d/d input " << i << " element " << k;
    }
  }
}

}  // namespace prunq::testing
