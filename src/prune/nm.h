// N:M semi-structured sparsity: in every group of M consecutive weights along a layer's
// reduction (the elements summed into one output, see PrunableWeight), at most N are kept --
// the N largest by magnitude (or by the given scores). 2:4 is what sparse tensor hardware and
// the N:M storage of the .prunq file exploit. A row whose length is not a multiple of M ends in
// a shorter group that keeps at most N as well (the pattern of the row padded with zeros).
// Fine-tuning keeps the pattern: the mask is fixed and the optimisers honour it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "prune/prunable.h"
#include "prune/select.h"

namespace prunq {

struct NmPattern {
  int64_t n = 2;
  int64_t m = 4;
  std::string str() const { return std::to_string(n) + ":" + std::to_string(m); }
};

// "2:4", "1:8", ...: 1 <= N < M <= 256; anything else is an Error.
NmPattern parse_nm_pattern(const std::string& s);

// Prunes every weight of the pool to the pattern. Without scores, magnitude decides. Weights
// already pruned stay pruned (they count against N, so a group never exceeds N kept).
PruneResult prune_nm(Graph& graph, const std::vector<PrunableWeight>& pool, NmPattern pattern,
                     const ScoreMap* scores = nullptr);

// Does the weight (its non-zeros) follow the pattern along its reduction rows?
bool follows_nm(const Tensor& weight, const PrunableWeight& layout, NmPattern pattern);

}  // namespace prunq
