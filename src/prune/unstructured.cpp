#include "prune/unstructured.h"

#include <cstdio>

namespace prunq {

UnstructuredCriterion parse_unstructured_criterion(const std::string& s) {
  if (s == "magnitude") return UnstructuredCriterion::kMagnitude;
  if (s == "random") return UnstructuredCriterion::kRandom;
  if (s == "snip") return UnstructuredCriterion::kSnip;
  if (s == "synflow") return UnstructuredCriterion::kSynFlow;
  fail("unknown pruning criterion '", s, "' (known: magnitude, random, snip, synflow)");
}

PruneResult prune_unstructured(Graph& g, const UnstructuredOptions& o) {
  const std::vector<PrunableWeight> pool = select_prunable(g, o.keep_dense);
  PRUNQ_CHECK(!pool.empty(), "prune: model '", g.name, "' has no prunable weight (Conv / Gemm / MatMul) left",
              o.keep_dense.empty() ? "" : " after the layers kept dense");
  validate_target(o.target, pool);
  switch (o.criterion) {
    case UnstructuredCriterion::kMagnitude: return prune_by_scores(g, pool, magnitude_scores(g, pool), o.target);
    case UnstructuredCriterion::kRandom: return prune_by_scores(g, pool, random_scores(pool, o.seed), o.target);
    case UnstructuredCriterion::kSnip: {
      PRUNQ_CHECK(o.data, "prune: snip needs labelled data (connection sensitivity is a gradient)");
      GradientScoreOptions so = o.snip;
      so.seed = o.seed;
      return prune_by_scores(g, pool, snip_scores(g, pool, *o.data, so), o.target);
    }
    case UnstructuredCriterion::kSynFlow: return prune_synflow(g, pool, o.target, o.synflow);
  }
  fail("prune: unknown criterion");
}

std::string format_prune_result(const PruneResult& r) {
  std::string s;
  char line[256];
  std::snprintf(line, sizeof line, "%-28s %12s %12s %9s\n", "layer", "weights", "pruned", "sparsity");
  s += line;
  for (const LayerPruneResult& l : r.layers) {
    std::snprintf(line, sizeof line, "%-28s %12lld %12lld %8.2f%%\n", l.layer.c_str(), static_cast<long long>(l.numel),
                  static_cast<long long>(l.pruned), 100.0 * l.sparsity());
    s += line;
  }
  std::snprintf(line, sizeof line, "%-28s %12lld %12lld %8.2f%%\n", "total", static_cast<long long>(r.numel),
                static_cast<long long>(r.pruned), 100.0 * r.sparsity());
  return s + line;
}

}  // namespace prunq
