// Small helpers shared by the shape/layout ops and the axis-taking elementwise ops: axis
// normalisation, reading integer lists from (constant) tensors, and products of partly unknown
// dimensions. Every error names the op and node, so a bad model says where it is bad.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "graph/graph.h"

namespace prunq {

// "node 'conv1' (Concat)" -- the prefix of every error message raised by these ops.
std::string node_desc(const Node& node);

// Maps axis from [-rank, rank) to [0, rank); throws naming the node and `what` when out of range.
int64_t normalize_axis(int64_t axis, int64_t rank, const Node& node, const char* what = "axis");

// Reads a 0-d or 1-d int64/int32 tensor (shapes, axes, pads) as int64 values.
std::vector<int64_t> read_int_list(const Tensor& t, const Node& node, const char* what);

// Reads a one-element float tensor (Clip bounds, Dropout ratio, Pad value) as float.
float read_float_scalar(const Tensor& t, const Node& node, const char* what);

// Product of dims [begin, end), or -1 when any of them is unknown (-1).
int64_t dims_product(const Shape& s, size_t begin, size_t end);

// Normalises and sorts a list of axes for a tensor of `rank`; throws on duplicates.
std::vector<int64_t> normalize_axes(const std::vector<int64_t>& axes, int64_t rank, const Node& node,
                                    const char* what = "axes");

}  // namespace prunq
