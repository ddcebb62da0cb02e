#include "prune/nm.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "prune/criteria.h"
#include "prune/mask.h"

namespace prunq {

NmPattern parse_nm_pattern(const std::string& s) {
  const size_t colon = s.find(':');
  NmPattern p;
  bool ok = colon != std::string::npos;
  if (ok) {
    const char* b = s.data();
    ok = std::from_chars(b, b + colon, p.n).ec == std::errc() &&
         std::from_chars(b + colon + 1, b + s.size(), p.m).ec == std::errc();
    // from_chars stops at the first non-digit; the whole string must be consumed.
    ok = ok && std::to_string(p.n) + ":" + std::to_string(p.m) == s;
  }
  PRUNQ_CHECK(ok && p.n >= 1 && p.n < p.m && p.m <= 256, "bad N:M pattern '", s,
              "': expected N:M with 1 <= N < M <= 256, e.g. 2:4");
  return p;
}

PruneResult prune_nm(Graph& graph, const std::vector<PrunableWeight>& pool, NmPattern pattern, const ScoreMap* scores) {
  PRUNQ_CHECK(pattern.n >= 1 && pattern.n < pattern.m, "prune: bad N:M pattern ", pattern.str());
  const ScoreMap magnitude = scores ? ScoreMap() : magnitude_scores(graph, pool);
  const ScoreMap& s = scores ? *scores : magnitude;
  constexpr float kPruned = -std::numeric_limits<float>::infinity();
  for (const PrunableWeight& w : pool) {
    auto it = s.find(w.weight);
    PRUNQ_CHECK(it != s.end() && it->second.numel() == w.numel(), "prune: no N:M scores for layer '", w.layer, "'");
    const Tensor sc = it->second.contiguous();
    const Tensor mask = mask_or_ones(*graph.initializer(w.weight));
    Tensor keep = Tensor::zeros(DType::f32, graph.initializer(w.weight)->data.shape());
    std::vector<std::pair<float, int64_t>> group;  // (score, element index)
    for (int64_t row = 0; row < w.outputs; ++row) {
      for (int64_t c0 = 0; c0 < w.reduction; c0 += pattern.m) {
        group.clear();
        for (int64_t c = c0; c < std::min(c0 + pattern.m, w.reduction); ++c) {
          const int64_t i = w.index(row, c);
          group.push_back({mask.f32()[i] == 0.f ? kPruned : sc.f32()[i], i});
        }
        // Highest scores first; ties keep the earlier element.
        std::stable_sort(group.begin(), group.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
        for (size_t k = 0; k < group.size() && int64_t(k) < pattern.n; ++k)
          if (group[k].first != kPruned) keep.f32()[group[k].second] = 1.f;
      }
    }
    tighten_mask(graph, w.weight, keep);
  }
  return current_sparsity(graph, pool);
}

bool follows_nm(const Tensor& weight, const PrunableWeight& w, NmPattern pattern) {
  const Tensor t = weight.contiguous();
  if (t.numel() != w.numel()) return false;
  for (int64_t row = 0; row < w.outputs; ++row) {
    for (int64_t c0 = 0; c0 < w.reduction; c0 += pattern.m) {
      int64_t nonzero = 0;
      for (int64_t c = c0; c < std::min(c0 + pattern.m, w.reduction); ++c) nonzero += t.f32()[w.index(row, c)] != 0.f;
      if (nonzero > pattern.n) return false;
    }
  }
  return true;
}

}  // namespace prunq
