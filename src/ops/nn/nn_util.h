// Small helpers shared by the neural-network ops: error-message prefixes, dtype/rank checks and
// a per-thread scratch buffer (im2col columns, gathered gradients) that is reused between calls
// so a training step does not map and fault in fresh pages for every convolution.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "graph/graph.h"

namespace prunq::nn {

// "Conv node 'conv1'": the start of every error message an nn op throws.
inline std::string where(const Node& n) { return n.op + " node '" + n.name + "'"; }

// Throws unless t is f32; returns a contiguous view (or copy) of it.
Tensor f32_input(const Node& n, const Tensor& t, const char* what);

// Throws unless the statically known type is f32 (or the rank is unknown).
void check_f32_type(const Node& n, const TensorType& t, const char* what);

// Per-thread reusable float buffer. slot separates buffers that are alive at the same time.
float* scratch(int slot, size_t count);

// Product of dims [from, to) of a shape.
int64_t dims_product(const Shape& s, size_t from, size_t to);

}  // namespace prunq::nn
