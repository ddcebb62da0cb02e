// Importance scores of single weights (higher = keep), the inputs of prune_by_scores:
//   magnitude  |w| (PyTorch's l1_unstructured; L1 and L2 rank single weights alike)
//   random     uniform in [0, 1) from a seed: the baseline every criterion must beat
//   snip       |dL/dw * w| on labelled batches, the connection sensitivity of SNIP (Lee et al.
//              2019); on a trained model the same quantity is the first-order Taylor estimate
//              of the loss change when the weight is removed (Molchanov et al. 2017)
// SynFlow needs its scores recomputed while pruning; it lives in prune/synflow.h.
#pragma once
#include <cstdint>
#include <vector>

#include "graph/graph.h"
#include "prune/prunable.h"
#include "prune/select.h"

namespace prunq {

struct Dataset;

ScoreMap magnitude_scores(const Graph& graph, const std::vector<PrunableWeight>& pool);
ScoreMap random_scores(const std::vector<PrunableWeight>& pool, uint64_t seed);

struct GradientScoreOptions {
  int64_t batches = 10;      // mini-batches the gradient is averaged over
  int64_t batch_size = 128;
  uint64_t seed = 0;         // which samples (a seeded shuffle of the data)
};

// The model (one input, logits output) is not changed: gradients are taken on a copy, so its
// BatchNorm statistics stay as they were. An empty dataset or one that does not fit the model
// is an Error.
ScoreMap snip_scores(const Graph& graph, const std::vector<PrunableWeight>& pool, const Dataset& data,
                     const GradientScoreOptions& options = {});

}  // namespace prunq
