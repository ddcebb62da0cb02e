// Reverse-mode differentiation of a graph whose training-mode forward pass has just run.
//
// Only nodes on a path from a differentiable source (a trainable initializer or a value listed in
// `wrt`) to the loss are differentiated; inputs an op declares non-differentiable (shapes, labels,
// integer tensors) are skipped. Where a value feeds several nodes (fan-out, residual adds) the
// gradients are summed. A node that must be differentiated but whose op has no backward rule is an
// Error naming the op and the node. Gradients of intermediate values are released as soon as the
// node producing that value has consumed them.
#pragma once
#include <map>
#include <vector>

#include "graph/graph.h"
#include "runtime/execution_state.h"

namespace prunq {

// Seeds d(loss)/d(loss) = 1 and walks `order` backwards. Afterwards state.grads holds the
// gradients of the trainable initializers, of the `wrt` values and of the loss itself (other
// entries are undefined). Returns the gradients of the trainable initializers that were reached.
std::map<ValueId, Tensor> backpropagate(const Graph& graph, const std::vector<NodeId>& order, ExecutionState& state,
                                        ValueId loss, const std::vector<ValueId>& wrt);

}  // namespace prunq
