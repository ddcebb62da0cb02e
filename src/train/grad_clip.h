// Gradient clipping by global L2 norm (torch.nn.utils.clip_grad_norm_): when the norm of all
// gradients together exceeds max_norm, every gradient is scaled by max_norm / (norm + 1e-6).
#pragma once
#include <map>

#include "graph/graph.h"

namespace prunq {

double global_grad_norm(const std::map<ValueId, Tensor>& grads);

// Scales the gradients in place when needed; returns the norm before clipping.
// max_norm must be positive; a non-finite norm is an Error (the step would destroy the weights).
double clip_grad_norm(std::map<ValueId, Tensor>& grads, double max_norm);

}  // namespace prunq
