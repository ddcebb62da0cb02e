// Pruning during training: the cubic and iterative sparsity curves, gradual and threshold
// pruning as Trainer callbacks, and the masks holding over many optimiser steps.
#include <gtest/gtest.h>

#include <cmath>

#include "prune/criteria.h"
#include "prune/schedule.h"
#include "prune_fixtures.h"
#include "support/error_of.h"

namespace prunq {
namespace {

TEST(PruneSchedule, CubicCurveOfZhuAndGupta) {
  EXPECT_DOUBLE_EQ(cubic_sparsity(0, 10, 110, 0.1, 0.9), 0.1);
  EXPECT_DOUBLE_EQ(cubic_sparsity(10, 10, 110, 0.1, 0.9), 0.1);
  EXPECT_DOUBLE_EQ(cubic_sparsity(60, 10, 110, 0.1, 0.9), 0.9 + (0.1 - 0.9) * 0.125);  // half way: (1/2)^3
  EXPECT_DOUBLE_EQ(cubic_sparsity(110, 10, 110, 0.1, 0.9), 0.9);
  EXPECT_DOUBLE_EQ(cubic_sparsity(500, 10, 110, 0.1, 0.9), 0.9);
  // Steep early, flat late.
  EXPECT_GT(cubic_sparsity(35, 10, 110, 0, 0.9) - cubic_sparsity(10, 10, 110, 0, 0.9),
            cubic_sparsity(110, 10, 110, 0, 0.9) - cubic_sparsity(85, 10, 110, 0, 0.9));
}

TEST(PruneSchedule, IterativeRoundsRemoveTheSameShareOfWhatIsLeft) {
  EXPECT_NEAR(iterative_round_sparsity(1, 3, 0.875), 0.5, 1e-12);
  EXPECT_NEAR(iterative_round_sparsity(2, 3, 0.875), 0.75, 1e-12);
  EXPECT_EQ(iterative_round_sparsity(3, 3, 0.875), 0.875);
  EXPECT_THROW(iterative_round_sparsity(4, 3, 0.5), Error);
}

// Checks, at every step of a training run, that the pruned weights of every masked layer,
// their gradients and the optimiser's state for them are exactly zero.
struct MaskWatcher : TrainCallback {
  int64_t steps = 0, masked_seen = 0;
  void on_gradients(Trainer& t, std::map<ValueId, Tensor>& grads) override {
    for (const auto& [id, g] : grads) {
      const Initializer* init = t.model().initializer(id);
      if (!init->mask.defined()) continue;
      for (int64_t i = 0; i < g.numel(); ++i) {
        if (init->mask.f32()[i] == 0.f) {
          ASSERT_EQ(g.f32()[i], 0.f) << "gradient, step " << steps;
        }
      }
    }
  }
  void on_step_end(Trainer& t, const StepInfo&) override {
    ++steps;
    for (const auto& [id, init] : t.model().initializers()) {
      if (!init.mask.defined()) continue;
      ++masked_seen;
      for (int slot = 0; slot < 2; ++slot) {
        const Tensor* s = t.optimizer().state_of(id, slot);
        for (int64_t i = 0; i < init.mask.numel(); ++i) {
          if (init.mask.f32()[i] != 0.f) continue;
          ASSERT_EQ(init.data.f32()[i], 0.f) << "weight, step " << steps;
          if (s) {
            ASSERT_EQ(s->f32()[i], 0.f) << "state " << slot << ", step " << steps;
          }
        }
      }
    }
  }
};

// A small tabular MLP (64 -> 256 -> 128 -> 10) keeps the per-step checks cheap.
Graph small_mlp() {
  ModelOptions o;
  o.input_shape = {-1, 64};
  return build_model("mlp", o);
}

TEST(PruneSchedule, MasksHoldWeightsGradientsAndMomentsOverManySteps) {
  const Dataset data = testing::prototype_data(640, 2, true, 64);
  for (const char* kind : {"adam", "adamw", "sgd"}) {
    Graph g = small_mlp();
    const std::vector<PrunableWeight> pool = find_prunable_weights(g);
    SparsityTarget t;
    t.sparsity = 0.8;
    t.scope = PruneScope::kGlobal;
    prune_by_scores(g, pool, magnitude_scores(g, pool), t);
    TrainConfig c = testing::quiet(4, 16);  // 160 steps
    c.optimizer.kind = kind;
    c.optimizer.momentum = std::string(kind) == "sgd" ? 0.9f : 0.f;
    c.optimizer.lr = std::string(kind) == "sgd" ? 0.05f : 1e-3f;
    c.optimizer.weight_decay = 1e-3f;
    Trainer trainer(g, c);
    auto watch = std::make_shared<MaskWatcher>();
    trainer.add_callback(watch);
    trainer.fit(data);
    EXPECT_EQ(watch->steps, 160) << kind;
    EXPECT_EQ(watch->masked_seen, 160 * 3) << kind;
    EXPECT_EQ(current_sparsity(g, pool).pruned, std::llround(0.8 * double(current_sparsity(g, pool).numel))) << kind;
  }
}

TEST(PruneSchedule, GradualPruningClimbsToTheTargetWhileTraining) {
  const Dataset data = testing::prototype_data(640, 3, true, 64);
  Graph g = small_mlp();
  const std::vector<PrunableWeight> pool = find_prunable_weights(g);
  SparsityPruner pruner = [&](Graph& m, double s) {
    SparsityTarget t;
    t.sparsity = s;
    t.scope = PruneScope::kGlobal;
    return prune_by_scores(m, pool, magnitude_scores(m, pool), t);
  };
  GradualSchedule s;
  s.final_sparsity = 0.9;
  s.begin_step = 10;
  s.end_step = 90;
  s.frequency = 10;
  auto gradual = std::make_shared<GradualPruning>(pruner, s);
  auto watch = std::make_shared<MaskWatcher>();
  Trainer trainer(g, testing::quiet(3, 16));  // 120 steps
  trainer.add_callback(gradual);
  trainer.add_callback(watch);
  trainer.fit(data);
  ASSERT_EQ(gradual->events().size(), 9u);  // steps 10, 20, ..., 90
  for (size_t i = 1; i < gradual->events().size(); ++i) {
    EXPECT_EQ(gradual->events()[i].first, 10 + 10 * int64_t(i));
    EXPECT_GE(gradual->events()[i].second, gradual->events()[i - 1].second);
    EXPECT_NEAR(gradual->events()[i].second, cubic_sparsity(10 + 10 * int64_t(i), 10, 90, 0, 0.9), 1e-4);
  }
  EXPECT_NEAR(current_sparsity(g, pool).sparsity(), 0.9, 1e-5);
  EXPECT_GT(trainer.evaluate(data).accuracy, 0.25) << "it kept learning while being pruned";
  EXPECT_THROW(GradualPruning(pruner, GradualSchedule{0.5, 0.4, 0, 10, 1}), Error);
}

TEST(PruneSchedule, GradualPruningEndingEarlyStillMeetsTheTarget) {
  Graph g = build_model("mlp");
  const std::vector<PrunableWeight> pool = find_prunable_weights(g);
  SparsityPruner pruner = [&](Graph& m, double s) {
    SparsityTarget t;
    t.sparsity = s;
    return prune_by_scores(m, pool, magnitude_scores(m, pool), t);
  };
  auto gradual = std::make_shared<GradualPruning>(pruner, GradualSchedule{0, 0.7, 0, 1000, 5});
  Trainer trainer(g, testing::quiet(1, 16));
  trainer.add_callback(gradual);
  trainer.fit(testing::prototype_data(64, 4));
  EXPECT_NEAR(current_sparsity(g, pool).sparsity(), 0.7, 1e-5);
}

TEST(PruneSchedule, ThresholdPruningRemovesWeightsThatStaySmall) {
  Graph g = testing::two_layer_linear(1);
  const std::vector<PrunableWeight> pool = find_prunable_weights(g);
  Tensor& w = g.initializer("fc1.weight").data;
  for (int64_t i = 0; i < w.numel(); ++i) w.f32()[i] = 1.f;
  w.f32()[1] = 0.01f;   // stays small
  w.f32()[2] = 0.02f;   // small, then grows
  ThresholdSchedule s;
  s.threshold = 0.05f;
  s.patience = 3;
  s.max_layer_sparsity = 0.5;
  ThresholdPruning tp(pool, s);
  tp.check(g);
  tp.check(g);
  w.f32()[2] = 0.5f;
  tp.check(g);
  const Tensor& m = g.initializer("fc1.weight").mask;
  ASSERT_TRUE(m.defined());
  EXPECT_EQ(m.f32()[1], 0.f);
  EXPECT_EQ(m.f32()[2], 1.f);
  EXPECT_EQ(tp.result(g).layers[0].pruned, 1);
  // The cap: every weight small now, at most half the layer goes, the smallest first.
  for (int64_t i = 0; i < w.numel(); ++i) {
    if (m.f32()[i] != 0.f) w.f32()[i] = 0.001f * float(i + 1);
  }
  for (int k = 0; k < 3; ++k) tp.check(g);
  EXPECT_EQ(tp.result(g).layers[0].pruned, 6);
  EXPECT_EQ(g.initializer("fc1.weight").mask.f32()[0], 0.f);
  EXPECT_EQ(g.initializer("fc1.weight").mask.f32()[11], 1.f);
}

TEST(PruneSchedule, ThresholdRelativeToTheLayersSpread) {
  Graph g = testing::two_layer_linear(1);
  const std::vector<PrunableWeight> pool = find_prunable_weights(g);
  Tensor& w = g.initializer("fc2.weight").data;
  const std::vector<float> v{1.f, -1.f, 1.f, -1.f, 0.05f, 3.f};  // std 1.3816
  for (int64_t i = 0; i < 6; ++i) w.f32()[i] = v[size_t(i)];
  ThresholdSchedule s;
  s.threshold = 0.8f;  // 0.8 std = 1.105: all but the 3 go (an absolute 0.8 would take only 0.05)
  s.relative_to_std = true;
  s.patience = 1;
  ThresholdPruning tp(pool, s);
  tp.check(g);
  const Tensor& m = g.initializer("fc2.weight").mask;
  ASSERT_TRUE(m.defined());
  for (int64_t i = 0; i < 6; ++i) EXPECT_EQ(m.f32()[i], i == 5 ? 1.f : 0.f) << i;
  EXPECT_THROW(ThresholdPruning(pool, ThresholdSchedule{0.f}), Error);
}

}  // namespace
}  // namespace prunq
