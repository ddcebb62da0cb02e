// From importance scores to masks: every unstructured criterion (magnitude, random, SNIP,
// SynFlow) produces one score per weight, and this one selection turns scores into masks,
// per layer or with one threshold across layers.
//
//   layer   each layer loses the same fraction of its weights (its fixed fraction or cap, if set)
//   global  one threshold over every layer of the pool, so the layers' sparsities differ; layers
//           with a fixed fraction take exactly that, caps are honoured by water-filling (a layer
//           that would exceed its cap is held at it and the rest of the budget is spread over the
//           others), so the pool as a whole reaches the target exactly.
//
// The lowest scores are removed; exact ties are broken by position, so selections are
// deterministic and counts exact. Weights already pruned count as removed first (masks only
// tighten), so re-pruning to a higher sparsity extends the earlier mask.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "graph/graph.h"
#include "prune/prunable.h"

namespace prunq {

// ValueId of a weight -> f32 scores of its shape (higher = more important).
using ScoreMap = std::map<ValueId, Tensor>;

enum class PruneScope { kLayer, kGlobal };

// "layer" | "global"; anything else is an Error.
PruneScope parse_prune_scope(const std::string& s);

struct SparsityTarget {
  double sparsity = 0.5;  // fraction of the pool's weights removed, in [0, 1]
  PruneScope scope = PruneScope::kLayer;
  double max_layer_sparsity = 1.0;  // cap for every layer
  // Per-layer caps and fixed fractions, by pattern (see names_layer); the last match wins.
  std::vector<std::pair<std::string, double>> layer_caps;
  std::vector<std::pair<std::string, double>> layer_sparsity;
};

struct LayerPruneResult {
  std::string layer;
  std::string weight_name;
  int64_t numel = 0;
  int64_t pruned = 0;  // after this selection (earlier pruning included)
  double sparsity() const { return numel ? double(pruned) / double(numel) : 0.0; }
};

struct PruneResult {
  std::vector<LayerPruneResult> layers;
  int64_t numel = 0, pruned = 0;  // over the pruned pool
  double sparsity() const { return numel ? double(pruned) / double(numel) : 0.0; }
};

// The target on the way to `final` when the pool as a whole is at `sparsity` (iterative rounds,
// gradual and SynFlow steps): fixed per-layer fractions ramp at the same rate in log density,
// 1 - (1 - f)^e with e = ln(1 - sparsity) / ln(1 - final.sparsity), so each reaches its own
// final value together with the pool. Caps stay as they are.
SparsityTarget ramped_target(const SparsityTarget& final, double sparsity);

// Checks the target (fractions in [0, 1], patterns naming some layer of `pool`); Error otherwise.
void validate_target(const SparsityTarget& t, const std::vector<PrunableWeight>& pool);

// Removes, in every weight of `pool`, the lowest-scored weights to meet `target`. Every weight
// of the pool needs a finite score tensor of its shape. A global target the caps cannot reach
// is an Error saying the largest reachable sparsity.
PruneResult prune_by_scores(Graph& graph, const std::vector<PrunableWeight>& pool, const ScoreMap& scores,
                            const SparsityTarget& target);

// How the pool stands now (no pruning).
PruneResult current_sparsity(const Graph& graph, const std::vector<PrunableWeight>& pool);

}  // namespace prunq
