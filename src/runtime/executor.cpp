#include "runtime/executor.h"

#include <algorithm>
#include <sstream>

#include "graph/shape_inference.h"
#include "graph/verifier.h"
#include "runtime/autodiff.h"
#include "runtime/execution_state.h"

namespace prunq {

struct Executor::Impl {
  ExecutionState st;
  std::mt19937_64 rng;
  // release_after[k]: values whose last reader is order_[k] (inference mode drops them there).
  std::vector<std::vector<ValueId>> release_after;
};

namespace {

bool dims_match(const TensorType& declared, const Shape& given) {
  if (!declared.rank_known) return true;
  if (declared.shape.size() != given.size()) return false;
  for (size_t d = 0; d < given.size(); ++d)
    if (declared.shape[d] >= 0 && declared.shape[d] != given[d]) return false;
  return true;
}

// Catches ops whose shape inference disagrees with what they compute: downstream planning
// (memory, stats, exporters) trusts the inferred types. The type decides about quantization: an
// op that hands its input's storage on to a plain output (Pad with no padding, a no-op Cast) has
// the parameters dropped here; an output the type says is quantized must carry exactly those.
void check_output(const Node& node, size_t o, Tensor& t, const TensorType& inferred) {
  PRUNQ_CHECK(t.dtype() == inferred.dtype && dims_match(inferred, t.shape()), "node '", node.name, "' (", node.op,
              "): output ", o, " is ", t.desc(), " but shape inference said ", inferred.str());
  if (!inferred.quant) {
    if (t.quantized()) t = t.with_quant(nullptr);
    return;
  }
  PRUNQ_CHECK(same_quant(t.quant(), inferred.quant), "node '", node.name, "' (", node.op, "): output ", o,
              " has quantization (", t.quantized() ? t.quant()->str() : "none", ") but shape inference said (",
              inferred.quant->str(), ")");
}

}  // namespace

Executor::Executor(const Graph& graph, uint64_t seed) : graph_(graph), impl_(std::make_shared<Impl>()) {
  verify_graph(graph);
  Impl& im = *impl_;
  im.st.types = compute_value_types(graph);
  order_ = graph.topo_order();
  const size_t nn = graph.nodes().size(), nv = static_cast<size_t>(graph.num_values());
  im.st.ops.resize(nn);
  for (NodeId id = 0; id < static_cast<NodeId>(nn); ++id) im.st.ops[static_cast<size_t>(id)] = &get_op(graph.node(id));
  im.st.node_states.resize(nn);
  im.st.values.resize(nv);
  im.rng.seed(seed);

  // Last reader of each value; graph outputs and initializers are never released.
  std::vector<int> last_use(nv, -1);
  std::vector<char> pinned(nv, 0);
  for (ValueId v : graph.outputs()) pinned[static_cast<size_t>(v)] = 1;
  for (const auto& [v, init] : graph.initializers()) pinned[static_cast<size_t>(v)] = 1;
  for (size_t k = 0; k < order_.size(); ++k) {
    const Node& node = graph.node(order_[k]);
    for (ValueId v : node.inputs)
      if (v != kNoValue) last_use[static_cast<size_t>(v)] = static_cast<int>(k);
    for (ValueId v : node.outputs) last_use[static_cast<size_t>(v)] = std::max(last_use[static_cast<size_t>(v)], static_cast<int>(k));
  }
  im.release_after.resize(order_.size());
  for (size_t v = 0; v < nv; ++v)
    if (!pinned[v] && last_use[v] >= 0) im.release_after[static_cast<size_t>(last_use[v])].push_back(static_cast<ValueId>(v));
}

std::vector<Tensor> Executor::run(const std::vector<Tensor>& inputs, bool training) {
  Impl& im = *impl_;
  ExecutionState& st = im.st;
  const auto& graph_inputs = graph_.inputs();
  PRUNQ_CHECK(inputs.size() == graph_inputs.size(), "graph '", graph_.name, "' takes ", graph_inputs.size(),
              " inputs, given ", inputs.size());
  st.training_values_ready = false;
  for (Tensor& t : st.values) t = Tensor();
  st.grads.clear();
  for (size_t i = 0; i < inputs.size(); ++i) {
    ValueId v = graph_inputs[i];
    const TensorType& declared = st.types[static_cast<size_t>(v)];
    const std::string& name = graph_.value(v).name;
    PRUNQ_CHECK(inputs[i].defined(), "input '", name, "': expected ", declared.str(), ", given an undefined tensor");
    PRUNQ_CHECK(inputs[i].dtype() == declared.dtype && dims_match(declared, inputs[i].shape()), "input '", name,
                "': expected ", declared.str(), ", given ", inputs[i].desc());
    Tensor given = inputs[i].contiguous();
    // A quantized input is read with its declared parameters; a tensor that brings other ones
    // means something else and is refused.
    if (declared.quant) {
      PRUNQ_CHECK(!given.quantized() || same_quant(given.quant(), declared.quant), "input '", name, "': expected ",
                  declared.str(), ", given a tensor quantized as (", quant_str(given.quant()), ")");
      given = given.with_quant(declared.quant);
    } else if (given.quantized()) {
      given = given.with_quant(nullptr);
    }
    st.values[static_cast<size_t>(v)] = std::move(given);
  }
  // Initializers are re-read on every run: an optimiser may have replaced or updated them.
  for (const auto& [v, init] : graph_.initializers()) st.values[static_cast<size_t>(v)] = init.data;

  for (size_t k = 0; k < order_.size(); ++k) {
    const NodeId id = order_[k];
    const Node& node = graph_.node(id);
    NodeState& ns = st.node_states[static_cast<size_t>(id)];
    ns.saved.clear();
    ForwardContext ctx{node, {}, {}, training, ns, im.rng};
    for (ValueId v : node.inputs) {
      const Tensor* t = v == kNoValue ? nullptr : &st.values[static_cast<size_t>(v)];
      PRUNQ_CHECK(!t || t->defined(), "node '", node.name, "' (", node.op, "): input '", graph_.value(v).name,
                  "' has no value (an optional output its producer did not compute)");
      ctx.inputs.push_back(t);
    }
    ctx.outputs.resize(node.outputs.size());
    try {
      st.ops[static_cast<size_t>(id)]->forward(ctx);
    } catch (const Error& e) {
      fail("running node '", node.name, "' (", node.op, "): ", e.what());
    }
    PRUNQ_CHECK(ctx.outputs.size() == node.outputs.size(), "node '", node.name, "' (", node.op, "): produced ",
                ctx.outputs.size(), " outputs, expected ", node.outputs.size());
    for (size_t o = 0; o < node.outputs.size(); ++o) {
      ValueId v = node.outputs[o];
      if (ctx.outputs[o].defined()) check_output(node, o, ctx.outputs[o], st.types[static_cast<size_t>(v)]);
      st.values[static_cast<size_t>(v)] = std::move(ctx.outputs[o]);
    }
    if (!training)
      for (ValueId v : im.release_after[k]) st.values[static_cast<size_t>(v)] = Tensor();
  }

  std::vector<Tensor> outs;
  for (ValueId v : graph_.outputs()) {
    const Tensor& t = st.values[static_cast<size_t>(v)];
    PRUNQ_CHECK(t.defined(), "graph output '", graph_.value(v).name, "' was not computed");
    outs.push_back(t);
  }
  st.training_values_ready = training;
  return outs;
}

const Tensor& Executor::value(ValueId v) const {
  graph_.value(v);  // range check with a named error
  const Tensor& t = impl_->st.values[static_cast<size_t>(v)];
  PRUNQ_CHECK(t.defined(), "value '", graph_.value(v).name,
              "' is not available: run() first, in training mode to keep intermediate values");
  return t;
}

std::map<ValueId, Tensor> Executor::backward(ValueId loss, const std::vector<ValueId>& wrt) {
  return backpropagate(graph_, order_, impl_->st, loss, wrt);
}

const Tensor* Executor::grad(ValueId v) const {
  graph_.value(v);
  const auto& grads = impl_->st.grads;
  if (static_cast<size_t>(v) >= grads.size() || !grads[static_cast<size_t>(v)].defined()) return nullptr;
  return &grads[static_cast<size_t>(v)];
}

}  // namespace prunq
