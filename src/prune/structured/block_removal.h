// Structural pruning: whole blocks out, graph rewired.
//   residual  an Add whose one input is the identity shortcut x and whose other input is a
//             branch computed from x alone (nothing else reads the branch's values): the Add's
//             output is replaced by x and the branch and the Add go.
//   layer     a Conv / Gemm / MatMul and the per-channel ops after it (BatchNorm, activations),
//             one path, whose output has exactly its input's type: its output is replaced by its
//             input (the layer becomes the identity).
// Blocks whose output is a graph output are never candidates (the model keeps its outputs).
#pragma once
#include <string>
#include <vector>

#include "graph/graph.h"
#include "prune/structured.h"

namespace prunq::structured {

struct BlockCandidate {
  std::string kind;          // "residual" or "layer"
  NodeId head = -1;          // residual: the Add; layer: the weight node
  int shortcut_input = 0;    // residual: which Add input is the shortcut
  std::vector<NodeId> nodes; // everything removed with it, in topological order
  ValueId input = kNoValue;  // what takes over (shortcut / the layer's input)
  ValueId output = kNoValue; // what is replaced (the Add's / the layer's output)
  ValueId branch = kNoValue; // residual: the branch output (the Add's other input); layer: = output
};

std::vector<BlockCandidate> find_block_candidates(const Graph& g);

// One score per candidate (higher = more important) and, in *used, the criterion as applied.
// l1 / l2: mean |w| / root mean square of the block's weights; bn-gamma: mean |gamma| of the
// block's last BatchNorm (l1 for blocks without one); taylor: mean over batches of
// (sum of grad * change of the replaced value)^2 (removing a residual branch changes the
// Add's output by -branch; replacing a layer changes its output by input - output).
std::vector<double> block_scores(const Graph& g, const std::vector<BlockCandidate>& cands,
                                 const StructuredPruneOptions& o, std::string* used);

// Removes the given (non-overlapping) candidates of g, rewires, re-infers shapes and verifies.
void remove_blocks(Graph& g, const std::vector<BlockCandidate>& chosen);

}  // namespace prunq::structured
