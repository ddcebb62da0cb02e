// Optimisers update a graph's trainable initializers in place from a map of gradients (as
// Executor::backward returns them). Pruning masks (Initializer::mask) hold through any training:
// a masked parameter's gradient is multiplied by its mask before the update, the parameter after
// it, and so is every per-parameter state tensor (momentum, Adam's moments). Pruned weights,
// their gradients and their optimiser state therefore stay exactly zero. A mask set or tightened
// between steps (gradual pruning) clears the state of the newly pruned weights at the next step
// at the latest, or at once through mask_state().
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
  // Per-parameter state `slot` (0: SGD momentum / Adam's first moment, 1: Adam's second moment),
  // nullptr before the parameter's first update. For checks and tests.
  const Tensor* state_of(ValueId id, int slot) const;
  // Zeroes the state entries of masked parameters where their mask is zero. step() does it
  // after every update; a pruning schedule that tightens masks between steps calls it at once.
  void mask_state();
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

// Multiplies, in place, the gradient of every masked trainable initializer by its mask. The
// trainer calls it before gradient callbacks and clipping so both see the gradient that is
// applied (pruned weights contribute nothing to the global norm).
void mask_gradients(const Graph& graph, std::map<ValueId, Tensor>& grads);

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
