// Which channels of a graph must be cut together. Every value with a channel axis (axis 1 of
// NCHW activations and of [N, F] features) gets one "element" per channel; each op ties the
// elements it couples (Relu ties its input channel c to its output channel c, a residual Add
// ties the channels of both branches, Flatten ties conv channel c to its block of features, a
// depthwise conv ties its input channel to its output channels, a grouped conv ties the same
// in-group position across groups, ...). Tied elements form a cluster: the unit that is kept
// or removed as a whole. Values whose elements are tied form a dependency group.
//
// Elements that reach a graph input or output, or an op whose channel mapping is unknown,
// are "fixed" (with the reason); a cluster holding a fixed element is never cut.
//
// Parameters are not values here: the analysis lists, for each parameter tensor a node reads,
// which element every index along an axis belongs to (ParamCut), so surgery can slice it and
// importance criteria can score it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace prunq::structured {

// What a parameter slice is to the channel it belongs to.
enum class CutRole {
  kProducerWeight,   // Conv filter / Gemm / MatMul output row: computes the channel
  kProducerBias,     // its bias
  kDepthwiseWeight,  // depthwise filter: channel in -> channel out (output tied to input)
  kBnScale,          // BatchNormalization gamma
  kBnShift,          // BatchNormalization beta
  kBnStatistic,      // running mean / variance
  kConsumerWeight,   // input columns of a Conv / Gemm / MatMul reading the channel
  kConstant,         // per-channel operand of an elementwise op, constant input of a Concat
};

// Index i along `axis` of input `input` (an initializer) of `node` belongs to element[i].
struct ParamCut {
  NodeId node = -1;
  int input = 0;
  int axis = 0;
  CutRole role = CutRole::kConsumerWeight;
  std::vector<int64_t> element;
};

// Node attributes or constant inputs that depend on channel counts (besides parameters).
enum class ShapeFixKind {
  kConvGroup,     // Conv with group > 1: group = new input channels / new weight dim 1
  kChannelSlice,  // Slice over the channel axis: starts/ends entry `position`
  kReshapeShape,  // Reshape: the target shape's dim 1
};
struct ShapeFix {
  NodeId node = -1;
  ShapeFixKind kind = ShapeFixKind::kConvGroup;
  int64_t position = 0;  // kChannelSlice: which entry of starts/ends is the channel axis
  int64_t start = 0;     // kChannelSlice: the first input channel it takes
};

struct ChannelRange {
  int64_t begin = 0, count = 0;  // count 0: the value has no tracked channel axis
};

struct DependencyGroup {
  std::vector<ValueId> values;    // in topological order of their producers
  ValueId numbering = kNoValue;   // the widest value; its channel order numbers `clusters`
  std::vector<int64_t> clusters;  // the group's prunable units (clusters), in that numbering
  std::vector<NodeId> producers;  // nodes computing the group's channels (kProducerWeight), topo order
  std::vector<NodeId> coupled;    // other nodes with cuts or shape fixes in the group, topo order
  bool conv = false;              // some producer is a Conv (else all are Gemm / MatMul)
};

struct ChannelAnalysis {
  std::vector<ChannelRange> range;                   // per ValueId
  std::vector<ValueId> value_of;                     // per element
  std::vector<int64_t> cluster_of;                   // per element, dense cluster ids
  std::vector<std::vector<int64_t>> cluster_elements;
  std::vector<std::string> fixed_reason;             // per cluster; empty: may be cut
  std::vector<int64_t> group_of;                     // per cluster: index into groups
  std::vector<ParamCut> cuts;
  std::vector<ShapeFix> fixes;
  std::vector<DependencyGroup> groups;               // those with at least one producer

  int64_t num_elements() const { return static_cast<int64_t>(value_of.size()); }
  int64_t num_clusters() const { return static_cast<int64_t>(cluster_elements.size()); }
};

// Shape inference must be possible (it runs on a copy of the types). `keep` lists nodes whose
// output channels must stay: the clusters they produce are fixed with reason "excluded".
ChannelAnalysis analyze_channels(const Graph& g, const std::vector<NodeId>& keep = {});

}  // namespace prunq::structured
