// Shape rules shared by MaxPool and AveragePool: kernel_shape (required), strides, pads,
// dilations, auto_pad and ceil_mode over X [N, C, spatial...].
#pragma once
#include "core/tensor.h"
#include "graph/graph.h"
#include "ops/nn/window_geometry.h"

namespace prunq::nn {

struct PoolShape {
  WindowGeometry geo;
  Shape output;  // [N, C, out spatial...]; -1 where unknown
};

PoolShape pool_shape(const Node& node, const Shape& x);

// Number of planes (N * C) and the 2-D window of a pool on a concrete input shape.
struct PoolRun {
  int64_t planes;
  Window2d w;
  Shape output;
};
PoolRun plan_pool(const Node& node, const Shape& x);

}  // namespace prunq::nn
