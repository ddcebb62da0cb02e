#include "graph/model_stats.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <sstream>

#include "graph/shape_inference.h"

namespace prunq {
namespace {

TensorType resolve(TensorType t, int64_t batch) {
  for (int64_t& d : t.shape)
    if (d < 0) d = batch;
  return t;
}

int64_t count_nonzero(const Tensor& t) {
  Tensor f = t.dtype() == DType::f32 ? t.contiguous() : t.to(DType::f32);
  const float* p = f.f32();
  int64_t n = 0;
  for (int64_t i = 0; i < f.numel(); ++i) n += p[i] != 0.0f;
  return n;
}

int64_t numel_or_zero(const TensorType& t) {
  if (!t.rank_known) return 0;
  int64_t n = 1;
  for (int64_t d : t.shape) n *= d < 0 ? 0 : d;
  return n;
}

// MACs of the matrix-product ops; other ops are counted as free (they are memory-bound).
int64_t node_macs(const Node& n, const std::vector<TensorType>& types) {
  auto type_of = [&](size_t i) -> const TensorType* {
    if (i >= n.inputs.size() || n.inputs[i] == kNoValue) return nullptr;
    const TensorType& t = types[static_cast<size_t>(n.inputs[i])];
    return t.rank_known ? &t : nullptr;
  };
  const TensorType& out = types[static_cast<size_t>(n.outputs[0])];
  if (!out.rank_known) return 0;
  if (n.op == "Conv") {
    // Each output element sums over (C_in / group) * prod(kernel) products: exactly the weight's
    // per-output-channel size [C_out, C_in/group, k...].
    const TensorType* w = type_of(1);
    if (!w || w->shape.empty()) return 0;
    return numel_or_zero(out) * (numel_or_zero(*w) / std::max<int64_t>(1, w->shape[0]));
  }
  if (n.op == "ConvTranspose") {
    // Every input element scatters into C_out/group * prod(kernel) outputs: weight [C_in, C_out/g, k...].
    const TensorType* x = type_of(0);
    const TensorType* w = type_of(1);
    if (!x || !w || w->shape.empty()) return 0;
    return numel_or_zero(*x) * (numel_or_zero(*w) / std::max<int64_t>(1, w->shape[0]));
  }
  if (n.op == "Gemm") {
    const TensorType* a = type_of(0);
    if (!a || a->shape.size() != 2) return 0;
    int64_t k = n.attrs.get_int("transA", 0) ? a->shape[0] : a->shape[1];
    return numel_or_zero(out) * k;
  }
  if (n.op == "MatMul") {
    const TensorType* a = type_of(0);
    if (!a || a->shape.empty()) return 0;
    return numel_or_zero(out) * a->shape.back();  // every output element is a K-long dot product
  }
  return 0;
}

std::string human(int64_t v) {
  char buf[32];
  if (v >= 10'000'000'000LL) std::snprintf(buf, sizeof buf, "%.1fG", double(v) / 1e9);
  else if (v >= 10'000'000) std::snprintf(buf, sizeof buf, "%.1fM", double(v) / 1e6);
  else if (v >= 10'000) std::snprintf(buf, sizeof buf, "%.1fK", double(v) / 1e3);
  else std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
  return buf;
}

}  // namespace

ModelStats compute_model_stats(const Graph& graph, int64_t batch) {
  PRUNQ_CHECK(batch >= 1, "model stats: batch must be >= 1, got ", batch);
  std::vector<TensorType> types = compute_value_types(graph);
  for (TensorType& t : types) t = resolve(std::move(t), batch);
  ModelStats s;
  std::set<ValueId> counted;  // a weight shared by two nodes is counted once, at its first reader
  for (NodeId id : graph.topo_order()) {
    const Node& n = graph.node(id);
    NodeStats ns;
    ns.op = n.op;
    ns.name = n.name;
    ns.output = types[static_cast<size_t>(n.outputs.at(0))];
    for (ValueId v : n.inputs) {
      const Initializer* init = v == kNoValue ? nullptr : graph.initializer(v);
      if (!init || !counted.insert(v).second) continue;
      ns.params += init->data.numel();
      ns.nonzero_params += count_nonzero(init->data);
      ns.weight_bytes += static_cast<int64_t>(init->data.nbytes());
    }
    ns.macs = node_macs(n, types);
    s.params += ns.params;
    s.nonzero_params += ns.nonzero_params;
    s.weight_bytes += ns.weight_bytes;
    s.macs += ns.macs;
    s.nodes.push_back(std::move(ns));
  }
  return s;
}

std::string format_model_stats(const ModelStats& s) {
  std::ostringstream os;
  char line[256];
  std::snprintf(line, sizeof line, "%-28s %-20s %-22s %10s %10s %10s %10s\n", "node", "op", "output", "params",
                "nonzero", "bytes", "MACs");
  os << line;
  for (const NodeStats& n : s.nodes) {
    std::snprintf(line, sizeof line, "%-28s %-20s %-22s %10s %10s %10s %10s\n", n.name.c_str(), n.op.c_str(),
                  n.output.str().c_str(), human(n.params).c_str(), human(n.nonzero_params).c_str(),
                  human(n.weight_bytes).c_str(), human(n.macs).c_str());
    os << line;
  }
  std::snprintf(line, sizeof line, "%-28s %-20s %-22s %10s %10s %10s %10s\n", "total", "", "", human(s.params).c_str(),
                human(s.nonzero_params).c_str(), human(s.weight_bytes).c_str(), human(s.macs).c_str());
  os << line;
  return os.str();
}

}  // namespace prunq
