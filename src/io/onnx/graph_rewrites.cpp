#include "io/onnx/graph_rewrites.h"

#include <cmath>
#include <set>

#include "ops/op.h"
#include "ops/quant/linear_params.h"

namespace prunq::onnx_io {

namespace {

// Value of a single-element f32 initializer, or NaN.
float scalar_constant(const Graph& g, ValueId v) {
  const Initializer* init = v == kNoValue ? nullptr : g.initializer(v);
  if (!init || init->data.dtype() != DType::f32 || init->data.numel() != 1) return NAN;
  return init->data.contiguous().f32()[0];
}

bool near(float a, float b) { return std::fabs(a - b) <= 1e-4f * std::fabs(b); }

struct GraphView {
  const Graph& g;
  std::vector<NodeId> prod;
  std::vector<std::vector<NodeId>> cons;
  std::set<ValueId> outputs;
  explicit GraphView(const Graph& graph)
      : g(graph), prod(graph.producer_map()), cons(graph.consumer_map()),
        outputs(graph.outputs().begin(), graph.outputs().end()) {}
  // The only consumer of v (v must not be a graph output), or -1.
  NodeId sole_consumer(ValueId v) const {
    if (outputs.count(v) || cons[size_t(v)].size() != 1) return -1;
    return cons[size_t(v)][0];
  }
  const Node* producer(ValueId v) const { return prod[size_t(v)] < 0 ? nullptr : &g.node(prod[size_t(v)]); }
  bool is(NodeId n, const char* op) const { return n >= 0 && g.node(n).op == op && g.node(n).inputs.size() == 2; }
  // For a binary node with inputs {a, b}: the input that is not `known`, or kNoValue.
  static ValueId other(const Node& n, ValueId known) {
    if (n.inputs[0] == known) return n.inputs[1];
    if (n.inputs[1] == known) return n.inputs[0];
    return kNoValue;
  }
  // For a binary node: the non-constant input when the other one is the scalar c.
  ValueId operand_with_scalar(const Node& n, float c) const {
    if (near(scalar_constant(g, n.inputs[1]), c)) return n.inputs[0];
    if (near(scalar_constant(g, n.inputs[0]), c)) return n.inputs[1];
    return kNoValue;
  }
};

struct GeluMatch {
  ValueId x = kNoValue, y = kNoValue;
  std::vector<NodeId> nodes;
};

bool match_gelu(const GraphView& v, NodeId erf_id, GeluMatch& m) {
  const Graph& g = v.g;
  const Node& erf = g.node(erf_id);
  if (erf.inputs.size() != 1 || erf.outputs.size() != 1) return false;
  // x / sqrt(2) or x * (1/sqrt(2)), the scaled value used only by Erf.
  NodeId scale_id = v.prod[size_t(erf.inputs[0])];
  if (scale_id < 0 || v.sole_consumer(erf.inputs[0]) != erf_id) return false;
  const Node& scale = g.node(scale_id);
  if (scale.inputs.size() != 2) return false;
  ValueId x = kNoValue;
  if (scale.op == "Div" && near(scalar_constant(g, scale.inputs[1]), std::sqrt(2.f))) x = scale.inputs[0];
  if (scale.op == "Mul") x = v.operand_with_scalar(scale, 1.f / std::sqrt(2.f));
  if (x == kNoValue) return false;
  // 1 + erf(.)
  NodeId add_id = v.sole_consumer(erf.outputs[0]);
  if (!v.is(add_id, "Add") || !near(scalar_constant(g, GraphView::other(g.node(add_id), erf.outputs[0])), 1.f))
    return false;
  ValueId one_plus = g.node(add_id).outputs[0];
  NodeId m1_id = v.sole_consumer(one_plus);
  if (!v.is(m1_id, "Mul")) return false;
  const Node& m1 = g.node(m1_id);
  ValueId partner = GraphView::other(m1, one_plus);
  m.x = x;
  m.nodes = {scale_id, erf_id, add_id, m1_id};
  if (partner == x) {  // (x * (1 + erf)) * 0.5
    NodeId m2_id = v.sole_consumer(m1.outputs[0]);
    if (!v.is(m2_id, "Mul") || v.operand_with_scalar(g.node(m2_id), 0.5f) != m1.outputs[0]) return false;
    m.nodes.push_back(m2_id);
    m.y = g.node(m2_id).outputs[0];
    return true;
  }
  if (near(scalar_constant(g, partner), 0.5f)) {  // x * ((1 + erf) * 0.5)
    NodeId m2_id = v.sole_consumer(m1.outputs[0]);
    if (!v.is(m2_id, "Mul") || GraphView::other(g.node(m2_id), m1.outputs[0]) != x) return false;
    m.nodes.push_back(m2_id);
    m.y = g.node(m2_id).outputs[0];
    return true;
  }
  const Node* half = v.producer(partner);  // (x * 0.5) * (1 + erf)
  if (!half || half->op != "Mul" || half->inputs.size() != 2 || v.operand_with_scalar(*half, 0.5f) != x ||
      v.sole_consumer(partner) != m1_id)
    return false;
  m.nodes.push_back(v.prod[size_t(partner)]);
  m.y = m1.outputs[0];
  return true;
}

}  // namespace

int fuse_gelu(Graph& g) {
  if (!find_op("Gelu")) return 0;
  std::vector<GeluMatch> matches;
  {
    GraphView view(g);
    for (NodeId n = 0; n < static_cast<NodeId>(g.nodes().size()); ++n) {
      GeluMatch m;
      if (g.node(n).op == "Erf" && match_gelu(view, n, m)) matches.push_back(m);
    }
  }
  if (matches.empty()) return 0;
  std::vector<NodeId> dead;
  std::vector<Node> fused;
  for (const GeluMatch& m : matches) {
    Node n;
    n.op = "Gelu";
    n.name = g.node(m.nodes[1]).name + "_gelu";  // named after the Erf it replaces
    n.inputs = {m.x};
    n.outputs = {m.y};
    fused.push_back(std::move(n));
    dead.insert(dead.end(), m.nodes.begin(), m.nodes.end());
  }
  g.remove_nodes(dead);
  for (Node& n : fused) g.add_node(std::move(n));
  g.prune_dead();
  return static_cast<int>(matches.size());
}

int fuse_hardswish(Graph& g) {
  if (!find_op("HardSwish")) return 0;
  std::vector<NodeId> dead;
  std::vector<Node> fused;
  {
    GraphView view(g);
    for (NodeId id = 0; id < static_cast<NodeId>(g.nodes().size()); ++id) {
      const Node& hs = g.node(id);
      if (hs.op != "HardSigmoid" || hs.inputs.size() != 1 || hs.outputs.size() != 1) continue;
      if (!near(hs.attrs.get_float("alpha", 0.2f), 1.f / 6.f) || !near(hs.attrs.get_float("beta", 0.5f), 0.5f)) continue;
      NodeId mul = view.sole_consumer(hs.outputs[0]);
      if (!view.is(mul, "Mul") || GraphView::other(g.node(mul), hs.outputs[0]) != hs.inputs[0]) continue;
      Node n;
      n.op = "HardSwish";
      n.name = g.node(mul).name + "_hardswish";
      n.inputs = {hs.inputs[0]};
      n.outputs = g.node(mul).outputs;
      fused.push_back(std::move(n));
      dead.push_back(id);
      dead.push_back(mul);
    }
  }
  g.remove_nodes(dead);
  for (Node& n : fused) g.add_node(std::move(n));
  return static_cast<int>(fused.size());
}

void mark_trainable_parameters(Graph& g) {
  std::vector<NodeId> prod = g.producer_map();
  auto mark = [&](const Node& n, size_t i) {
    if (i >= n.inputs.size() || n.inputs[i] == kNoValue) return;
    Initializer* init = g.initializer(n.inputs[i]);
    if (init && init->data.dtype() == DType::f32) init->trainable = true;
  };
  for (const Node& n : g.nodes()) {
    if (n.op == "Conv" || n.op == "Gemm" || n.op == "BatchNormalization") {
      mark(n, 1);
      mark(n, 2);
    } else if (n.op == "MatMul") {
      mark(n, 0);
      mark(n, 1);
    } else if (n.op == "Add" && n.inputs.size() == 2) {
      // PyTorch's Linear on >2-D inputs is MatMul + Add(bias).
      for (size_t i = 0; i < 2; ++i) {
        NodeId p = prod[size_t(n.inputs[1 - i])];
        if (p >= 0 && g.node(p).op == "MatMul") mark(n, i);
      }
    }
  }
}

int attach_dequantize_params(Graph& g) {
  const std::vector<std::vector<NodeId>> users = g.consumer_map();
  int annotated = 0;
  for (auto& [v, init] : g.initializers()) {
    if (!quantizable(init.data.dtype()) || init.data.quantized() || users[size_t(v)].empty()) continue;
    QuantPtr common;
    bool ok = true;
    for (NodeId id : users[size_t(v)]) {
      const Node& n = g.node(id);
      const Initializer* scale = n.inputs.size() > 1 ? g.initializer(n.inputs[1]) : nullptr;
      const bool has_zp = n.inputs.size() > 2 && n.inputs[2] != kNoValue;
      const Initializer* zp = has_zp ? g.initializer(n.inputs[2]) : nullptr;
      ok = n.op == "DequantizeLinear" && n.inputs[0] == v && n.inputs[1] != v && scale && (zp || !has_zp);
      if (!ok) break;
      // Malformed parameters stay the DequantizeLinear's own error (at inference), not ours.
      QuantPtr q;
      try {
        q = linear_quant_params(n, scale->data, zp ? &zp->data : nullptr, init.data.dtype(), init.data.shape(), true);
      } catch (const Error&) {
        ok = false;
        break;
      }
      if (common && !same_quant(common, q)) {
        ok = false;
        break;
      }
      common = q;
    }
    if (!ok || !common) continue;
    init.data = init.data.with_quant(common);
    g.value(v).type.quant = common;
    ++annotated;
  }
  return annotated;
}

}  // namespace prunq::onnx_io
