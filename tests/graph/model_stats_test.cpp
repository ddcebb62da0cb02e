// Model stats: parameter, nonzero, byte and MAC counts checked by hand for a small CNN.
#include <gtest/gtest.h>

#include <algorithm>

#include "graph/builder.h"
#include "graph/model_stats.h"

namespace prunq {
namespace {

Graph small_cnn() {
  GraphBuilder b("cnn", 1);
  ValueId x = b.input("x", DType::f32, {-1, 3, 8, 8});
  ValueId c = b.relu(b.conv2d(x, 3, 4, 3, 1, 1, 1, true, "conv"));  // -> [N, 4, 8, 8]
  ValueId dw = b.conv2d(c, 4, 4, 3, 2, 1, 4, false, "dw");            // depthwise -> [N, 4, 4, 4]
  ValueId f = b.flatten(dw);
  b.output(b.linear(f, 64, 10, true, "fc"));
  return b.finish();
}

TEST(ModelStats, CountsParamsBytesAndMacsPerNode) {
  Graph g = small_cnn();
  ModelStats s = compute_model_stats(g, 2);
  ASSERT_EQ(s.nodes.size(), 5u);
  const NodeStats& conv = s.nodes[0];
  EXPECT_EQ(conv.name, "conv");
  EXPECT_EQ(conv.params, 4 * 3 * 3 * 3 + 4);
  EXPECT_EQ(conv.weight_bytes, (4 * 3 * 3 * 3 + 4) * 4);
  EXPECT_EQ(conv.macs, 2 * 4 * 8 * 8 * (3 * 3 * 3));
  EXPECT_EQ(conv.output.shape, (Shape{2, 4, 8, 8}));
  EXPECT_EQ(s.nodes[1].macs, 0);  // Relu
  const NodeStats& dw = s.nodes[2];
  EXPECT_EQ(dw.params, 4 * 1 * 3 * 3);
  EXPECT_EQ(dw.macs, 2 * 4 * 4 * 4 * 9);
  const NodeStats& fc = s.nodes[4];
  EXPECT_EQ(fc.params, 64 * 10 + 10);
  EXPECT_EQ(fc.macs, 2 * 64 * 10);
  EXPECT_EQ(s.params, conv.params + dw.params + fc.params);
  EXPECT_EQ(s.params, g.num_parameters());
  EXPECT_EQ(s.macs, conv.macs + dw.macs + fc.macs);
  EXPECT_EQ(s.weight_bytes, 4 * s.params);
  EXPECT_EQ(s.nonzero_params, s.params);  // random init: no exact zeros
}

TEST(ModelStats, NonzeroCountSeesPrunedWeights) {
  Graph g = small_cnn();
  Tensor& w = g.initializer("fc.weight").data;
  for (int64_t i = 0; i < 100; ++i) w.f32()[i] = 0.f;
  ModelStats s = compute_model_stats(g);
  EXPECT_EQ(s.nodes[4].nonzero_params, 64 * 10 + 10 - 100);
  EXPECT_EQ(s.nonzero_params, s.params - 100);
}

TEST(ModelStats, SharedWeightIsCountedOnce) {
  GraphBuilder b("shared", 0);
  ValueId x = b.input("x", DType::f32, {1, 4});
  ValueId w = b.param("w", Tensor::full({4, 4}, 0.5f));
  ValueId h = b.op1("MatMul", {x, w});
  b.output(b.op1("MatMul", {h, w}));
  ModelStats s = compute_model_stats(b.finish());
  EXPECT_EQ(s.params, 16);
  EXPECT_EQ(s.macs, 2 * 16);
}

TEST(ModelStats, TableHasOneRowPerNodeAndTotals) {
  std::string t = format_model_stats(compute_model_stats(small_cnn()));
  EXPECT_NE(t.find("conv"), std::string::npos);
  EXPECT_NE(t.find("Gemm"), std::string::npos);
  EXPECT_NE(t.find("total"), std::string::npos);
  EXPECT_EQ(std::count(t.begin(), t.end(), '\n'), 1 + 5 + 1);
  EXPECT_THROW(compute_model_stats(small_cnn(), 0), Error);
}

}  // namespace
}  // namespace prunq
