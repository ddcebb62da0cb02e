// Runs any Graph. Inference mode frees each activation after its last use; training mode keeps
// activations (and what ops saved) so backward() can differentiate the graph.
// The executor shares the graph's initializer storage: an optimiser updating the graph's
// trainable tensors in place is seen by the next forward without rebuilding anything.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <vector>

#include "graph/graph.h"
#include "ops/op.h"

namespace prunq {

class Executor {
 public:
  // Verifies the graph, runs shape inference, resolves every op (unknown ops are one Error
  // listing all of them). The graph must outlive the executor and not change structure.
  explicit Executor(const Graph& graph, uint64_t seed = 0);

  // Forward pass; inputs in graph-input order, checked against the declared types/shapes
  // (a wrong shape names the input, the expected and the given shape). Returns graph outputs.
  std::vector<Tensor> run(const std::vector<Tensor>& inputs, bool training = false);

  // After a training-mode run(): the value of any graph value (activations, outputs).
  const Tensor& value(ValueId v) const;

  // After a training-mode run(): back-propagates from the scalar value `loss` (gradient 1) and
  // returns the gradient of every trainable initializer reached, keyed by its ValueId.
  // `wrt` adds values (graph inputs, activations, frozen weights) whose gradient is wanted too.
  // Kept afterwards for grad(): trainable initializers, the `wrt` values and the loss; other
  // gradients are freed as soon as they have been propagated (see runtime/autodiff.h).
  std::map<ValueId, Tensor> backward(ValueId loss, const std::vector<ValueId>& wrt = {});
  const Tensor* grad(ValueId v) const;  // nullptr when no gradient reached v

  const Graph& graph() const { return graph_; }
  const std::vector<NodeId>& order() const { return order_; }

 private:
  struct Impl;
  const Graph& graph_;
  std::vector<NodeId> order_;
  std::shared_ptr<Impl> impl_;
};

}  // namespace prunq
