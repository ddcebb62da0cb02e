// Pruning masks on the one Graph. A pruned weight is an ordinary dense tensor with zeros where
// weights were removed, plus Initializer::mask (f32, 1 = kept, 0 = pruned) so that any later
// training keeps them removed (see train/optimizer.h). Pruning only ever tightens a mask:
// a weight once removed stays removed, whatever a later criterion says about it.
#pragma once
#include <cstdint>

#include "graph/graph.h"

namespace prunq {

// The initializer's mask, or all ones when it has none.
Tensor mask_or_ones(const Initializer& init);

// mask = old mask AND keep (keep: f32 0/1, the weight's shape), and zeroes the removed weights.
// A shape or dtype mismatch is an Error naming the weight.
void tighten_mask(Graph& graph, ValueId weight, const Tensor& keep);

// Removed weights of an initializer: zeros of its mask, or of its data when it has no mask
// (a model pruned elsewhere and saved without masks still reports its sparsity).
int64_t pruned_count(const Initializer& init);

}  // namespace prunq
