// First-order Taylor importance: the score of a channel is (d loss / d t)^2 for scaling all of
// its producing parameters by (1 + t) -- checked here against central finite differences of the
// training-mode loss -- and silenced channels score 0 and are pruned first.
#include <gtest/gtest.h>

#include "models/zoo.h"
#include "prune/structured/importance.h"
#include "prune/structured_test_util.h"
#include "support/error_of.h"
#include "train/training_graph.h"

namespace prunq::testing {
namespace {

using structured::ChannelAnalysis;

// Training-mode mean loss over the whole dataset (BatchNorm on batch statistics), on a copy.
double training_loss(const Graph& g, const Dataset& d) {
  Graph work = g.clone();
  TrainingGraph t = make_training_graph(work);
  Executor ex(t.graph);
  return ex.run({d.images, d.labels}, true)[0].f32()[0];
}

Graph small_cnn() {
  GraphBuilder b("small", 4);
  ValueId x = b.input("input", DType::f32, {-1, 1, 28, 28});
  ValueId y = b.relu(b.batchnorm(b.conv2d(x, 1, 6, 3, 2, 1, 1, false, "c1"), 6, "bn1"));
  y = b.relu(b.conv2d(y, 6, 8, 3, 2, 1, 1, true, "c2"));  // no BN: the conv bias is a producer parameter
  y = b.relu(b.linear(b.flatten(b.global_avgpool(y)), 8, 12, true, "fc1"));
  b.output(b.linear(y, 12, 10, true, "fc2"), "logits");
  return b.finish();
}

TEST(StructuredTaylor, ScoreIsTheSquaredDirectionalDerivativeOfTheLoss) {
  Graph g = small_cnn();
  randomize_batchnorms(g, 2);
  const Dataset d = column_dataset(48, 5);
  const ChannelAnalysis a = structured::analyze_channels(g);
  // One batch holding the whole dataset: the score is then one exact squared derivative.
  const std::vector<double> score = structured::taylor_scores(g, a, d, 1, d.size());
  int checked = 0;
  for (const structured::DependencyGroup& grp : a.groups) {
    if (!a.fixed_reason[grp.clusters[0]].empty()) continue;
    for (int64_t cl : {grp.clusters.front(), grp.clusters.back()}) {
      const float h = 1e-2f;
      Graph up = g.clone(), down = g.clone();
      scale_clusters(up, a, {cl}, 1 + h, /*constants=*/false);
      scale_clusters(down, a, {cl}, 1 - h, /*constants=*/false);
      const double derivative = (training_loss(up, d) - training_loss(down, d)) / (2.0 * h);
      EXPECT_NEAR(std::sqrt(score[cl]), std::fabs(derivative), 2e-4 + 0.05 * std::fabs(derivative))
          << g.node(grp.producers[0]).name << " cluster " << cl;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 6);  // c1, c2, fc1: two channels each
}

TEST(StructuredTaylor, SilencedChannelsScoreZeroAndArePrunedExactly) {
  Graph g = build_model("fmnist-cnn");
  const Dataset d = column_dataset(64, 6);
  StructuredPruneReport r = expect_exact_pruning(g, StructuredMethod::kChannel, 0.5, random_tensor({2, 1, 28, 28}, 7),
                                                 4, ImportanceCriterion::kTaylor, &d);
  for (const PrunedGroup& pg : r.groups) EXPECT_EQ(pg.criterion, "taylor");
}

TEST(StructuredTaylor, LeavesTheModelItsRunningStatistics) {
  Graph g = build_model("resnet8");
  randomize_batchnorms(g, 3);
  const Graph before = g.clone();
  const Dataset d = column_dataset(32, 8);
  const ChannelAnalysis a = structured::analyze_channels(g);
  structured::taylor_scores(g, a, d, 2, 16);
  for (const auto& [id, init] : g.initializers())
    EXPECT_EQ(max_abs_diff(init.data, before.initializer(id)->data), 0.f) << g.value(id).name;
}

TEST(StructuredTaylor, NeedsSamples) {
  Graph g = build_model("lenet5");
  StructuredPruneOptions o;
  o.criterion = ImportanceCriterion::kTaylor;
  Dataset empty;
  o.data = &empty;
  EXPECT_NE(error_of([&] { prune_structured(g, o); }).find("needs samples"), std::string::npos);
  Dataset d = column_dataset(8, 1);
  o.data = &d;
  o.taylor_batches = 0;
  EXPECT_NE(error_of([&] { prune_structured(g, o); }).find("taylor_batches > 0"), std::string::npos);
}

}  // namespace
}  // namespace prunq::testing
