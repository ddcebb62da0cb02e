#include <gtest/gtest.h>

#include "graph/model_stats.h"
#include "prune/nm.h"
#include "prune/prune_report.h"
#include "prune_fixtures.h"

namespace prunq {
namespace {

TEST(PruneReport, BeforeAfterPerLayerWithSparseMacs) {
  const Graph before = build_model("fmnist-cnn");
  Graph after = before.clone();
  prune_nm(after, find_prunable_weights(after), {2, 4});
  const PruneComparison c = compare_pruning(before, after);
  // Conv and BN layers and the two FCs; the input normalisation's constants are no layer.
  ASSERT_EQ(c.layers.size(), 8u);
  const LayerComparison* fc1 = nullptr;
  for (const LayerComparison& l : c.layers)
    if (l.layer == "fc1") fc1 = &l;
  ASSERT_NE(fc1, nullptr);
  EXPECT_EQ(fc1->before.params, 6272 * 256 + 256);
  EXPECT_EQ(fc1->after.params, fc1->before.params);
  EXPECT_NEAR(fc1->sparsity_after(), 0.5 * 6272 * 256 / double(fc1->before.params), 1e-6);
  EXPECT_EQ(fc1->before.macs, 6272 * 256);
  EXPECT_EQ(fc1->after.macs, 6272 * 128);  // a sparse kernel skips the zeros
  EXPECT_EQ(fc1->after.bytes, fc1->before.bytes);
  const ModelStats s = compute_model_stats(before, 1);
  EXPECT_EQ(c.total.before.macs, s.macs);
  EXPECT_LT(c.total.after.macs, s.macs * 0.6);
  const std::string t = format_prune_comparison(c);
  EXPECT_NE(t.find("fc1"), std::string::npos) << t;
  EXPECT_NE(t.find("total"), std::string::npos) << t;
}

TEST(PruneReport, LayersMissingAfterwardsAreShownRemoved) {
  const Graph before = build_model("mlp");
  Graph after = build_model("mlp");
  for (Node& n : after.nodes())
    if (n.name == "fc2") n.name = "fc2.renamed";
  const PruneComparison c = compare_pruning(before, after);
  bool seen = false;
  for (const LayerComparison& l : c.layers)
    if (l.layer == "fc2") seen = l.removed;
  EXPECT_TRUE(seen);
  EXPECT_EQ(c.total.after.params, c.total.before.params);  // counted under the new name
}

}  // namespace
}  // namespace prunq
