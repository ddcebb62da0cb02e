// Which tensors of a Graph pruning works on, and how their elements map to the matrix product
// the layer computes. Prunable weights are the trainable f32 weight initializers of Conv
// (input 1, [O, I/groups, k...]), Gemm (input 1, B) and MatMul (input 1, B); biases,
// normalisation parameters and constants never are.
//
// Every prunable weight is viewed as `outputs` rows of `reduction` elements (one row per output
// channel / unit, summed into one output). Conv and Gemm with transB store a row contiguously;
// Gemm without transB and MatMul store B as [K, N], so a row is a column there. N:M patterns
// run along a row; the layout fields say where its elements are.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace prunq {

struct PrunableWeight {
  ValueId weight = kNoValue;
  NodeId node = -1;
  std::string layer;        // the node's name ("layer1.conv", "fc1")
  std::string weight_name;  // the initializer's value name ("fc1.weight")
  std::string op;           // "Conv", "Gemm" or "MatMul"
  int64_t outputs = 0;      // rows: output channels / units
  int64_t reduction = 0;    // elements per row
  int64_t row_stride = 0;   // element offset between rows
  int64_t col_stride = 0;   // element offset between consecutive elements of a row
  int64_t numel() const { return outputs * reduction; }
  int64_t index(int64_t row, int64_t col) const { return row * row_stride + col * col_stride; }
};

// In node order. A weight read by several nodes (shared) is listed once, with its first reader.
std::vector<PrunableWeight> find_prunable_weights(const Graph& graph);

// Glob match with '*' only (layer names contain '.', '[', digits; nothing else is special).
// Structured pruning's exclusions use it too, so every --keep-dense / exclude pattern reads alike.
bool glob_match(const std::string& pattern, const std::string& text);

// Does `pattern` name this layer? A pattern matches the layer's node name or its weight's value
// name; '*' matches any run of characters ("layer1.*", "*fc2*").
bool names_layer(const std::string& pattern, const PrunableWeight& w);

// The prunable weights not named by any of `keep_dense`. A pattern that names no prunable
// weight at all is an Error listing the prunable layers (a typo must not silently prune).
std::vector<PrunableWeight> select_prunable(const Graph& graph, const std::vector<std::string>& keep_dense);

}  // namespace prunq
