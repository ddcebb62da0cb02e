// SynFlow (Tanaka et al. 2020): data-free pruning at initialisation by iterative synaptic flow.
// The network is "linearised": every trainable parameter replaced by its absolute value,
// BatchNorm by its inference-mode affine map with |scale| and |shift|, Dropout by Identity.
// With an all-ones input, R = sum of the logits; a weight's score is |w * dR/dw|, the flow of
// signal through it. Pruning the lowest scores in `iterations` steps of exponentially growing
// sparsity, 1 - (1 - S)^(k / iterations), re-scoring after each, avoids the layer collapse of
// one-shot criteria at high sparsity.
#pragma once
#include <cstdint>
#include <vector>

#include "graph/graph.h"
#include "prune/prunable.h"
#include "prune/select.h"

namespace prunq {

struct SynFlowOptions {
  int64_t iterations = 100;
};

// One scoring pass on the model as it stands (masked weights score zero).
ScoreMap synflow_scores(const Graph& graph, const std::vector<PrunableWeight>& pool);

// The full iterative procedure towards `target` (its scope, caps and fixed fractions apply at
// every step). The model must have one input whose dims other than the batch are known.
PruneResult prune_synflow(Graph& graph, const std::vector<PrunableWeight>& pool, const SparsityTarget& target,
                          const SynFlowOptions& options = {});

}  // namespace prunq
