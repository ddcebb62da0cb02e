// Unstructured pruning in one call: pick the pool (prunable weights minus the layers left
// dense), score it with a criterion, and mask the lowest scores to the target sparsity.
//
//   magnitude  |w|, per layer or global (PyTorch's l1_unstructured / global_unstructured)
//   random     the baseline
//   snip       connection sensitivity |g * w| on labelled data (pre-pruning at init; on a trained
//              model the first-order Taylor criterion)
//   synflow    iterative synaptic flow, data-free (pre-pruning at init)
//
// Pruning before training (at initialisation) and after it are the same call on a fresh or a
// trained model; masks then hold through any further training.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "prune/criteria.h"
#include "prune/select.h"
#include "prune/synflow.h"

namespace prunq {

enum class UnstructuredCriterion { kMagnitude, kRandom, kSnip, kSynFlow };

// "magnitude" | "random" | "snip" | "synflow"; anything else is an Error listing them.
UnstructuredCriterion parse_unstructured_criterion(const std::string& s);

struct UnstructuredOptions {
  UnstructuredCriterion criterion = UnstructuredCriterion::kMagnitude;
  SparsityTarget target;
  std::vector<std::string> keep_dense;  // layers left dense, by pattern (see names_layer)
  uint64_t seed = 0;                    // random scores; snip's choice of batches
  const Dataset* data = nullptr;        // snip: labelled samples, as the model takes them
  GradientScoreOptions snip;
  SynFlowOptions synflow;
};

// Prunes g in place. Bad options (fractions outside [0, 1], patterns naming no layer, snip
// without data) are an Error; so is a model with no prunable weight.
PruneResult prune_unstructured(Graph& g, const UnstructuredOptions& o);

// A table: layer, weights, pruned, sparsity, and the pool's total.
std::string format_prune_result(const PruneResult& r);

}  // namespace prunq
