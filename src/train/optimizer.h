// Optimisers update a graph's trainable initializers in place from a map of gradients (as
// Executor::backward returns them). After every step each trainable initializer with a pruning
// mask is multiplied by it again, so pruned weights stay exactly zero while fine-tuning.
// Semantics follow PyTorch's torch.optim (SGD, Adam, AdamW), so recipes carry over.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "graph/graph.h"

namespace prunq {

class Optimizer {
 public:
  explicit Optimizer(Graph& graph) : graph_(graph) {}
  virtual ~Optimizer() = default;
  virtual std::string name() const = 0;

  // One update with learning rate lr. Parameters without a gradient are left alone (like PyTorch
  // parameters whose .grad is None); gradients of non-trainable values are an Error.
  void step(const std::map<ValueId, Tensor>& grads, float lr);
  int64_t steps_taken() const { return steps_; }
  Graph& graph() { return graph_; }

 protected:
  // Updates one parameter; `step` counts from 1. Implementations keep their own per-parameter state.
  virtual void update(ValueId id, Tensor& param, const Tensor& grad, float lr, int64_t step) = 0;
  // Per-parameter state tensor `slot` (e.g. momentum), zero-initialised on first use and reset
  // when the parameter changed shape (structured pruning shrinks tensors between steps); *fresh
  // (optional) tells whether that just happened.
  Tensor& state(ValueId id, int slot, const Shape& shape, bool* fresh = nullptr);

 private:
  Graph& graph_;
  int64_t steps_ = 0;
  std::map<std::pair<ValueId, int>, Tensor> state_;
};

// Multiplies every trainable initializer that has a mask by it (shape mismatches are an Error).
void apply_masks(Graph& graph);

struct OptimizerConfig {
  std::string kind = "adam";   // "sgd", "adam" or "adamw"
  float lr = 1e-3f;            // base learning rate (the schedule scales from it)
  float weight_decay = 0.f;    // sgd/adam: L2 added to the gradient; adamw: decoupled decay
  float momentum = 0.f;        // sgd
  float dampening = 0.f;       // sgd
  bool nesterov = false;       // sgd (needs momentum > 0)
  float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;  // adam/adamw
};

// Unknown kinds and out-of-range hyper-parameters are an Error.
std::unique_ptr<Optimizer> make_optimizer(Graph& graph, const OptimizerConfig& config);

}  // namespace prunq
