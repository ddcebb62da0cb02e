#include <gtest/gtest.h>

#include "prune/criteria.h"
#include "prune/prune_schedule.h"
#include "prune_fixtures.h"
#include "support/error_of.h"

namespace prunq {
namespace {

struct Recipe {
  Graph g = build_model("mlp");
  std::vector<PrunableWeight> pool = find_prunable_weights(g);
  std::vector<double> asked;  // sparsities the pruner was called with
  SparsityPruner pruner = [this](Graph& m, double s) {
    asked.push_back(s);
    SparsityTarget t;
    t.sparsity = s;
    t.scope = PruneScope::kGlobal;
    return prune_by_scores(m, pool, magnitude_scores(m, pool), t);
  };
};

TEST(PruneRecipe, OneShotPrunesOnceThenFineTunesAndRecovers) {
  const Dataset train = testing::prototype_data(640, 1), test = testing::prototype_data(200, 2);
  Recipe r;
  Trainer(r.g, testing::quiet(2)).fit(train);
  PruneScheduleOptions o;
  o.sparsity = 0.97;
  o.finetune_epochs = 2;
  const std::vector<PruneStage> st = run_prune_schedule(r.g, r.pruner, r.pool, o, testing::quiet(0), &train, &test);
  ASSERT_EQ(st.size(), 1u);
  EXPECT_EQ(r.asked, std::vector<double>{0.97});
  EXPECT_NEAR(st[0].pruned.sparsity(), 0.97, 1e-5);
  EXPECT_TRUE(st[0].evaluated);
  EXPECT_EQ(st[0].epochs, 2);
  EXPECT_GT(st[0].after_training.accuracy, st[0].after_prune.accuracy);
  EXPECT_NEAR(current_sparsity(r.g, r.pool).sparsity(), 0.97, 1e-5) << "fine-tuning kept the masks";
}

TEST(PruneRecipe, IterativeRoundsClimbGeometricallyToTheTarget) {
  const Dataset train = testing::prototype_data(160, 1);
  Recipe r;
  PruneScheduleOptions o;
  o.kind = PruneScheduleKind::kIterative;
  o.sparsity = 0.875;
  o.rounds = 3;
  o.finetune_epochs = 1;
  const std::vector<PruneStage> st = run_prune_schedule(r.g, r.pruner, r.pool, o, testing::quiet(0), &train, nullptr);
  ASSERT_EQ(st.size(), 3u);
  ASSERT_EQ(r.asked.size(), 3u);
  EXPECT_NEAR(r.asked[0], 0.5, 1e-12);
  EXPECT_NEAR(r.asked[1], 0.75, 1e-12);
  EXPECT_EQ(r.asked[2], 0.875);
  EXPECT_EQ(st[1].what, "round 2/3");
  EXPECT_FALSE(st[2].evaluated);
  EXPECT_NEAR(st[2].pruned.sparsity(), 0.875, 1e-5);
}

TEST(PruneRecipe, GradualAndThresholdPruneWhileTraining) {
  const Dataset train = testing::prototype_data(320, 1);
  Recipe r;
  PruneScheduleOptions o;
  o.kind = PruneScheduleKind::kGradual;
  o.sparsity = 0.8;
  o.finetune_epochs = 2;  // 20 steps; the ramp ends at step 14
  const std::vector<PruneStage> st = run_prune_schedule(r.g, r.pruner, r.pool, o, testing::quiet(0), &train, &train);
  ASSERT_EQ(st.size(), 1u);
  EXPECT_GT(st[0].pruning_events, 5);
  EXPECT_NEAR(st[0].pruned.sparsity(), 0.8, 1e-5);
  EXPECT_GE(r.asked.size(), 6u);
  for (size_t i = 1; i < r.asked.size(); ++i) EXPECT_GE(r.asked[i], r.asked[i - 1]);

  Recipe t;
  o.kind = PruneScheduleKind::kThreshold;
  o.threshold.threshold = 0.5f;
  o.threshold.relative_to_std = true;
  o.threshold.patience = 2;
  o.threshold.frequency = 2;
  const std::vector<PruneStage> st2 = run_prune_schedule(t.g, t.pruner, t.pool, o, testing::quiet(0), &train, nullptr);
  EXPECT_TRUE(t.asked.empty());
  EXPECT_EQ(st2[0].pruning_events, 10);
  // Under half a std of a roughly uniform layer: a large share goes, not everything.
  EXPECT_GT(st2[0].pruned.sparsity(), 0.2);
  EXPECT_LT(st2[0].pruned.sparsity(), 0.99);
}

TEST(PruneRecipe, BadRecipesAreErrors) {
  Recipe r;
  PruneScheduleOptions o;
  o.finetune_epochs = 1;
  EXPECT_NE(testing::error_of([&] { run_prune_schedule(r.g, r.pruner, r.pool, o, testing::quiet(0), nullptr, nullptr); })
                .find("needs training data"),
            std::string::npos);
  o.kind = PruneScheduleKind::kGradual;
  o.finetune_epochs = 0;
  EXPECT_NE(testing::error_of([&] { run_prune_schedule(r.g, r.pruner, r.pool, o, testing::quiet(0), nullptr, nullptr); })
                .find("at least one training epoch"),
            std::string::npos);
  EXPECT_THROW(parse_prune_schedule("cyclic"), Error);
}

}  // namespace
}  // namespace prunq
