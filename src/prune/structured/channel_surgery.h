// The rewrite that makes channel / unit pruning real: every tensor that carries a removed
// channel is sliced (parameters and their masks), the attributes and constants that depend on
// channel counts are rewritten (Conv group, channel-Slice bounds, Reshape targets), and the
// graph's types are inferred again. The result is an ordinary, smaller dense graph.
#pragma once
#include <vector>

#include "graph/graph.h"
#include "prune/structured/dependency_groups.h"

namespace prunq::structured {

// Removes every channel whose cluster is not alive (alive: one flag per cluster of `a`, which
// must be the analysis of g as it is now). Shared parameters that need different cuts per use
// are split into one tensor per use. Ends with shape inference and the verifier.
void cut_channels(Graph& g, const ChannelAnalysis& a, const std::vector<bool>& alive);

}  // namespace prunq::structured
