#include "prune/select.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "prune/mask.h"

namespace prunq {
namespace {

constexpr float kAlreadyPruned = -std::numeric_limits<float>::infinity();

// The value of the last pattern in `list` naming w, or `def`.
double last_match(const std::vector<std::pair<std::string, double>>& list, const PrunableWeight& w, double def) {
  double v = def;
  for (const auto& [pattern, x] : list)
    if (names_layer(pattern, w)) v = x;
  return v;
}

int64_t count_of(double fraction, int64_t n) { return std::llround(fraction * double(n)); }

// One layer's selection keys: its scores, with already-pruned weights at -inf so they go first.
struct LayerKeys {
  const PrunableWeight* w = nullptr;
  std::vector<float> key;
  int64_t already = 0;     // pruned before this selection
  int64_t cap = 0;         // most weights it may lose
  bool fixed = false;      // has its own fraction
  int64_t fixed_count = 0;
};

LayerKeys make_keys(const Graph& g, const PrunableWeight& w, const ScoreMap& scores, const SparsityTarget& t) {
  auto it = scores.find(w.weight);
  PRUNQ_CHECK(it != scores.end(), "prune: no score for layer '", w.layer, "'");
  const Tensor s = it->second.contiguous();
  PRUNQ_CHECK(s.dtype() == DType::f32 && s.numel() == w.numel(), "prune: scores of layer '", w.layer, "' are ",
              s.desc(), ", the weight has ", w.numel(), " elements");
  const Initializer& init = *g.initializer(w.weight);
  const Tensor mask = mask_or_ones(init);
  LayerKeys k;
  k.w = &w;
  k.key.resize(size_t(w.numel()));
  const float* sp = s.f32();
  const float* mp = mask.f32();
  for (int64_t i = 0; i < w.numel(); ++i) {
    PRUNQ_CHECK(std::isfinite(sp[i]), "prune: layer '", w.layer, "' has a non-finite score (", sp[i],
                ") at element ", i, "; the criterion diverged");
    if (mp[i] == 0.f) {
      k.key[size_t(i)] = kAlreadyPruned;
      ++k.already;
    } else {
      k.key[size_t(i)] = sp[i];
    }
  }
  const double cap = std::min(t.max_layer_sparsity, last_match(t.layer_caps, w, 1.0));
  k.cap = std::max<int64_t>(int64_t(std::floor(cap * double(w.numel()) + 1e-9)), k.already);
  const double fixed = last_match(t.layer_sparsity, w, -1.0);
  if (fixed >= 0) {
    k.fixed = true;
    k.fixed_count = std::min(count_of(fixed, w.numel()), k.cap);
  }
  return k;
}

// 1 where the weight is kept: everything but the `count` lowest keys (ties: lower index first).
Tensor keep_all_but_lowest(const LayerKeys& k, int64_t count) {
  const int64_t n = int64_t(k.key.size());
  Tensor keep = Tensor::full({n}, 1.f);
  if (count <= 0) return keep;
  std::vector<int64_t> idx(static_cast<size_t>(n));
  std::iota(idx.begin(), idx.end(), 0);
  auto less = [&](int64_t a, int64_t b) { return k.key[size_t(a)] < k.key[size_t(b)] || (k.key[size_t(a)] == k.key[size_t(b)] && a < b); };
  if (count < n) std::nth_element(idx.begin(), idx.begin() + count, idx.end(), less);
  float* kp = keep.f32();
  for (int64_t i = 0; i < std::min(count, n); ++i) kp[idx[size_t(i)]] = 0.f;
  return keep;
}

// Per-layer counts for removing the `budget` lowest keys across `layers` (ties in layer order,
// then by position, as keep_all_but_lowest breaks them within a layer).
std::vector<int64_t> global_counts(const std::vector<LayerKeys*>& layers, int64_t budget) {
  std::vector<int64_t> counts(layers.size(), 0);
  int64_t total = 0;
  for (const LayerKeys* l : layers) total += int64_t(l->key.size());
  if (budget <= 0) return counts;
  if (budget >= total) {
    for (size_t i = 0; i < layers.size(); ++i) counts[i] = int64_t(layers[i]->key.size());
    return counts;
  }
  std::vector<float> all;
  all.reserve(size_t(total));
  for (const LayerKeys* l : layers) all.insert(all.end(), l->key.begin(), l->key.end());
  std::nth_element(all.begin(), all.begin() + (budget - 1), all.end());
  const float threshold = all[size_t(budget - 1)];
  int64_t below = 0;
  std::vector<int64_t> ties(layers.size(), 0);
  for (size_t i = 0; i < layers.size(); ++i) {
    for (float v : layers[i]->key) {
      counts[i] += v < threshold;
      ties[i] += v == threshold;
    }
    below += counts[i];
  }
  int64_t left = budget - below;
  for (size_t i = 0; i < layers.size() && left > 0; ++i) {
    const int64_t take = std::min(left, ties[i]);
    counts[i] += take;
    left -= take;
  }
  return counts;
}

}  // namespace

PruneScope parse_prune_scope(const std::string& s) {
  if (s == "layer") return PruneScope::kLayer;
  if (s == "global") return PruneScope::kGlobal;
  fail("unknown pruning scope '", s, "' (known: layer, global)");
}

SparsityTarget ramped_target(const SparsityTarget& final, double sparsity) {
  SparsityTarget t = final;
  t.sparsity = sparsity;
  if (sparsity >= final.sparsity) return t;
  // ln(1 - s) / ln(1 - S): 0 at s = 0, 1 at s = S; S = 1 ramps against a density floor of 1e-12.
  const double e = std::log1p(-std::min(sparsity, 1 - 1e-12)) / std::log1p(-std::min(final.sparsity, 1 - 1e-12));
  for (auto& [pattern, f] : t.layer_sparsity) f = 1.0 - std::pow(1.0 - std::min(f, 1 - 1e-12), e);
  return t;
}

void validate_target(const SparsityTarget& t, const std::vector<PrunableWeight>& pool) {
  auto check_fraction = [](double v, const std::string& what) {
    PRUNQ_CHECK(std::isfinite(v) && v >= 0 && v <= 1, "prune: ", what, " must be in [0, 1], got ", v);
  };
  check_fraction(t.sparsity, "sparsity");
  check_fraction(t.max_layer_sparsity, "the layer sparsity cap");
  for (const auto* list : {&t.layer_caps, &t.layer_sparsity}) {
    for (const auto& [pattern, v] : *list) {
      check_fraction(v, "the sparsity given for '" + pattern + "'");
      bool any = false;
      for (const PrunableWeight& w : pool) any = any || names_layer(pattern, w);
      PRUNQ_CHECK(any, "prune: '", pattern, "' names no layer being pruned");
    }
  }
}

PruneResult prune_by_scores(Graph& graph, const std::vector<PrunableWeight>& pool, const ScoreMap& scores,
                            const SparsityTarget& target) {
  validate_target(target, pool);
  std::vector<LayerKeys> keys;
  keys.reserve(pool.size());
  for (const PrunableWeight& w : pool) keys.push_back(make_keys(graph, w, scores, target));

  std::vector<int64_t> counts(keys.size(), 0);
  if (target.scope == PruneScope::kLayer) {
    for (size_t i = 0; i < keys.size(); ++i)
      counts[i] = keys[i].fixed ? keys[i].fixed_count
                                : std::min(count_of(target.sparsity, pool[i].numel()), keys[i].cap);
  } else {
    int64_t pool_numel = 0, capacity = 0;
    for (const PrunableWeight& w : pool) pool_numel += w.numel();
    const int64_t wanted = count_of(target.sparsity, pool_numel);
    int64_t budget = wanted;  // what the layers without a fixed fraction share
    std::vector<size_t> active;
    for (size_t i = 0; i < keys.size(); ++i) {
      if (keys[i].fixed) {
        counts[i] = keys[i].fixed_count;
        budget -= counts[i];
        capacity += counts[i];
      } else {
        active.push_back(i);
        capacity += keys[i].cap;
      }
    }
    PRUNQ_CHECK(wanted <= capacity, "prune: a global sparsity of ", target.sparsity,
                " cannot be reached under the layer caps and fixed fractions (at most ",
                double(capacity) / double(std::max<int64_t>(pool_numel, 1)), ")");
    // Water-filling: layers the threshold would push past their cap are held at it, and the
    // rest of the budget is spread over the others, until no layer exceeds its cap.
    while (!active.empty()) {
      std::vector<LayerKeys*> layers;
      for (size_t i : active) layers.push_back(&keys[i]);
      const std::vector<int64_t> c = global_counts(layers, budget);
      std::vector<size_t> still;
      bool clipped = false;
      for (size_t j = 0; j < active.size(); ++j) {
        if (c[j] > keys[active[j]].cap) {
          counts[active[j]] = keys[active[j]].cap;
          budget -= keys[active[j]].cap;
          clipped = true;
        } else {
          still.push_back(active[j]);
        }
      }
      if (!clipped) {
        for (size_t j = 0; j < active.size(); ++j) counts[active[j]] = c[j];
        break;
      }
      active = std::move(still);
    }
  }

  for (size_t i = 0; i < keys.size(); ++i) {
    const PrunableWeight& w = pool[i];
    Tensor keep = keep_all_but_lowest(keys[i], counts[i]).reshape(graph.initializer(w.weight)->data.shape());
    tighten_mask(graph, w.weight, keep);
  }
  return current_sparsity(graph, pool);
}

PruneResult current_sparsity(const Graph& graph, const std::vector<PrunableWeight>& pool) {
  PruneResult r;
  for (const PrunableWeight& w : pool) {
    const Initializer* init = graph.initializer(w.weight);
    PRUNQ_CHECK(init, "prune: layer '", w.layer, "' lost its weight '", w.weight_name, "'");
    LayerPruneResult l;
    l.layer = w.layer;
    l.weight_name = w.weight_name;
    l.numel = init->data.numel();
    l.pruned = pruned_count(*init);
    r.numel += l.numel;
    r.pruned += l.pruned;
    r.layers.push_back(std::move(l));
  }
  return r;
}

}  // namespace prunq
