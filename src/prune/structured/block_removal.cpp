#include "prune/structured/block_removal.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "graph/shape_inference.h"
#include "graph/verifier.h"
#include "io/data/dataset.h"
#include "runtime/executor.h"
#include "train/training_graph.h"

namespace prunq::structured {
namespace {

bool same_type(const TensorType& a, const TensorType& b) {
  return a.rank_known && b.rank_known && a.dtype == b.dtype && a.shape == b.shape;
}

bool is_weight_op(const Node& n) { return n.op == "Conv" || n.op == "Gemm" || n.op == "MatMul"; }

// Per-channel ops that may trail a weight layer inside a "layer" block.
bool is_layer_tail_op(const std::string& op) {
  static const std::set<std::string> ops = {"BatchNormalization", "Relu", "Clip",     "LeakyRelu", "Sigmoid",
                                            "Tanh",               "HardSwish", "HardSigmoid", "Gelu", "Dropout",
                                            "Identity",           "Elu",  "Selu",     "Softplus",  "PRelu"};
  return ops.count(op) != 0;
}

struct GraphMaps {
  std::vector<NodeId> producer;
  std::vector<std::vector<NodeId>> consumers;
  std::vector<bool> is_output;
  std::vector<int> topo_rank;
};

GraphMaps graph_maps(const Graph& g) {
  GraphMaps m{g.producer_map(), g.consumer_map(), std::vector<bool>(g.num_values(), false),
              std::vector<int>(g.nodes().size(), 0)};
  for (ValueId v : g.outputs()) m.is_output[v] = true;
  std::vector<NodeId> order = g.topo_order();
  for (size_t i = 0; i < order.size(); ++i) m.topo_rank[order[i]] = static_cast<int>(i);
  return m;
}

// Every node value `r` depends on, walking back until `s` (exclusive). Empty when the walk
// reaches a graph input or anything else not computed from s.
std::vector<NodeId> branch_from(const Graph& g, const GraphMaps& m, ValueId s, ValueId r) {
  std::vector<NodeId> branch, stack;
  std::set<NodeId> seen;
  bool reads_s = false;
  if (m.producer[r] < 0) return {};
  stack.push_back(m.producer[r]);
  seen.insert(m.producer[r]);
  while (!stack.empty()) {
    NodeId n = stack.back();
    stack.pop_back();
    branch.push_back(n);
    for (ValueId v : g.node(n).inputs) {
      if (v == kNoValue || g.is_initializer(v)) continue;
      if (v == s) {
        reads_s = true;
        continue;
      }
      if (m.producer[v] < 0) return {};  // a graph input: not computed from s alone
      if (seen.insert(m.producer[v]).second) stack.push_back(m.producer[v]);
    }
  }
  return reads_s ? branch : std::vector<NodeId>{};
}

// True when nothing outside `nodes` reads the values they produce, other than through `exit`
// (which only `exit_reader` may read).
bool self_contained(const Graph& g, const GraphMaps& m, const std::vector<NodeId>& nodes, ValueId exit,
                    NodeId exit_reader) {
  std::set<NodeId> inside(nodes.begin(), nodes.end());
  for (NodeId n : nodes)
    for (ValueId v : g.node(n).outputs) {
      if (v == kNoValue) continue;
      if (m.is_output[v]) return false;
      for (NodeId c : m.consumers[v])
        if (v == exit ? c != exit_reader : inside.count(c) == 0) return false;
    }
  return true;
}

void sort_topo(std::vector<NodeId>& nodes, const GraphMaps& m) {
  std::sort(nodes.begin(), nodes.end(), [&](NodeId a, NodeId b) { return m.topo_rank[a] < m.topo_rank[b]; });
}

void find_residual(const Graph& g, const GraphMaps& m, NodeId id, std::vector<BlockCandidate>& out) {
  const Node& n = g.node(id);
  if ((n.op != "Add" && n.op != "Sum") || n.inputs.size() != 2) return;
  const ValueId y = n.outputs[0];
  if (m.is_output[y]) return;
  for (int k = 0; k < 2; ++k) {
    const ValueId s = n.inputs[k], r = n.inputs[1 - k];
    if (g.is_initializer(s) || g.is_initializer(r) || !same_type(g.value(s).type, g.value(y).type) ||
        !same_type(g.value(r).type, g.value(y).type))
      continue;
    std::vector<NodeId> branch = branch_from(g, m, s, r);
    const bool has_weights =
        std::any_of(branch.begin(), branch.end(), [&](NodeId b) { return is_weight_op(g.node(b)); });
    if (!has_weights || !self_contained(g, m, branch, r, id)) continue;
    BlockCandidate c;
    c.kind = "residual";
    c.head = id;
    c.shortcut_input = k;
    c.nodes = branch;
    c.nodes.push_back(id);
    sort_topo(c.nodes, m);
    c.input = s, c.output = y, c.branch = r;
    out.push_back(std::move(c));
    return;
  }
}

void find_layer(const Graph& g, const GraphMaps& m, NodeId id, std::vector<BlockCandidate>& out) {
  const Node& w = g.node(id);
  if (!is_weight_op(w) || w.inputs.empty() || g.is_initializer(w.inputs[0])) return;
  const ValueId x = w.inputs[0];
  std::vector<NodeId> nodes{id};
  ValueId cur = w.outputs[0];
  for (;;) {
    if (m.is_output[cur] || m.consumers[cur].size() != 1) break;
    const Node& next = g.node(m.consumers[cur][0]);
    if (!is_layer_tail_op(next.op) || next.inputs.empty() || next.inputs[0] != cur) break;
    const bool constant_rest = std::all_of(next.inputs.begin() + 1, next.inputs.end(), [&](ValueId v) {
      return v == kNoValue || g.is_initializer(v);
    });
    const bool one_output_used = std::all_of(next.outputs.begin() + 1, next.outputs.end(), [&](ValueId v) {
      return v == kNoValue || (m.consumers[v].empty() && !m.is_output[v]);
    });
    if (!constant_rest || !one_output_used) break;
    nodes.push_back(m.consumers[cur][0]);
    cur = next.outputs[0];
  }
  // Each value inside the chain has one reader, the next node, so only the exit is rewired.
  if (m.is_output[cur] || !same_type(g.value(x).type, g.value(cur).type)) return;
  BlockCandidate c;
  c.kind = "layer";
  c.head = id;
  c.nodes = std::move(nodes);
  c.input = x, c.output = cur, c.branch = cur;
  out.push_back(std::move(c));
}

// Mean |w| (l1) or root mean square (l2) over the weights of the block's Conv / Gemm / MatMul nodes.
double weight_score(const Graph& g, const BlockCandidate& c, bool l2) {
  double sum = 0;
  int64_t count = 0;
  for (NodeId n : c.nodes) {
    const Node& node = g.node(n);
    if (!is_weight_op(node) || node.inputs.size() < 2 || !g.is_initializer(node.inputs[1])) continue;
    const Tensor w = g.initializer(node.inputs[1])->data.contiguous();
    for (int64_t i = 0; i < w.numel(); ++i) sum += l2 ? double(w.f32()[i]) * w.f32()[i] : std::fabs(w.f32()[i]);
    count += w.numel();
  }
  const double mean = count ? sum / double(count) : 0.0;
  return l2 ? std::sqrt(mean) : mean;
}

// Mean |gamma| of the block's last BatchNorm; false when it has none.
bool bn_score(const Graph& g, const BlockCandidate& c, double* score) {
  for (auto it = c.nodes.rbegin(); it != c.nodes.rend(); ++it) {
    const Node& n = g.node(*it);
    if (n.op != "BatchNormalization" || !g.is_initializer(n.inputs[1])) continue;
    const Tensor gamma = g.initializer(n.inputs[1])->data.contiguous();
    double s = 0;
    for (int64_t i = 0; i < gamma.numel(); ++i) s += std::fabs(gamma.f32()[i]);
    *score = gamma.numel() ? s / double(gamma.numel()) : 0.0;
    return true;
  }
  return false;
}

std::vector<double> taylor_block_scores(const Graph& g, const std::vector<BlockCandidate>& cands,
                                        const StructuredPruneOptions& o) {
  PRUNQ_CHECK(o.data && o.data->size() > 0, "structured pruning: taylor importance needs samples (data)");
  Graph work = g.clone();  // training-mode BatchNorm updates running statistics: keep g's intact
  TrainingGraph t = make_training_graph(work);
  Executor ex(t.graph);
  std::vector<ValueId> wrt;
  for (const BlockCandidate& c : cands) wrt.push_back(c.branch);
  std::vector<double> score(cands.size(), 0.0);
  BatchIterator it(*o.data, o.batch_size, /*shuffle=*/true, /*seed=*/0, /*epoch=*/0);
  Batch b;
  int64_t done = 0;
  for (; done < o.taylor_batches && it.next(b); ++done) {
    ex.run({b.images, b.labels}, /*training=*/true);
    std::vector<Tensor> in, out;
    for (const BlockCandidate& c : cands) {
      in.push_back(ex.value(c.input).contiguous());
      out.push_back(ex.value(c.branch).contiguous());
    }
    ex.backward(t.loss, wrt);
    for (size_t k = 0; k < cands.size(); ++k) {
      const Tensor* grad = ex.grad(cands[k].branch);
      if (!grad) continue;
      const Tensor gc = grad->contiguous();
      double s = 0;
      const bool residual = cands[k].kind == "residual";
      for (int64_t i = 0; i < gc.numel(); ++i) {
        const double change = residual ? -out[k].f32()[i] : in[k].f32()[i] - out[k].f32()[i];
        s += double(gc.f32()[i]) * change;
      }
      score[k] += s * s;
    }
  }
  for (double& s : score) s /= double(done);
  return score;
}

}  // namespace

std::vector<BlockCandidate> find_block_candidates(const Graph& g) {
  const GraphMaps m = graph_maps(g);
  std::vector<BlockCandidate> out;
  for (NodeId n : g.topo_order()) {
    find_residual(g, m, n, out);
    find_layer(g, m, n, out);
  }
  return out;
}

std::vector<double> block_scores(const Graph& g, const std::vector<BlockCandidate>& cands,
                                 const StructuredPruneOptions& o, std::string* used) {
  *used = importance_criterion_name(o.criterion);
  if (o.criterion == ImportanceCriterion::kTaylor) return taylor_block_scores(g, cands, o);
  std::vector<double> score;
  bool fell_back = false;
  for (const BlockCandidate& c : cands) {
    double s = 0;
    if (o.criterion == ImportanceCriterion::kBnGamma && bn_score(g, c, &s)) {
      score.push_back(s);
      continue;
    }
    fell_back = fell_back || o.criterion == ImportanceCriterion::kBnGamma;
    score.push_back(weight_score(g, c, o.criterion == ImportanceCriterion::kL2));
  }
  if (fell_back) *used += " (l1 for blocks without BatchNorm)";
  return score;
}

void remove_blocks(Graph& g, const std::vector<BlockCandidate>& chosen) {
  std::vector<NodeId> dead;
  std::set<NodeId> all;
  for (const BlockCandidate& c : chosen)
    for (NodeId n : c.nodes) PRUNQ_CHECK(all.insert(n).second, "structured pruning: blocks overlap at node '", g.node(n).name, "'");
  // Earlier removals may have rewired a later block's input, so read it from the graph now.
  for (const BlockCandidate& c : chosen) {
    const ValueId keep = c.kind == "residual" ? g.node(c.head).inputs[c.shortcut_input] : g.node(c.head).inputs[0];
    g.replace_all_uses(c.output, keep);
    dead.insert(dead.end(), c.nodes.begin(), c.nodes.end());
  }
  g.remove_nodes(dead);
  g.prune_dead();
  infer_shapes(g);
  verify_graph(g);
}

}  // namespace prunq::structured
