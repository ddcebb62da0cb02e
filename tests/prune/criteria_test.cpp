#include <gtest/gtest.h>

#include <cmath>

#include "prune/criteria.h"
#include "prune/mask.h"
#include "prune/unstructured.h"
#include "prune_fixtures.h"
#include "runtime/executor.h"
#include "support/error_of.h"
#include "train/training_graph.h"

namespace prunq {
namespace {

double mean_loss(const Graph& model, const Dataset& d) {
  TrainingGraph t = make_training_graph(model);
  Executor e(t.graph);
  return e.run({d.images, d.labels}, true)[0].f32()[0];
}

// SNIP's score is |dL/dw * w|: checked against central differences of the loss on the model.
TEST(PruneCriteria, SnipScoresAreGradientTimesWeightByFiniteDifferences) {
  Graph g = build_model("mlp");
  const Dataset d = testing::prototype_data(16, 3);
  const std::vector<PrunableWeight> pool = find_prunable_weights(g);
  GradientScoreOptions o;
  o.batches = 1;
  o.batch_size = 16;  // the whole set in one batch: the gradient of the mean loss over it
  const ScoreMap s = snip_scores(g, pool, d, o);
  for (const PrunableWeight& w : pool) {
    Tensor& data = g.initializer(w.weight)->data;
    for (int64_t i : {int64_t(0), w.numel() / 3, w.numel() - 1}) {
      const float orig = data.f32()[i];
      const float h = 1e-2f;
      data.f32()[i] = orig + h;
      const double up = mean_loss(g, d);
      data.f32()[i] = orig - h;
      const double down = mean_loss(g, d);
      data.f32()[i] = orig;
      const double expect = std::fabs((up - down) / (2 * h) * orig);
      EXPECT_NEAR(s.at(w.weight).f32()[i], expect, 2e-3 * std::max(1.0, expect) + 1e-6) << w.layer << " " << i;
    }
  }
}

TEST(PruneCriteria, SnipLeavesTheModelsBatchNormStatisticsAlone) {
  Graph g = build_model("fmnist-cnn");
  const Tensor mean = g.initializer("layer1.bn.running_mean").data.clone();
  const Dataset d = testing::prototype_data(20, 4);
  GradientScoreOptions o;
  o.batches = 2;
  o.batch_size = 10;
  const ScoreMap s = snip_scores(g, find_prunable_weights(g), d, o);
  EXPECT_EQ(s.size(), 5u);
  EXPECT_EQ(max_abs_diff(mean, g.initializer("layer1.bn.running_mean").data), 0.f);
}

TEST(PruneCriteria, MagnitudeIsAbsoluteValueAndRandomIsSeeded) {
  Graph g = testing::two_layer_linear();
  const std::vector<PrunableWeight> pool = find_prunable_weights(g);
  const ScoreMap m = magnitude_scores(g, pool);
  const Tensor& w = g.initializer(pool[0].weight)->data;
  for (int64_t i = 0; i < w.numel(); ++i) EXPECT_EQ(m.at(pool[0].weight).f32()[i], std::fabs(w.f32()[i]));
  const ScoreMap a = random_scores(pool, 5), b = random_scores(pool, 5), c = random_scores(pool, 6);
  EXPECT_EQ(max_abs_diff(a.at(pool[1].weight), b.at(pool[1].weight)), 0.f);
  EXPECT_GT(max_abs_diff(a.at(pool[1].weight), c.at(pool[1].weight)), 0.f);
}

// Pre-pruning at initialisation with every criterion reaches the target exactly and leaves
// every layer some weights.
TEST(PruneCriteria, EveryCriterionPrunesAFreshModelToTheTarget) {
  const Dataset d = testing::prototype_data(64, 5);
  for (const char* name : {"magnitude", "random", "snip", "synflow"}) {
    Graph g = build_model("fmnist-cnn");
    UnstructuredOptions o;
    o.criterion = parse_unstructured_criterion(name);
    o.target.sparsity = 0.9;
    o.target.scope = PruneScope::kGlobal;
    o.data = &d;
    o.snip.batches = 2;
    o.snip.batch_size = 32;
    o.synflow.iterations = 10;
    const PruneResult r = prune_unstructured(g, o);
    EXPECT_EQ(r.pruned, std::llround(0.9 * double(r.numel))) << name;
    for (const LayerPruneResult& l : r.layers) EXPECT_LT(l.pruned, l.numel) << name << " " << l.layer;
  }
}

TEST(PruneCriteria, SnipWithoutDataAndUnknownCriteriaAreErrors) {
  Graph g = build_model("mlp");
  UnstructuredOptions o;
  o.criterion = UnstructuredCriterion::kSnip;
  EXPECT_NE(testing::error_of([&] { prune_unstructured(g, o); }).find("snip needs labelled data"), std::string::npos);
  EXPECT_NE(testing::error_of([] { parse_unstructured_criterion("l0"); }).find("known: magnitude"), std::string::npos);
  Dataset empty;
  empty.images = Tensor(DType::f32, {0, 1, 28, 28});
  empty.labels = Tensor(DType::i64, {0});
  o.data = &empty;
  EXPECT_NE(testing::error_of([&] { prune_unstructured(g, o); }).find("empty"), std::string::npos);
}

}  // namespace
}  // namespace prunq
