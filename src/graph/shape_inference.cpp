#include "graph/shape_inference.h"

#include <sstream>

#include "ops/op.h"

namespace prunq {
namespace {

std::string describe_inputs(const std::vector<TensorType>& types, const std::vector<bool>& present) {
  std::ostringstream os;
  for (size_t i = 0; i < types.size(); ++i) os << (i ? ", " : "") << (present[i] ? types[i].str() : "<omitted>");
  return os.str();
}

// Combines what an op inferred with a type declared beforehand (e.g. by an ONNX file): the
// inferred type wins, but dims it leaves unknown are taken from a declaration of the same rank.
TensorType merge(const TensorType& inferred, const TensorType& declared) {
  TensorType t = inferred;
  if (t.rank_known && declared.rank_known && declared.dtype == t.dtype && declared.shape.size() == t.shape.size())
    for (size_t d = 0; d < t.shape.size(); ++d)
      if (t.shape[d] < 0 && declared.shape[d] >= 0) t.shape[d] = declared.shape[d];
  return t;
}

// Dims must be -1 or >= 0, and the known ones must multiply to a size a machine could hold:
// this stops an overflowing shape (from absurd attributes) before the next op multiplies it again.
bool plausible(const TensorType& t) {
  constexpr int64_t kMaxElements = int64_t{1} << 48;
  int64_t known = 1;
  for (int64_t d : t.shape) {
    if (d < -1) return false;
    if (d <= 0) continue;
    if (d > kMaxElements / known) return false;
    known *= d;
  }
  return true;
}

// Index of a value in per-value tables; Graph::value() throws a named error when v is out of range.
size_t slot(const Graph& graph, ValueId v) {
  graph.value(v);
  return static_cast<size_t>(v);
}

}  // namespace

std::vector<TensorType> compute_value_types(const Graph& graph) {
  std::vector<TensorType> types(static_cast<size_t>(graph.num_values()));
  for (ValueId v = 0; v < graph.num_values(); ++v) types[static_cast<size_t>(v)] = graph.value(v).type;
  for (const auto& [v, init] : graph.initializers())
    types[static_cast<size_t>(v)] = TensorType{init.data.dtype(), init.data.shape(), true, init.data.quant()};

  for (NodeId id : graph.topo_order()) {
    const Node& node = graph.node(id);
    const Op* op = find_op(node.op);
    PRUNQ_CHECK(op, "shape inference: unknown op '", node.op, "' (node '", node.name, "')");
    InferContext ctx{node, {}, {}, {}, {}};
    for (ValueId v : node.inputs) {
      bool present = v != kNoValue;
      ctx.inputs.push_back(present ? types[slot(graph, v)] : TensorType{});
      ctx.present.push_back(present);
      const Initializer* init = present ? graph.initializer(v) : nullptr;
      ctx.constants.push_back(init ? &init->data : nullptr);
    }
    ctx.outputs.resize(node.outputs.size());
    try {
      op->infer(ctx);
    } catch (const Error& e) {
      fail("shape inference failed at node '", node.name, "' (", node.op, ") with inputs (",
           describe_inputs(ctx.inputs, ctx.present), "): ", e.what());
    }
    PRUNQ_CHECK(ctx.outputs.size() == node.outputs.size(), "shape inference: op ", node.op, " (node '", node.name,
                "') returned ", ctx.outputs.size(), " output types for ", node.outputs.size(), " outputs");
    for (size_t o = 0; o < node.outputs.size(); ++o) {
      PRUNQ_CHECK(plausible(ctx.outputs[o]), "shape inference: node '", node.name, "' (", node.op,
                  ") inferred an impossible type ", ctx.outputs[o].str(), " for output ", o, " from inputs (",
                  describe_inputs(ctx.inputs, ctx.present), ")");
      TensorType& out = types[slot(graph, node.outputs[o])];
      out = merge(ctx.outputs[o], out);
    }
  }
  return types;
}

void infer_shapes(Graph& graph) {
  std::vector<TensorType> types = compute_value_types(graph);
  for (ValueId v = 0; v < graph.num_values(); ++v) graph.value(v).type = std::move(types[static_cast<size_t>(v)]);
}

}  // namespace prunq
