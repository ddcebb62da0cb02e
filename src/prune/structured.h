// Structured pruning: a rewrite of the one Graph that physically removes whole channels,
// neurons or blocks, so the result is a smaller dense model (no masks) that runs faster,
// saves, loads, trains and exports like any other graph.
//
//   channel  Conv filters. Every tensor coupled to a filter is cut with it: the BatchNorm after
//            it, the input channels of the convs / FCs that read it (through Flatten into a
//            Gemm: the filter's whole block of features), depthwise convs (their `group`
//            shrinks), the other branches of a residual Add, Concat / channel-Slice offsets,
//            per-channel constants of elementwise ops, grouped convs (the same in-group
//            positions in every group, so groups stay equal).
//   unit     Linear units (neurons): output features of Gemm / MatMul layers and the input
//            columns of the layers that read them.
//   block    Whole residual blocks whose shortcut is the identity (the Add is rewired to the
//            shortcut), and shape-preserving single-path layers (the layer is replaced by the
//            identity). The model's output layer is never removed.
//
// Couplings are found from the graph (src/prune/structured/dependency_groups.h), not from
// layer names, so imported ONNX models prune like zoo models. Channels that reach a graph input
// or output, or an op whose channel mapping is unknown (Transpose, Softmax over channels, ...),
// are never cut. Pruning changes the graph's structure: an Executor or Trainer built on the
// graph before must be built again (parameters keep their ValueIds where they are cut in place,
// and optimiser state resets for any parameter whose shape changed).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace prunq {

struct Dataset;

enum class StructuredMethod { kChannel, kUnit, kBlock };
enum class ImportanceCriterion {
  kL1,       // sum |w| of the producing filters / rows (Li et al. 2017); blocks: mean |w|
  kL2,       // L2 norm of the producing filters / rows; blocks: root mean square of w
  kBnGamma,  // |gamma| of the BatchNorm on the channel (Liu et al. 2017, network slimming);
             // groups without a BatchNorm fall back to L1 (the report says so)
  kTaylor,   // first-order Taylor: (sum over the group's parameters of grad * w)^2, averaged over
             // batches (Molchanov et al. 2019); blocks: (sum of grad * (removed - kept output))^2.
             // Needs StructuredPruneOptions::data.
};

// "channel" | "unit" | "block" and "l1" | "l2" | "bn-gamma" | "taylor"; anything else is an
// Error listing the accepted names.
StructuredMethod parse_structured_method(const std::string& s);
ImportanceCriterion parse_importance_criterion(const std::string& s);
const char* structured_method_name(StructuredMethod m);
const char* importance_criterion_name(ImportanceCriterion c);

struct StructuredPruneOptions {
  StructuredMethod method = StructuredMethod::kChannel;
  // channel / unit: fraction of each prunable group's channels removed (rounded to the nearest
  // channel, at least one kept); block: fraction of the removable blocks removed. In [0, 1).
  double ratio = 0.5;
  ImportanceCriterion criterion = ImportanceCriterion::kL1;
  // Layers whose output channels (or, for block, whose block) are left alone: node names or
  // their weights' names, '*' matching any run of characters ("layer1.*", "*fc2*"), as
  // unstructured pruning's keep-dense patterns. A layer left alone may still lose input
  // channels when the layer before it is cut. A pattern that names nothing is an Error.
  std::vector<std::string> exclude;
  // Kept channel counts are rounded up to a multiple of this where the group is big enough
  // (SIMD-friendly widths: 8 for AVX2, 16 for AVX-512 fp32). 1 = exact ratio.
  int64_t round_to = 1;
  // Taylor importance: labelled samples (raw inputs as the model takes them), `taylor_batches`
  // batches of `batch_size`. Gradients are taken on a copy of the graph, which is not changed.
  const Dataset* data = nullptr;
  int64_t taylor_batches = 8;
  int64_t batch_size = 64;
};

// One dependency group: a set of coupled channels that is cut together.
struct PrunedGroup {
  std::string name;                    // its first producing layer, e.g. "layer2.conv"
  std::vector<std::string> producers;  // layers whose output channels are cut (Conv / Gemm / MatMul)
  std::vector<std::string> coupled;    // other layers whose tensors shrink with it (BN, consumers, ...)
  int64_t channels_before = 0;         // prunable units in the group (channels or neurons)
  int64_t channels_after = 0;
  std::vector<int64_t> removed;        // indices of the cut units, in the group's numbering
                                       // (the output channels of `name`)
  std::string criterion;               // what ranked them ("l1", "bn-gamma", "l1 (no BatchNorm)", ...)
  bool pruned = false;
  std::string skipped_because;         // when not pruned: "excluded", "reaches the graph output", ...
};

struct RemovedBlock {
  std::string name;                // the block's merge node (residual) or first layer
  std::string kind;                // "residual" or "layer"
  std::vector<std::string> nodes;  // the nodes removed
  double importance = 0;
  int64_t params = 0;              // parameters removed with it
};

struct StructuredPruneReport {
  StructuredMethod method = StructuredMethod::kChannel;
  std::string criterion;
  std::vector<PrunedGroup> groups;          // channel / unit: every group of that kind, pruned or not
  int64_t block_candidates = 0;             // block: how many removable blocks were found
  std::vector<RemovedBlock> removed_blocks; // block: the ones removed, least important first
  int64_t params_before = 0, params_after = 0;  // trainable parameters
  int64_t macs_before = 0, macs_after = 0;      // one sample (batch 1)
};

// Prunes g in place and returns what was cut. Afterwards shape inference and the verifier pass
// on g, its initializers are smaller dense tensors (masks, if any, are cut along with them) and
// node attributes (Conv group, Reshape / Slice constants) match. Bad options (ratio outside
// [0, 1), unknown exclude names, taylor without data, round_to < 1) are an Error; a model with
// nothing prunable of the requested kind is not an error: the report lists why each group was
// skipped.
StructuredPruneReport prune_structured(Graph& g, const StructuredPruneOptions& o);

// A few lines for the CLI: one per group (or removed block) and the totals.
std::string format_structured_report(const StructuredPruneReport& r);

}  // namespace prunq
