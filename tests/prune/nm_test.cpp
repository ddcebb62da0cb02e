#include <gtest/gtest.h>

#include "models/zoo.h"
#include "prune/criteria.h"
#include "prune/nm.h"
#include "prune/select.h"
#include "prune_fixtures.h"
#include "support/error_of.h"

namespace prunq {
namespace {

TEST(PruneNm, TwoFourKeepsTheTwoLargestOfEveryFourAlongTheReduction) {
  Graph g = build_model("fmnist-cnn");
  const std::vector<PrunableWeight> pool = find_prunable_weights(g);
  const Graph dense = g.clone();
  const PruneResult r = prune_nm(g, pool, parse_nm_pattern("2:4"));
  for (size_t l = 0; l < pool.size(); ++l) {
    const PrunableWeight& w = pool[l];
    const Tensor& t = g.initializer(w.weight)->data;
    EXPECT_TRUE(follows_nm(t, w, {2, 4})) << w.layer;
    EXPECT_FALSE(follows_nm(dense.initializer(w.weight)->data, w, {2, 4})) << w.layer;
    // Rows of 9 (conv1: 1 x 3 x 3) end in a group of one, which keeps it: 5 of 9 per row.
    const int64_t per_row = (w.reduction / 4) * 2 + std::min<int64_t>(2, w.reduction % 4);
    EXPECT_EQ(r.layers[l].numel - r.layers[l].pruned, per_row * w.outputs) << w.layer;
  }
  // In the first group of fc1's first row the two kept weights are the two largest.
  const PrunableWeight& fc1 = pool[3];
  const Tensor& before = dense.initializer(fc1.weight)->data;
  const Tensor& after = g.initializer(fc1.weight)->data;
  std::vector<float> mags;
  for (int64_t c = 0; c < 4; ++c) mags.push_back(std::fabs(before.f32()[fc1.index(0, c)]));
  std::vector<float> sorted = mags;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t c = 0; c < 4; ++c)
    EXPECT_EQ(after.f32()[fc1.index(0, c)] != 0.f, mags[size_t(c)] >= sorted[2]) << c;
}

TEST(PruneNm, GeneralPatternsAndColumnLayouts) {
  Graph g = testing::two_layer_linear(2);
  const std::vector<PrunableWeight> pool = find_prunable_weights(g);
  // MatMul B [3, 2]: each output column has 3 reduction elements; 1:3 keeps one per column.
  prune_nm(g, pool, parse_nm_pattern("1:3"));
  const Tensor& w2 = g.initializer("fc2.weight").data;
  for (int64_t j = 0; j < 2; ++j) {
    int64_t nz = 0;
    for (int64_t i = 0; i < 3; ++i) nz += w2.f32()[i * 2 + j] != 0.f;
    EXPECT_EQ(nz, 1) << "column " << j;
  }
  EXPECT_TRUE(follows_nm(g.initializer("fc1.weight").data, pool[0], {1, 3}));
}

TEST(PruneNm, EarlierPruningCountsAgainstN) {
  Graph g = build_model("mlp");
  const std::vector<PrunableWeight> pool = find_prunable_weights(g);
  SparsityTarget t;
  t.sparsity = 0.6;
  prune_by_scores(g, pool, random_scores(pool, 3), t);
  const PruneResult r = prune_nm(g, pool, {2, 4});
  for (size_t l = 0; l < pool.size(); ++l) {
    EXPECT_TRUE(follows_nm(g.initializer(pool[l].weight)->data, pool[l], {2, 4}));
    EXPECT_GE(r.layers[l].sparsity(), 0.6);
  }
}

// Fine-tuning keeps the pattern: the mask is fixed, the optimiser honours it.
TEST(PruneNm, TrainingKeepsThePattern) {
  Graph g = build_model("mlp");
  const std::vector<PrunableWeight> pool = find_prunable_weights(g);
  prune_nm(g, pool, {2, 4});
  const Tensor before = g.initializer(pool[0].weight)->data.clone();
  Trainer(g, testing::quiet(2)).fit(testing::prototype_data(128, 1));
  for (const PrunableWeight& w : pool) EXPECT_TRUE(follows_nm(g.initializer(w.weight)->data, w, {2, 4})) << w.layer;
  EXPECT_GT(max_abs_diff(before, g.initializer(pool[0].weight)->data), 0.f);
}

TEST(PruneNm, BadPatternsAreErrors) {
  for (const char* bad : {"4:2", "2:2", "0:4", "2-4", "2:", ":4", "2:4x", "2:300", "a:b"})
    EXPECT_NE(testing::error_of([&] { parse_nm_pattern(bad); }).find("bad N:M pattern"), std::string::npos) << bad;
  EXPECT_EQ(parse_nm_pattern("1:8").m, 8);
}

}  // namespace
}  // namespace prunq
