#include "runtime/autodiff.h"

#include <string>

namespace prunq {
namespace {

bool is_f32(const Tensor& t) { return t.defined() && t.dtype() == DType::f32; }

// Sums gradient contributions. The first contribution is stored as is (it may share storage with
// a tensor an op returned, e.g. Add passing its output gradient through), so it is copied before
// the first in-place addition; `owned` records that the copy happened.
void accumulate(Tensor& slot, char& owned, const Tensor& contribution) {
  Tensor g = contribution.contiguous();
  if (!slot.defined()) {
    slot = g;
    owned = 0;
    return;
  }
  if (!owned) {
    slot = slot.clone();
    owned = 1;
  }
  float* dst = slot.f32();
  const float* src = g.f32();
  for (int64_t i = 0, n = slot.numel(); i < n; ++i) dst[i] += src[i];
}

std::string value_name(const Graph& g, ValueId v) { return "'" + g.value(v).name + "'"; }

}  // namespace

std::map<ValueId, Tensor> backpropagate(const Graph& graph, const std::vector<NodeId>& order, ExecutionState& st,
                                        ValueId loss, const std::vector<ValueId>& wrt) {
  graph.value(loss);  // range check with a named error
  PRUNQ_CHECK(st.training_values_ready,
              "backward: run the graph in training mode first (inference mode frees the activations)");
  const Tensor& loss_value = st.values[static_cast<size_t>(loss)];
  PRUNQ_CHECK(is_f32(loss_value) && loss_value.numel() == 1, "backward: loss ", value_name(graph, loss),
              " must be a single f32 element, got ", loss_value.desc());
  const size_t nv = static_cast<size_t>(graph.num_values());

  // Values that depend on a differentiable source through differentiable edges...
  std::vector<char> from_source(nv, 0), keep(nv, 0);
  // A quantized value holds integers on a grid: it has no gradient. Asking for one (or marking a
  // quantized initializer trainable) is a named error, never a silent zero.
  for (const auto& [v, init] : graph.initializers()) {
    PRUNQ_CHECK(!(init.trainable && init.data.quantized()), "backward: initializer ", value_name(graph, v),
                " is marked trainable but is quantized (", init.data.desc(), ", ", init.data.quant()->str(),
                "); quantized values have no gradient: train the f32 weights and quantize after");
    if (init.trainable && is_f32(init.data)) from_source[static_cast<size_t>(v)] = keep[static_cast<size_t>(v)] = 1;
  }
  for (ValueId v : wrt) {
    graph.value(v);
    const Tensor& t = st.values[static_cast<size_t>(v)];
    PRUNQ_CHECK(!t.quantized(), "backward: gradient requested for ", value_name(graph, v), ", which is quantized (",
                t.desc(), ", ", t.quantized() ? t.quant()->str() : "", "); quantized values have no gradient");
    PRUNQ_CHECK(is_f32(t), "backward: gradient requested for ", value_name(graph, v),
                ", which is not an f32 tensor of the last run");
    from_source[static_cast<size_t>(v)] = keep[static_cast<size_t>(v)] = 1;
  }
  keep[static_cast<size_t>(loss)] = 1;
  for (NodeId id : order) {
    const Node& node = graph.node(id);
    const Op* op = st.ops[static_cast<size_t>(id)];
    bool reached = false;
    for (size_t i = 0; i < node.inputs.size(); ++i)
      reached |= node.inputs[i] != kNoValue && from_source[static_cast<size_t>(node.inputs[i])] &&
                 op->input_differentiable(i);
    if (reached)
      for (ValueId v : node.outputs)
        if (is_f32(st.values[static_cast<size_t>(v)])) from_source[static_cast<size_t>(v)] = 1;
  }
  // ...and values the loss depends on. Differentiate exactly where both hold.
  std::vector<char> to_loss(nv, 0);
  to_loss[static_cast<size_t>(loss)] = 1;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const Node& node = graph.node(*it);
    const Op* op = st.ops[static_cast<size_t>(*it)];
    bool feeds_loss = false;
    for (ValueId v : node.outputs) feeds_loss |= to_loss[static_cast<size_t>(v)] != 0;
    if (!feeds_loss) continue;
    for (size_t i = 0; i < node.inputs.size(); ++i)
      if (node.inputs[i] != kNoValue && op->input_differentiable(i)) to_loss[static_cast<size_t>(node.inputs[i])] = 1;
  }
  auto active = [&](ValueId v) { return from_source[static_cast<size_t>(v)] && to_loss[static_cast<size_t>(v)]; };

  st.grads.assign(nv, Tensor());
  std::vector<char> owned(nv, 0);
  st.grads[static_cast<size_t>(loss)] = Tensor::full(loss_value.shape(), 1.0f);
  owned[static_cast<size_t>(loss)] = 1;

  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const NodeId id = *it;
    const Node& node = graph.node(id);
    const Op* op = st.ops[static_cast<size_t>(id)];
    bool has_grad_out = false;
    for (ValueId v : node.outputs) has_grad_out |= st.grads[static_cast<size_t>(v)].defined();
    if (!has_grad_out) continue;

    std::vector<bool> need(node.inputs.size(), false);
    ValueId first_needed = kNoValue;
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      ValueId v = node.inputs[i];
      need[i] = v != kNoValue && active(v) && op->input_differentiable(i);
      if (need[i] && first_needed == kNoValue) first_needed = v;
    }
    if (first_needed != kNoValue) {
      PRUNQ_CHECK(op->has_backward(), "backward: op '", node.op, "' (node '", node.name,
                  "') has no backward rule, but the gradient of ", value_name(graph, loss), " must flow through it to ",
                  value_name(graph, first_needed));
      BackwardContext ctx{node, {}, {}, {}, need, {}, st.node_states[static_cast<size_t>(id)]};
      for (ValueId v : node.inputs) ctx.inputs.push_back(v == kNoValue ? nullptr : &st.values[static_cast<size_t>(v)]);
      for (ValueId v : node.outputs) {
        const Tensor& out = st.values[static_cast<size_t>(v)];
        const Tensor& g = st.grads[static_cast<size_t>(v)];
        ctx.outputs.push_back(out.defined() ? &out : nullptr);
        ctx.grad_outputs.push_back(g.defined() ? &g : nullptr);
      }
      ctx.grad_inputs.resize(node.inputs.size());
      try {
        op->backward(ctx);
      } catch (const Error& e) {
        fail("backward of node '", node.name, "' (", node.op, "): ", e.what());
      }
      for (size_t i = 0; i < node.inputs.size(); ++i) {
        if (!need[i]) continue;
        ValueId v = node.inputs[i];
        const Tensor& g = ctx.grad_inputs[i];
        const Tensor& x = st.values[static_cast<size_t>(v)];
        PRUNQ_CHECK(is_f32(g) && g.shape() == x.shape(), "backward of node '", node.name, "' (", node.op,
                    "): gradient for input ", i, " (", value_name(graph, v), ", ", x.desc(), ") is ", g.desc());
        accumulate(st.grads[static_cast<size_t>(v)], owned[static_cast<size_t>(v)], g);
      }
    }
    // Each value has one producer, so its gradient is complete and consumed now.
    for (ValueId v : node.outputs)
      if (!keep[static_cast<size_t>(v)]) st.grads[static_cast<size_t>(v)] = Tensor();
  }

  std::map<ValueId, Tensor> result;
  for (const auto& [v, init] : graph.initializers())
    if (init.trainable && st.grads[static_cast<size_t>(v)].defined()) result[v] = st.grads[static_cast<size_t>(v)];
  return result;
}

}  // namespace prunq
