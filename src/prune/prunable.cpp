#include "prune/prunable.h"

#include <algorithm>
#include <set>

namespace prunq {
bool glob_match(const std::string& pattern, const std::string& text) {
  size_t p = 0, t = 0, star = std::string::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p, ++t;
    } else if (star != std::string::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

namespace {

bool is_prunable_tensor(const Initializer* init) {
  return init && init->trainable && init->data.dtype() == DType::f32;
}

}  // namespace

std::vector<PrunableWeight> find_prunable_weights(const Graph& graph) {
  std::vector<PrunableWeight> out;
  std::set<ValueId> seen;
  for (NodeId n : graph.topo_order()) {
    const Node& node = graph.node(n);
    if (node.op != "Conv" && node.op != "Gemm" && node.op != "MatMul") continue;
    if (node.inputs.size() < 2 || node.inputs[1] == kNoValue) continue;
    const ValueId wid = node.inputs[1];
    const Initializer* init = graph.initializer(wid);
    if (!is_prunable_tensor(init) || seen.count(wid)) continue;
    const Shape& s = init->data.shape();
    PrunableWeight w;
    w.weight = wid;
    w.node = n;
    w.layer = node.name;
    w.weight_name = graph.value(wid).name;
    w.op = node.op;
    if (node.op == "Conv") {
      if (s.size() < 3) continue;
      w.outputs = s[0];
      w.reduction = init->data.numel() / std::max<int64_t>(1, s[0]);
      w.row_stride = w.reduction;
      w.col_stride = 1;
    } else {
      if (s.size() != 2) continue;
      const bool rows_stored = node.op == "Gemm" && node.attrs.get_int("transB", 0) != 0;
      if (rows_stored) {  // [N, K]
        w.outputs = s[0], w.reduction = s[1], w.row_stride = s[1], w.col_stride = 1;
      } else {  // [K, N]
        w.outputs = s[1], w.reduction = s[0], w.row_stride = 1, w.col_stride = s[1];
      }
    }
    if (w.numel() == 0) continue;
    seen.insert(wid);
    out.push_back(std::move(w));
  }
  return out;
}

bool names_layer(const std::string& pattern, const PrunableWeight& w) {
  return glob_match(pattern, w.layer) || glob_match(pattern, w.weight_name);
}

std::vector<PrunableWeight> select_prunable(const Graph& graph, const std::vector<std::string>& keep_dense) {
  const std::vector<PrunableWeight> all = find_prunable_weights(graph);
  std::string known;
  for (const PrunableWeight& w : all) known += (known.empty() ? "" : ", ") + w.layer;
  for (const std::string& pattern : keep_dense) {
    bool any = false;
    for (const PrunableWeight& w : all) any = any || names_layer(pattern, w);
    PRUNQ_CHECK(any, "prune: '", pattern, "' names no prunable layer of '", graph.name, "' (prunable: ",
                known.empty() ? "none" : known, ")");
  }
  std::vector<PrunableWeight> kept;
  for (const PrunableWeight& w : all) {
    bool dense = false;
    for (const std::string& pattern : keep_dense) dense = dense || names_layer(pattern, w);
    if (!dense) kept.push_back(w);
  }
  return kept;
}

}  // namespace prunq
