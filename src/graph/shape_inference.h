// Whole-graph shape inference: walks the nodes in topological order and asks each op's
// Op::infer for its output types, feeding it the types of its inputs and, where an input is an
// initializer, its constant value (Reshape's shape, Clip's bounds, Squeeze's axes...).
// Unknown dims (-1, typically the batch) propagate through the ops.
#pragma once
#include <vector>

#include "graph/graph.h"

namespace prunq {

// Types of every value, indexed by ValueId, without touching the graph. Graph inputs keep their
// declared types, initializers take the type of their data. A failing op is an Error naming the
// node, its op type and its input types.
std::vector<TensorType> compute_value_types(const Graph& graph);

// Same, and stores the result into each Value::type.
void infer_shapes(Graph& graph);

}  // namespace prunq
