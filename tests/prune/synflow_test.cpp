#include <gtest/gtest.h>

#include <cmath>

#include "prune/synflow.h"
#include "prune_fixtures.h"
#include "support/error_of.h"

namespace prunq {
namespace {

// For the chain x -> W1 (Gemm, [3, 4] as [out, in]) -> W2 (MatMul, [3, 2] as [in, out]) with
// x = 1 and every weight made positive, R = sum_i (sum_k |W1[i, k]|) (sum_j |W2[i, j]|), so
//   score(W1[i, k]) = |W1[i, k]| * sum_j |W2[i, j]|,  score(W2[i, j]) = |W2[i, j]| * sum_k |W1[i, k]|.
TEST(PruneSynFlow, ScoresOfALinearChainMatchTheClosedForm) {
  const Graph g = testing::two_layer_linear(3);
  const std::vector<PrunableWeight> pool = find_prunable_weights(g);
  const ScoreMap s = synflow_scores(g, pool);
  const Tensor& w1 = g.initializer("fc1.weight").data;  // [3, 4]
  const Tensor& w2 = g.initializer("fc2.weight").data;  // [3, 2]
  for (int64_t i = 0; i < 3; ++i) {
    double row1 = 0, row2 = 0;
    for (int64_t k = 0; k < 4; ++k) row1 += std::fabs(w1.f32()[i * 4 + k]);
    for (int64_t j = 0; j < 2; ++j) row2 += std::fabs(w2.f32()[i * 2 + j]);
    for (int64_t k = 0; k < 4; ++k)
      EXPECT_NEAR(s.at(pool[0].weight).f32()[i * 4 + k], std::fabs(w1.f32()[i * 4 + k]) * row2, 1e-5);
    for (int64_t j = 0; j < 2; ++j)
      EXPECT_NEAR(s.at(pool[1].weight).f32()[i * 2 + j], std::fabs(w2.f32()[i * 2 + j]) * row1, 1e-5);
  }
}

TEST(PruneSynFlow, BatchNormIsLinearisedAndTheModelIsLeftAlone) {
  Graph g = build_model("fmnist-cnn");
  const Graph before = g.clone();
  const std::vector<PrunableWeight> pool = find_prunable_weights(g);
  const ScoreMap s = synflow_scores(g, pool);
  for (const PrunableWeight& w : pool) {
    const Tensor& t = s.at(w.weight);
    double sum = 0;
    for (int64_t i = 0; i < t.numel(); ++i) {
      ASSERT_TRUE(std::isfinite(t.f32()[i]) && t.f32()[i] >= 0) << w.layer;
      sum += t.f32()[i];
    }
    EXPECT_GT(sum, 0) << w.layer << ": flow reaches every layer";
  }
  for (const auto& [id, init] : before.initializers())
    EXPECT_EQ(max_abs_diff(init.data, g.initializer(id)->data), 0.f) << before.value(id).name;
  EXPECT_EQ(g.nodes().size(), before.nodes().size());
}

TEST(PruneSynFlow, IterativePruningReachesTheTargetAndPrunedWeightsScoreZero) {
  Graph g = build_model("fmnist-cnn");
  const std::vector<PrunableWeight> pool = find_prunable_weights(g);
  SparsityTarget t;
  t.sparsity = 0.98;
  t.scope = PruneScope::kGlobal;
  SynFlowOptions o;
  o.iterations = 10;
  const PruneResult r = prune_synflow(g, pool, t, o);
  EXPECT_EQ(r.pruned, std::llround(0.98 * double(r.numel)));
  for (const LayerPruneResult& l : r.layers) EXPECT_LT(l.pruned, l.numel) << l.layer << ": no layer collapses";
  const ScoreMap s = synflow_scores(g, pool);
  const Initializer& init = *g.initializer(pool[3].weight);
  for (int64_t i = 0; i < init.mask.numel(); ++i) {
    if (init.mask.f32()[i] == 0.f) {
      ASSERT_EQ(s.at(pool[3].weight).f32()[i], 0.f);
    }
  }
  EXPECT_NE(testing::error_of([&] { prune_synflow(g, pool, t, SynFlowOptions{0}); }).find("iterations"),
            std::string::npos);
}

}  // namespace
}  // namespace prunq
