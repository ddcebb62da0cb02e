// Per-node and total size/compute figures of a graph: parameters, MACs, weight bytes. Used by
// `prunq inspect` and by reports comparing a model before and after pruning or quantization.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace prunq {

struct NodeStats {
  std::string op;
  std::string name;
  TensorType output;         // type of the node's first output (unknown dims resolved to `batch`)
  int64_t params = 0;        // elements of the initializers this node reads (each counted once per graph)
  int64_t nonzero_params = 0;  // of those, the ones that are not exactly zero (pruning shows here)
  int64_t weight_bytes = 0;  // storage of those initializers
  int64_t macs = 0;          // multiply-accumulates of one run (Conv, ConvTranspose, Gemm, MatMul)
};

struct ModelStats {
  std::vector<NodeStats> nodes;  // in execution order
  int64_t params = 0, nonzero_params = 0, weight_bytes = 0, macs = 0;
};

// Runs shape inference on a copy of the types (the graph is not modified). Unknown dims (-1)
// count as `batch`.
ModelStats compute_model_stats(const Graph& graph, int64_t batch = 1);

// A fixed-width text table, one row per node, then the totals.
std::string format_model_stats(const ModelStats& stats);

}  // namespace prunq
