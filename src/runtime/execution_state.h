// What the executor keeps between run() and backward(): resolved ops, per-node state, the
// values of the last run and the gradients of the last backward. Internal to src/runtime.
#pragma once
#include <vector>

#include "graph/graph.h"
#include "ops/op.h"

namespace prunq {

struct ExecutionState {
  std::vector<const Op*> ops;          // by NodeId, resolved once
  std::vector<NodeState> node_states;  // by NodeId, alive as long as the executor (prepacked weights)
  std::vector<TensorType> types;       // by ValueId, from shape inference
  std::vector<Tensor> values;          // by ValueId: the last run's tensors (inference mode frees early)
  bool training_values_ready = false;  // the last run() was training mode and completed
  std::vector<Tensor> grads;           // by ValueId: what the last backward() kept
};

}  // namespace prunq
