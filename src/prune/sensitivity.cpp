#include "prune/sensitivity.h"

#include <cmath>
#include <cstdio>

#include "prune/criteria.h"
#include "prune/select.h"

namespace prunq {

SensitivityReport analyze_sensitivity(const Graph& model, const Dataset& data, const SensitivityOptions& o) {
  PRUNQ_CHECK(!o.sparsities.empty(), "sensitivity: no sparsities to measure");
  for (size_t i = 0; i < o.sparsities.size(); ++i) {
    const double s = o.sparsities[i];
    PRUNQ_CHECK(std::isfinite(s) && s > 0 && s <= 1, "sensitivity: sparsities must be in (0, 1], got ", s);
    PRUNQ_CHECK(i == 0 || s > o.sparsities[i - 1], "sensitivity: sparsities must be increasing, got ",
                o.sparsities[i - 1], " then ", s);
  }
  PRUNQ_CHECK(data.size() > 0, "sensitivity: the evaluation data is empty");
  const std::vector<PrunableWeight> pool = select_prunable(model, o.keep_dense);
  PRUNQ_CHECK(!pool.empty(), "sensitivity: model '", model.name, "' has no prunable layer to analyse");
  SensitivityReport r;
  r.dense = evaluate_model(model, data, o.eval_batch_size);
  for (const PrunableWeight& w : pool) {
    LayerSensitivity l;
    l.layer = w.layer;
    l.weight_name = w.weight_name;
    l.numel = w.numel();
    const std::vector<PrunableWeight> one{w};
    for (double s : o.sparsities) {
      Graph g = model.clone();
      SparsityTarget t;
      t.sparsity = s;
      prune_by_scores(g, one, magnitude_scores(g, one), t);
      const EvalResult e = evaluate_model(g, data, o.eval_batch_size);
      l.points.push_back({s, e.accuracy, e.loss});
    }
    r.layers.push_back(std::move(l));
  }
  return r;
}

std::string format_sensitivity_table(const SensitivityReport& r) {
  std::string s;
  char cell[128];
  std::snprintf(cell, sizeof cell, "dense accuracy %.2f%% (%lld samples); accuracy %% when one layer is pruned to:\n",
                100.0 * r.dense.accuracy, static_cast<long long>(r.dense.samples));
  s += cell;
  std::snprintf(cell, sizeof cell, "%-24s %10s", "layer", "weights");
  s += cell;
  if (!r.layers.empty())
    for (const SensitivityPoint& p : r.layers[0].points) {
      std::snprintf(cell, sizeof cell, " %6.0f%%", 100.0 * p.sparsity);
      if (std::fabs(100.0 * p.sparsity - std::round(100.0 * p.sparsity)) > 1e-9)
        std::snprintf(cell, sizeof cell, " %6.1f%%", 100.0 * p.sparsity);
      s += cell;
    }
  s += "\n";
  for (const LayerSensitivity& l : r.layers) {
    std::snprintf(cell, sizeof cell, "%-24s %10lld", l.layer.c_str(), static_cast<long long>(l.numel));
    s += cell;
    for (const SensitivityPoint& p : l.points) {
      std::snprintf(cell, sizeof cell, " %7.2f", 100.0 * p.accuracy);
      s += cell;
    }
    s += "\n";
  }
  return s;
}

}  // namespace prunq
