#include "train/optimizer.h"

#include "core/thread_pool.h"
#include "train/adam.h"
#include "train/sgd.h"

namespace prunq {
namespace {

// t *= mask of `init` (t: the weight itself, its gradient or one of its optimiser states).
void multiply_by_mask(const Graph& graph, ValueId id, const Initializer& init, Tensor& t) {
  PRUNQ_CHECK(init.mask.shape() == init.data.shape() && init.mask.dtype() == DType::f32, "mask of '",
              graph.value(id).name, "' is ", init.mask.desc(), ", the weight is ", init.data.desc());
  PRUNQ_CHECK(t.shape() == init.mask.shape() && t.dtype() == DType::f32 && t.is_contiguous(), "masking '",
              graph.value(id).name, "': tensor ", t.desc(), " does not match its mask ", init.mask.desc());
  float* w = t.f32();
  const Tensor mask = init.mask.contiguous();
  const float* m = mask.f32();
  parallel_for(t.numel(), [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) w[i] *= m[i];
  }, 1 << 14);
}

}  // namespace

Tensor& Optimizer::state(ValueId id, int slot, const Shape& shape, bool* fresh) {
  Tensor& t = state_[{id, slot}];
  const bool reset = !t.defined() || t.shape() != shape;
  if (reset) t = Tensor::zeros(DType::f32, shape);
  if (fresh) *fresh = reset;
  return t;
}

const Tensor* Optimizer::state_of(ValueId id, int slot) const {
  auto it = state_.find({id, slot});
  return it == state_.end() ? nullptr : &it->second;
}

void Optimizer::step(const std::map<ValueId, Tensor>& grads, float lr) {
  ++steps_;
  for (const auto& [id, grad] : grads) {
    Initializer* init = graph_.initializer(id);
    PRUNQ_CHECK(init && init->trainable, name(), ": got a gradient for '", graph_.value(id).name,
                "', which is not a trainable initializer");
    PRUNQ_CHECK(init->data.dtype() == DType::f32 && init->data.is_contiguous(), name(), ": parameter '",
                graph_.value(id).name, "' must be contiguous f32, is ", init->data.desc());
    PRUNQ_CHECK(grad.shape() == init->data.shape() && grad.dtype() == DType::f32, name(), ": gradient of '",
                graph_.value(id).name, "' is ", grad.desc(), ", parameter is ", init->data.desc());
    if (init->mask.defined()) {
      // A masked copy: the caller's gradients are left as they were given.
      Tensor masked = grad.clone();
      multiply_by_mask(graph_, id, *init, masked);
      update(id, init->data, masked, lr, steps_);
    } else {
      update(id, init->data, grad.contiguous(), lr, steps_);
    }
  }
  apply_masks(graph_);
  mask_state();
}

void Optimizer::mask_state() {
  for (auto& [key, t] : state_) {
    const Initializer* init = graph_.initializer(key.first);
    if (init && init->trainable && init->mask.defined() && t.shape() == init->mask.shape())
      multiply_by_mask(graph_, key.first, *init, t);
  }
}

void apply_masks(Graph& graph) {
  for (auto& [id, init] : graph.initializers())
    if (init.trainable && init.mask.defined()) multiply_by_mask(graph, id, init, init.data);
}

void mask_gradients(const Graph& graph, std::map<ValueId, Tensor>& grads) {
  for (auto& [id, grad] : grads) {
    const Initializer* init = graph.initializer(id);
    if (!init || !init->trainable || !init->mask.defined()) continue;
    if (!grad.is_contiguous()) grad = grad.contiguous();
    multiply_by_mask(graph, id, *init, grad);
  }
}

std::unique_ptr<Optimizer> make_optimizer(Graph& graph, const OptimizerConfig& c) {
  PRUNQ_CHECK(c.lr > 0, "optimizer: learning rate must be positive, got ", c.lr);
  PRUNQ_CHECK(c.weight_decay >= 0, "optimizer: weight decay must be >= 0, got ", c.weight_decay);
  if (c.kind == "sgd") return std::make_unique<Sgd>(graph, SgdOptions{c.momentum, c.dampening, c.nesterov, c.weight_decay});
  if (c.kind == "adam" || c.kind == "adamw")
    return std::make_unique<Adam>(graph, AdamOptions{c.beta1, c.beta2, c.eps, c.weight_decay, c.kind == "adamw"});
  fail("unknown optimizer '", c.kind, "' (known: sgd, adam, adamw)");
}

}  // namespace prunq
