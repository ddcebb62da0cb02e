// How much each prunable unit (cluster) of a dependency group matters, by the criteria of
// prune/structured.h. Higher scores are kept.
//
// Weight criteria (l1, l2, bn-gamma) score a cluster per layer that computes it (the Conv /
// Gemm rows, or the BatchNorm gammas, on its channels), divide by that layer's mean over the
// group's clusters so wide and narrow layers weigh the same (residual groups hold several
// producers), and average over the layers. Taylor is already a loss change, so it is summed
// over the cluster's parameters without normalisation.
#pragma once
#include <string>
#include <vector>

#include "graph/graph.h"
#include "prune/structured.h"
#include "prune/structured/dependency_groups.h"

namespace prunq::structured {

struct GroupScores {
  std::vector<double> score;  // one per grp.clusters entry
  std::string criterion;      // what was used, e.g. "bn-gamma" or "l1 (no BatchNorm)"
};

// l1, l2 or bn-gamma (bn-gamma falls back to l1 for a group without BatchNorm).
GroupScores weight_scores(const Graph& g, const ChannelAnalysis& a, const DependencyGroup& grp,
                          ImportanceCriterion criterion);

// First-order Taylor scores of every cluster of `a`: mean over `batches` batches of
// (sum over the cluster's producing parameters -- weights, biases, BN gamma and beta -- of
// grad * w)^2, the squared first-order loss change of removing the cluster. Gradients come
// from a copy of g trained on nothing (BatchNorm uses batch statistics, as in training).
std::vector<double> taylor_scores(const Graph& g, const ChannelAnalysis& a, const Dataset& data, int64_t batches,
                                  int64_t batch_size);

}  // namespace prunq::structured
