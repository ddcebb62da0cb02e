// Before/after figures of a pruning run, per layer: sparsity, parameters, MACs and bytes.
// Rows are the nodes that read trainable parameters, matched by node name (a layer structured pruning
// removed shows "removed"). Sparsity is the share of the layer's original parameters that are
// gone (zeros, or cut away by structured pruning); MACs are those a sparse kernel performs: the
// dense count scaled by the density of the layer's weight; bytes are the layer's parameters
// stored densely (what they occupy in memory; the model file may store sparse tensors smaller).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace prunq {

struct LayerFigures {
  int64_t params = 0;    // elements of its initializers
  int64_t nonzero = 0;
  int64_t macs = 0;      // dense MACs times the weight's density, batch 1
  int64_t bytes = 0;
};

struct LayerComparison {
  std::string layer, op;
  LayerFigures before, after;
  bool removed = false;  // absent from the pruned graph
  double sparsity_before() const { return before.params ? 1.0 - double(before.nonzero) / double(before.params) : 0; }
  double sparsity_after() const { return before.params ? 1.0 - double(after.nonzero) / double(before.params) : 0; }
};

struct PruneComparison {
  std::vector<LayerComparison> layers;  // in the original graph's execution order
  LayerComparison total;
};

PruneComparison compare_pruning(const Graph& before, const Graph& after);

std::string format_prune_comparison(const PruneComparison& c);

}  // namespace prunq
