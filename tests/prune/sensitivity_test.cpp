#include <gtest/gtest.h>

#include "prune/sensitivity.h"
#include "prune/sensitivity_json.h"
#include "prune_fixtures.h"
#include "support/error_of.h"

namespace prunq {
namespace {

TEST(PruneSensitivity, EachLayerIsPrunedAloneAndTheModelIsLeftAlone) {
  const Dataset train = testing::prototype_data(640, 1), test = testing::prototype_data(200, 2);
  Graph g = build_model("mlp");
  Trainer(g, testing::quiet(2)).fit(train);
  const Graph before = g.clone();
  SensitivityOptions o;
  o.sparsities = {0.5, 0.99, 1.0};
  const SensitivityReport r = analyze_sensitivity(g, test, o);
  ASSERT_EQ(r.layers.size(), 3u);
  EXPECT_GT(r.dense.accuracy, 0.7);
  for (const LayerSensitivity& l : r.layers) {
    ASSERT_EQ(l.points.size(), 3u);
    EXPECT_EQ(l.points[0].sparsity, 0.5);
    // A whole layer removed leaves a constant classifier: chance level.
    EXPECT_LT(l.points[2].accuracy, 0.3) << l.layer;
    EXPECT_LE(l.points[2].accuracy, l.points[0].accuracy + 1e-9) << l.layer;
  }
  for (const auto& [id, init] : before.initializers()) {
    EXPECT_EQ(max_abs_diff(init.data, g.initializer(id)->data), 0.f);
    EXPECT_FALSE(g.initializer(id)->mask.defined());
  }
  const std::string table = format_sensitivity_table(r);
  EXPECT_NE(table.find("fc2"), std::string::npos) << table;
  EXPECT_NE(table.find("99%"), std::string::npos) << table;
  o.sparsities = {0.5, 0.4};
  EXPECT_NE(testing::error_of([&] { analyze_sensitivity(g, test, o); }).find("increasing"), std::string::npos);
}

// A hand-made report: layer "robust" loses nothing up to 80%, "fragile" loses 1 pt per 10%.
SensitivityReport handmade() {
  SensitivityReport r;
  r.dense.accuracy = 0.9;
  LayerSensitivity robust{"robust", "robust.weight", 3000, {}}, fragile{"fragile", "fragile.weight", 1000, {}};
  for (int i = 1; i <= 9; ++i) {
    const double s = 0.1 * i;
    robust.points.push_back({s, s <= 0.8 + 1e-9 ? 0.9 : 0.7, 0});
    fragile.points.push_back({s, 0.9 - 0.1 * s, 0});
  }
  r.layers = {robust, fragile};
  return r;
}

TEST(PruneSensitivity, AllocationPrunesTheRobustLayerMostAndMeetsTheTarget) {
  const SparsityAllocation a = allocate_sparsity(handmade(), 0.7);
  ASSERT_EQ(a.layers.size(), 2u);
  EXPECT_NEAR(a.achieved, 0.7, 1e-9);
  // Robust is free up to 80% and then costs 2 pt per 1% (to 20 pt at 90%); fragile costs 0.1 pt
  // per 1%. One tolerance t: 3000 (0.8 + t / 2) + 1000 (10 t) = 2800 weights, t = 400 / 11500.
  const double t = 400.0 / 11500.0;
  EXPECT_NEAR(a.tolerance, t, 1e-6);
  EXPECT_NEAR(a.layers[0].sparsity, 0.8 + t / 2, 1e-6);
  EXPECT_NEAR(a.layers[1].sparsity, 10 * t, 1e-6);
  EXPECT_NEAR(a.layers[1].expected_drop, t, 1e-6);
  EXPECT_NEAR(a.layers[0].expected_drop, t, 1e-6);
  EXPECT_NE(format_allocation(a).find("fragile"), std::string::npos);
}

TEST(PruneSensitivity, AllocationBelowTheFreeSparsityScalesDownAndBeyondTheCurvesIsAnError) {
  const SparsityAllocation a = allocate_sparsity(handmade(), 0.3);
  EXPECT_NEAR(a.achieved, 0.3, 1e-9);
  EXPECT_EQ(a.tolerance, 0);
  EXPECT_NEAR(a.layers[0].sparsity, 0.4, 1e-9);  // 0.8 * (0.3 / 0.6)
  EXPECT_EQ(a.layers[1].sparsity, 0);
  const std::string e = testing::error_of([] { allocate_sparsity(handmade(), 0.95); });
  EXPECT_NE(e.find("beyond the measured curves"), std::string::npos) << e;
  // A cap ends every curve there.
  const SparsityAllocation c = allocate_sparsity(handmade(), 0.5, 0.5);
  EXPECT_NEAR(c.layers[0].sparsity, 0.5, 1e-9);
  EXPECT_NEAR(c.layers[1].sparsity, 0.5, 1e-6);
}

TEST(PruneSensitivity, ReportsRoundTripThroughJsonAndBadFilesAreErrors) {
  const SensitivityReport r = handmade();
  const SensitivityReport back = sensitivity_from_json(parse_json(json_text(sensitivity_to_json(r)), "s.json"), "s.json");
  ASSERT_EQ(back.layers.size(), 2u);
  EXPECT_EQ(back.layers[1].layer, "fragile");
  EXPECT_EQ(back.layers[1].numel, 1000);
  EXPECT_EQ(back.layers[1].points.size(), 9u);
  EXPECT_DOUBLE_EQ(back.layers[1].points[4].accuracy, r.layers[1].points[4].accuracy);
  EXPECT_NEAR(allocate_sparsity(back, 0.7).achieved, 0.7, 1e-9);
  Json bad = sensitivity_to_json(r);
  bad["layers"][0].erase("weights");
  EXPECT_NE(testing::error_of([&] { sensitivity_from_json(bad, "s.json"); }).find("s.json layer 'robust': missing \"weights\""),
            std::string::npos);
  bad = sensitivity_to_json(r);
  bad["layers"][1]["points"][2]["sparsity"] = 0.05;
  EXPECT_NE(testing::error_of([&] { sensitivity_from_json(bad, "s.json"); }).find("increasing"), std::string::npos);
  EXPECT_EQ(allocation_to_json(allocate_sparsity(r, 0.7))["layers"].size(), 2u);
}

}  // namespace
}  // namespace prunq
