#include "prune/prune_report.h"

#include <cstdio>
#include <map>
#include <set>

#include "graph/model_stats.h"

namespace prunq {
namespace {

// Density of a Conv / Gemm / MatMul node's weight (input 1), 1 for other nodes.
double weight_density(const Graph& g, const std::string& node_name) {
  for (const Node& n : g.nodes()) {
    if (n.name != node_name) continue;
    if ((n.op != "Conv" && n.op != "Gemm" && n.op != "MatMul") || n.inputs.size() < 2) return 1.0;
    const Initializer* w = n.inputs[1] == kNoValue ? nullptr : g.initializer(n.inputs[1]);
    if (!w || w->data.dtype() != DType::f32 || w->data.numel() == 0) return 1.0;
    const Tensor t = w->data.contiguous();
    int64_t nz = 0;
    for (int64_t i = 0; i < t.numel(); ++i) nz += t.f32()[i] != 0.f;
    return double(nz) / double(t.numel());
  }
  return 1.0;
}

std::map<std::string, LayerFigures> figures_of(const Graph& g, std::vector<std::pair<std::string, std::string>>* order) {
  const ModelStats s = compute_model_stats(g, 1);
  // Layers are the nodes that read trainable parameters (not the input normalisation's constants).
  std::set<std::string> layers;
  for (const Node& n : g.nodes())
    for (ValueId v : n.inputs)
      if (v != kNoValue && g.initializer(v) && g.initializer(v)->trainable) layers.insert(n.name);
  std::map<std::string, LayerFigures> f;
  for (const NodeStats& n : s.nodes) {
    if (n.params == 0 || !layers.count(n.name)) continue;
    LayerFigures& x = f[n.name];
    x.params = n.params;
    x.nonzero = n.nonzero_params;
    x.bytes = n.weight_bytes;
    x.macs = int64_t(double(n.macs) * weight_density(g, n.name) + 0.5);
    if (order) order->push_back({n.name, n.op});
  }
  return f;
}

void add(LayerFigures& a, const LayerFigures& b) {
  a.params += b.params, a.nonzero += b.nonzero, a.macs += b.macs, a.bytes += b.bytes;
}

std::string human(int64_t v) {
  char buf[32];
  if (v >= 1'000'000) std::snprintf(buf, sizeof buf, "%.2fM", double(v) / 1e6);
  else if (v >= 10'000) std::snprintf(buf, sizeof buf, "%.1fK", double(v) / 1e3);
  else std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
  return buf;
}

}  // namespace

PruneComparison compare_pruning(const Graph& before, const Graph& after) {
  std::vector<std::pair<std::string, std::string>> order;
  const auto fb = figures_of(before, &order);
  const auto fa = figures_of(after, nullptr);
  PruneComparison c;
  c.total.layer = "total";
  for (const auto& [name, op] : order) {
    LayerComparison l;
    l.layer = name;
    l.op = op;
    l.before = fb.at(name);
    auto it = fa.find(name);
    l.removed = it == fa.end();
    if (!l.removed) l.after = it->second;
    add(c.total.before, l.before);
    add(c.total.after, l.after);
    c.layers.push_back(std::move(l));
  }
  // Parameters the pruned graph gained under new names (rare: a rewrite renamed a layer).
  for (const auto& [name, f] : fa)
    if (!fb.count(name)) add(c.total.after, f);
  return c;
}

std::string format_prune_comparison(const PruneComparison& c) {
  std::string s;
  char line[320];
  std::snprintf(line, sizeof line, "%-20s %-18s %17s %19s %19s %19s\n", "layer", "op", "sparsity", "params (nonzero)",
                "MACs", "bytes (dense)");
  s += line;
  auto row = [&](const LayerComparison& l) {
    char sp[40], pa[40], ma[40], by[40];
    std::snprintf(sp, sizeof sp, "%6.2f%% -> %6.2f%%", 100.0 * l.sparsity_before(), 100.0 * l.sparsity_after());
    std::snprintf(pa, sizeof pa, "%s -> %s", human(l.before.nonzero).c_str(),
                  l.removed ? "removed" : human(l.after.nonzero).c_str());
    std::snprintf(ma, sizeof ma, "%s -> %s", human(l.before.macs).c_str(), human(l.after.macs).c_str());
    std::snprintf(by, sizeof by, "%s -> %s", human(l.before.bytes).c_str(), human(l.after.bytes).c_str());
    std::snprintf(line, sizeof line, "%-20s %-18s %17s %19s %19s %19s\n", l.layer.c_str(), l.op.c_str(), sp, pa, ma, by);
    s += line;
  };
  for (const LayerComparison& l : c.layers) row(l);
  row(c.total);
  return s;
}

}  // namespace prunq
