#include <gtest/gtest.h>

#include "models/zoo.h"
#include "prune/prunable.h"
#include "prune_fixtures.h"
#include "support/error_of.h"

namespace prunq {
namespace {

TEST(PrunePrunable, FmnistCnnHasItsThreeConvsAndTwoLinearLayers) {
  const Graph g = build_model("fmnist-cnn");
  const std::vector<PrunableWeight> w = find_prunable_weights(g);
  ASSERT_EQ(w.size(), 5u);
  EXPECT_EQ(w[0].op, "Conv");
  EXPECT_EQ(w[0].outputs, 32);
  EXPECT_EQ(w[0].reduction, 9);  // 1 input channel x 3 x 3
  EXPECT_EQ(w[1].reduction, 32 * 9);
  EXPECT_EQ(w[3].op, "Gemm");
  EXPECT_EQ(w[3].weight_name, "fc1.weight");
  EXPECT_EQ(w[3].outputs, 256);
  EXPECT_EQ(w[3].reduction, 128 * 7 * 7);
  EXPECT_EQ(w[3].index(2, 5), 2 * 6272 + 5);
  for (const PrunableWeight& p : w) EXPECT_EQ(p.numel(), g.initializer(p.weight)->data.numel()) << p.layer;
}

TEST(PrunePrunable, MatMulAndPlainGemmRowsAreColumnsOfTheStoredMatrix) {
  const Graph g = testing::two_layer_linear();
  const std::vector<PrunableWeight> w = find_prunable_weights(g);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].outputs, 3);  // Gemm transB: [3, 4] rows
  EXPECT_EQ(w[0].index(1, 2), 6);
  EXPECT_EQ(w[1].op, "MatMul");  // B [3, 2]: output j reads column j
  EXPECT_EQ(w[1].outputs, 2);
  EXPECT_EQ(w[1].reduction, 3);
  EXPECT_EQ(w[1].index(1, 2), 2 * 2 + 1);
}

TEST(PrunePrunable, LayersKeptDenseByNameOrPatternAndTyposAreErrors) {
  const Graph g = build_model("fmnist-cnn");
  EXPECT_EQ(select_prunable(g, {"fc2"}).size(), 4u);
  EXPECT_EQ(select_prunable(g, {"fc2.weight"}).size(), 4u);
  EXPECT_EQ(select_prunable(g, {"layer*"}).size(), 2u);
  EXPECT_EQ(select_prunable(g, {"*fc*", "layer1*"}).size(), 2u);
  const std::string e = testing::error_of([&] { select_prunable(g, {"fc3"}); });
  EXPECT_NE(e.find("'fc3' names no prunable layer"), std::string::npos) << e;
  EXPECT_NE(e.find("fc1"), std::string::npos) << e;  // lists what exists
}

TEST(PrunePrunable, BiasesNormalisationAndFrozenWeightsAreNotPrunable) {
  Graph g = build_model("fmnist-cnn");
  g.initializer("fc1.weight").trainable = false;
  for (const PrunableWeight& w : find_prunable_weights(g)) {
    EXPECT_EQ(w.weight_name.find(".bias"), std::string::npos);
    EXPECT_NE(w.weight_name, "fc1.weight");
  }
}

}  // namespace
}  // namespace prunq
