// Score-to-mask selection: exact counts per layer and globally, caps by water-filling, fixed
// fractions, masks that only tighten, and bad targets as errors.
#include <gtest/gtest.h>

#include <cmath>

#include "models/zoo.h"
#include "prune/criteria.h"
#include "prune/mask.h"
#include "prune/select.h"
#include "support/error_of.h"

namespace prunq {
namespace {

// Three layers of a small MLP, scored by hand: layer l's weights score l + position / n, so a
// global threshold removes the whole of layer 0 before touching layer 1.
struct Scored {
  Graph g = build_model("mlp");
  std::vector<PrunableWeight> pool = find_prunable_weights(g);
  ScoreMap scores;
  Scored() {
    for (size_t l = 0; l < pool.size(); ++l) {
      Tensor s(DType::f32, g.initializer(pool[l].weight)->data.shape());
      for (int64_t i = 0; i < s.numel(); ++i) s.f32()[i] = float(l) + float(i) / float(s.numel());
      scores[pool[l].weight] = s;
    }
  }
  int64_t n(size_t l) const { return pool[l].numel(); }
};

SparsityTarget target(double s, PruneScope scope) {
  SparsityTarget t;
  t.sparsity = s;
  t.scope = scope;
  return t;
}

TEST(PruneSelect, LayerScopeRemovesTheSameFractionOfEveryLayerExactly) {
  Scored x;
  ASSERT_EQ(x.pool.size(), 3u);
  const PruneResult r = prune_by_scores(x.g, x.pool, x.scores, target(0.3, PruneScope::kLayer));
  for (size_t l = 0; l < 3; ++l) {
    EXPECT_EQ(r.layers[l].pruned, std::llround(0.3 * double(x.n(l)))) << l;
    // The lowest-scored weights (the first positions) went; the weight data is zero there.
    const Initializer& init = *x.g.initializer(x.pool[l].weight);
    EXPECT_EQ(init.mask.f32()[0], 0.f);
    EXPECT_EQ(init.data.f32()[0], 0.f);
    EXPECT_EQ(init.mask.f32()[x.n(l) - 1], 1.f);
  }
}

TEST(PruneSelect, GlobalScopeUsesOneThresholdAcrossLayers) {
  Scored x;
  const int64_t total = x.n(0) + x.n(1) + x.n(2);
  // Layer 0 (784 x 256) is most of the model; a target just above its share spills into layer 1.
  const double s = double(x.n(0) + 100) / double(total);
  const PruneResult r = prune_by_scores(x.g, x.pool, x.scores, target(s, PruneScope::kGlobal));
  EXPECT_EQ(r.layers[0].pruned, x.n(0));
  EXPECT_EQ(r.layers[1].pruned, 100);
  EXPECT_EQ(r.layers[2].pruned, 0);
  EXPECT_EQ(r.pruned, x.n(0) + 100);
}

TEST(PruneSelect, GlobalCapsSpreadTheBudgetOverTheOtherLayers) {
  Scored x;
  const int64_t total = x.n(0) + x.n(1) + x.n(2);
  const int64_t budget = std::llround(0.5 * double(total));
  ASSERT_GT(budget, int64_t(0.55 * double(x.n(0))));  // uncapped, layer 0 alone would take it all
  SparsityTarget t = target(0.5, PruneScope::kGlobal);
  t.max_layer_sparsity = 0.55;
  const PruneResult r = prune_by_scores(x.g, x.pool, x.scores, t);
  EXPECT_EQ(r.pruned, budget);
  EXPECT_EQ(r.layers[0].pruned, int64_t(0.55 * double(x.n(0))));  // held at its cap
  EXPECT_EQ(r.layers[1].pruned, budget - r.layers[0].pruned);     // the rest spills over
  for (const LayerPruneResult& l : r.layers) EXPECT_LE(l.sparsity(), 0.55 + 1e-12) << l.layer;
  // A cap by name holds that layer only.
  Scored y;
  t.max_layer_sparsity = 1.0;
  t.layer_caps = {{"fc1", 0.45}};
  const PruneResult r2 = prune_by_scores(y.g, y.pool, y.scores, t);
  EXPECT_EQ(r2.layers[0].pruned, int64_t(0.45 * double(y.n(0))));
  EXPECT_EQ(r2.layers[1].pruned, budget - r2.layers[0].pruned);
  EXPECT_EQ(r2.layers[2].pruned, 0);
}

TEST(PruneSelect, FixedFractionsAreTakenExactlyAndTheRestSharesTheBudget) {
  Scored x;
  SparsityTarget t = target(0.5, PruneScope::kGlobal);
  t.layer_sparsity = {{"fc2", 0.25}, {"fc3", 0.0}};
  const PruneResult r = prune_by_scores(x.g, x.pool, x.scores, t);
  EXPECT_EQ(r.layers[1].pruned, std::llround(0.25 * double(x.n(1))));
  EXPECT_EQ(r.layers[2].pruned, 0);
  EXPECT_EQ(r.pruned, std::llround(0.5 * double(x.n(0) + x.n(1) + x.n(2))));
  // Layer scope: fixed layers take theirs, the others the uniform fraction.
  Scored y;
  t.scope = PruneScope::kLayer;
  const PruneResult r2 = prune_by_scores(y.g, y.pool, y.scores, t);
  EXPECT_EQ(r2.layers[0].pruned, std::llround(0.5 * double(y.n(0))));
  EXPECT_EQ(r2.layers[1].pruned, std::llround(0.25 * double(y.n(1))));
}

TEST(PruneSelect, MasksOnlyTightenAndRepruningExtendsTheEarlierMask) {
  Graph g = build_model("mlp");
  std::vector<PrunableWeight> pool = find_prunable_weights(g);
  prune_by_scores(g, pool, random_scores(pool, 1), target(0.5, PruneScope::kLayer));
  const Tensor first = g.initializer(pool[0].weight)->mask.clone();
  // Other scores, higher target: everything pruned before is still pruned.
  const PruneResult r = prune_by_scores(g, pool, magnitude_scores(g, pool), target(0.8, PruneScope::kLayer));
  EXPECT_EQ(r.layers[0].pruned, std::llround(0.8 * double(pool[0].numel())));
  const Tensor& second = g.initializer(pool[0].weight)->mask;
  for (int64_t i = 0; i < first.numel(); ++i) {
    if (first.f32()[i] == 0.f) {
      ASSERT_EQ(second.f32()[i], 0.f) << i;
    }
  }
  // A lower target removes nothing more and revives nothing.
  const PruneResult r3 = prune_by_scores(g, pool, magnitude_scores(g, pool), target(0.2, PruneScope::kGlobal));
  EXPECT_EQ(r3.pruned, r.pruned);
}

TEST(PruneSelect, ExactTiesAreBrokenByPosition) {
  Graph g = build_model("mlp");
  std::vector<PrunableWeight> pool = find_prunable_weights(g);
  ScoreMap flat;
  for (const PrunableWeight& w : pool) flat[w.weight] = Tensor::full({w.numel()}, 1.f);
  const PruneResult r = prune_by_scores(g, pool, flat, target(0.25, PruneScope::kGlobal));
  EXPECT_EQ(r.pruned, std::llround(0.25 * double(r.numel)));
  EXPECT_EQ(r.layers[0].pruned, std::min(r.pruned, pool[0].numel()));  // layer order, then position
  EXPECT_EQ(g.initializer(pool[0].weight)->mask.f32()[0], 0.f);
}

TEST(PruneSelect, BadTargetsAndScoresAreErrors) {
  Scored x;
  EXPECT_NE(testing::error_of([&] { prune_by_scores(x.g, x.pool, x.scores, target(1.5, PruneScope::kLayer)); })
                .find("sparsity must be in [0, 1]"),
            std::string::npos);
  SparsityTarget t = target(0.9, PruneScope::kGlobal);
  t.max_layer_sparsity = 0.5;
  EXPECT_NE(testing::error_of([&] { prune_by_scores(x.g, x.pool, x.scores, t); }).find("cannot be reached"),
            std::string::npos);
  t = target(0.5, PruneScope::kLayer);
  t.layer_sparsity = {{"nope", 0.5}};
  EXPECT_NE(testing::error_of([&] { prune_by_scores(x.g, x.pool, x.scores, t); }).find("'nope' names no layer"),
            std::string::npos);
  x.scores[x.pool[1].weight].f32()[3] = std::nanf("");
  const std::string e = testing::error_of([&] { prune_by_scores(x.g, x.pool, x.scores, target(0.5, PruneScope::kLayer)); });
  EXPECT_NE(e.find("non-finite score"), std::string::npos) << e;
  EXPECT_NE(e.find("fc2"), std::string::npos) << e;
  x.scores[x.pool[1].weight].f32()[3] = 0.f;
  x.scores.erase(x.pool[2].weight);
  EXPECT_NE(testing::error_of([&] { prune_by_scores(x.g, x.pool, x.scores, target(0.5, PruneScope::kLayer)); })
                .find("no score for layer"),
            std::string::npos);
  EXPECT_EQ(parse_prune_scope("global"), PruneScope::kGlobal);
  EXPECT_THROW(parse_prune_scope("local"), Error);
}

TEST(PruneSelect, RampedTargetsReachEveryFixedFractionWithThePool) {
  SparsityTarget final;
  final.sparsity = 0.9;
  final.layer_sparsity = {{"a", 0.99}, {"b", 0.0}, {"c", 0.9}};
  const SparsityTarget half = ramped_target(final, 1 - std::sqrt(0.1));  // half way in log density
  EXPECT_NEAR(half.layer_sparsity[0].second, 0.9, 1e-9);
  EXPECT_NEAR(half.layer_sparsity[1].second, 0.0, 1e-12);
  EXPECT_NEAR(half.layer_sparsity[2].second, half.sparsity, 1e-9);
  EXPECT_NEAR(ramped_target(final, 0).layer_sparsity[0].second, 0, 1e-12);
  EXPECT_EQ(ramped_target(final, 0.9).layer_sparsity[0].second, 0.99);
}

TEST(PruneSelect, SparsityOfAModelSavedWithoutMasksComesFromItsZeros) {
  Initializer init;
  init.data = Tensor::from_vector({4}, {0.f, 1.f, 0.f, 2.f});
  EXPECT_EQ(pruned_count(init), 2);
  init.mask = Tensor::from_vector({4}, {0.f, 1.f, 1.f, 1.f});
  EXPECT_EQ(pruned_count(init), 1);  // a kept weight may be zero by itself
}

}  // namespace
}  // namespace prunq
