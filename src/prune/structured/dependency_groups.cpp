#include "prune/structured/dependency_groups.h"

#include <algorithm>
#include <map>
#include <set>

#include "graph/shape_inference.h"
#include "prune/structured/coupling_rules.h"

namespace prunq::structured {
namespace {

// Gives every non-constant value with a known channel axis its range of elements.
void assign_elements(const Graph& g, const std::vector<TensorType>& types, ChannelAnalysis& a) {
  a.range.assign(g.num_values(), ChannelRange{});
  for (ValueId v = 0; v < g.num_values(); ++v) {
    const TensorType& t = types[v];
    if (g.is_initializer(v) || !t.rank_known || t.shape.size() < 2 || t.shape[1] <= 0) continue;
    a.range[v] = ChannelRange{a.num_elements(), t.shape[1]};
    a.value_of.insert(a.value_of.end(), static_cast<size_t>(t.shape[1]), v);
  }
}

// Dense cluster ids from the union-find roots, and each cluster's fixed reason (its first
// fixed element's).
void form_clusters(Coupler& c, ChannelAnalysis& a) {
  std::map<int64_t, int64_t> id_of_root;
  a.cluster_of.resize(a.value_of.size());
  for (int64_t e = 0; e < a.num_elements(); ++e) {
    auto [it, fresh] = id_of_root.emplace(c.root(e), a.num_clusters());
    if (fresh) {
      a.cluster_elements.emplace_back();
      a.fixed_reason.emplace_back();
    }
    a.cluster_of[e] = it->second;
    a.cluster_elements[it->second].push_back(e);
    const std::string* why = c.fixed_reason(e);
    if (why && a.fixed_reason[it->second].empty()) a.fixed_reason[it->second] = *why;
  }
}

void add_unique(std::vector<NodeId>& list, NodeId n) {
  if (std::find(list.begin(), list.end(), n) == list.end()) list.push_back(n);
}

// Groups = values tied together; only those with a producing layer are kept.
void form_groups(const Graph& g, Coupler& c, ChannelAnalysis& a, const std::vector<NodeId>& order) {
  std::vector<int> rank_of_node(g.nodes().size(), 0);
  for (size_t i = 0; i < order.size(); ++i) rank_of_node[order[i]] = static_cast<int>(i);
  std::vector<NodeId> producer = g.producer_map();
  auto value_pos = [&](ValueId v) { return producer[v] < 0 ? -1 : rank_of_node[producer[v]]; };

  std::map<ValueId, int> group_of_root;
  std::vector<std::vector<ValueId>> values;
  for (ValueId v = 0; v < g.num_values(); ++v) {
    if (a.range[v].count == 0) continue;
    auto [it, fresh] = group_of_root.emplace(c.value_root(v), static_cast<int>(values.size()));
    if (fresh) values.emplace_back();
    values[it->second].push_back(v);
  }
  std::vector<DependencyGroup> groups(values.size());
  for (const ParamCut& cut : a.cuts) {
    DependencyGroup& grp = groups[group_of_root.at(c.value_root(a.value_of[cut.element.at(0)]))];
    if (cut.role == CutRole::kProducerWeight) {
      add_unique(grp.producers, cut.node);
      grp.conv = grp.conv || g.node(cut.node).op == "Conv";
    }
  }
  auto by_topo = [&](NodeId x, NodeId y) { return rank_of_node[x] < rank_of_node[y]; };
  for (const ParamCut& cut : a.cuts) {
    DependencyGroup& grp = groups[group_of_root.at(c.value_root(a.value_of[cut.element.at(0)]))];
    if (std::find(grp.producers.begin(), grp.producers.end(), cut.node) == grp.producers.end())
      add_unique(grp.coupled, cut.node);
  }
  for (const ShapeFix& fix : a.fixes) {
    const Node& n = g.node(fix.node);
    // Every fix touches the channels of the node's first input or output.
    ValueId v = fix.kind == ShapeFixKind::kReshapeShape || fix.kind == ShapeFixKind::kChannelSlice ? n.outputs[0]
                                                                                                    : n.inputs[0];
    if (a.range[v].count == 0) continue;
    DependencyGroup& grp = groups[group_of_root.at(c.value_root(v))];
    if (std::find(grp.producers.begin(), grp.producers.end(), fix.node) == grp.producers.end())
      add_unique(grp.coupled, fix.node);
  }

  a.group_of.assign(a.cluster_elements.size(), -1);
  for (size_t gi = 0; gi < groups.size(); ++gi) {
    DependencyGroup& grp = groups[gi];
    if (grp.producers.empty()) continue;
    grp.values = values[gi];
    std::stable_sort(grp.values.begin(), grp.values.end(),
                     [&](ValueId x, ValueId y) { return value_pos(x) < value_pos(y); });
    std::sort(grp.producers.begin(), grp.producers.end(), by_topo);
    std::sort(grp.coupled.begin(), grp.coupled.end(), by_topo);
    // Number the clusters by the value that holds the most of them (the first such).
    size_t best = 0;
    for (ValueId v : grp.values) {
      std::set<int64_t> distinct;
      for (int64_t i = 0; i < a.range[v].count; ++i) distinct.insert(a.cluster_of[a.range[v].begin + i]);
      if (distinct.size() > best) best = distinct.size(), grp.numbering = v;
    }
    std::set<int64_t> seen;
    auto take = [&](int64_t e) {
      if (seen.insert(a.cluster_of[e]).second) grp.clusters.push_back(a.cluster_of[e]);
    };
    for (int64_t i = 0; i < a.range[grp.numbering].count; ++i) take(a.range[grp.numbering].begin + i);
    for (ValueId v : grp.values)
      for (int64_t i = 0; i < a.range[v].count; ++i) take(a.range[v].begin + i);
    const int index = static_cast<int>(a.groups.size());
    for (int64_t cl : grp.clusters) a.group_of[cl] = index;
    a.groups.push_back(std::move(grp));
  }
  std::stable_sort(a.groups.begin(), a.groups.end(), [&](const DependencyGroup& x, const DependencyGroup& y) {
    return rank_of_node[x.producers[0]] < rank_of_node[y.producers[0]];
  });
  for (size_t gi = 0; gi < a.groups.size(); ++gi)
    for (int64_t cl : a.groups[gi].clusters) a.group_of[cl] = static_cast<int>(gi);
}

}  // namespace

ChannelAnalysis analyze_channels(const Graph& g, const std::vector<NodeId>& keep) {
  ChannelAnalysis a;
  const std::vector<TensorType> types = compute_value_types(g);
  assign_elements(g, types, a);
  Coupler c(g, types, a);
  for (ValueId v : g.inputs()) c.fix_value(v, "reaches the graph input '" + g.value(v).name + "'");
  for (ValueId v : g.outputs()) c.fix_value(v, "reaches the graph output '" + g.value(v).name + "'");
  const std::vector<NodeId> order = g.topo_order();
  for (NodeId n : order) couple_node(c, n);
  for (const ParamCut& cut : a.cuts) {
    const bool computes = cut.role == CutRole::kProducerWeight || cut.role == CutRole::kDepthwiseWeight;
    if (computes && std::find(keep.begin(), keep.end(), cut.node) != keep.end())
      for (int64_t e : cut.element) c.fix_element(e, "excluded ('" + g.node(cut.node).name + "' is left alone)");
  }
  form_clusters(c, a);
  form_groups(g, c, a, order);
  return a;
}

}  // namespace prunq::structured
