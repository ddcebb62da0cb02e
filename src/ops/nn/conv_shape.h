// Shape rules of ONNX Conv, shared by its shape inference and its forward/backward: checks X,
// W and B against each other and the attributes, naming the node and the shapes on a mismatch.
// Dims of -1 (unknown while inferring) pass the checks and give -1 output dims.
#pragma once
#include <cstdint>

#include "core/tensor.h"
#include "graph/graph.h"
#include "ops/nn/window_geometry.h"

namespace prunq::nn {

struct ConvShape {
  int64_t batch, in_channels, out_channels, group;
  int64_t group_in, group_out;  // channels per group (in: weight dim 1)
  WindowGeometry geo;
  Shape output;                 // [N, M, out spatial...]
  bool depthwise() const { return group > 1 && group == in_channels && group_in == 1; }
};

// bias: nullptr when the optional input B is omitted.
ConvShape conv_shape(const Node& node, const Shape& x, const Shape& w, const Shape* bias);

}  // namespace prunq::nn
