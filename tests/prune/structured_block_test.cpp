// Block removal: which blocks are removable, that the least important go, and that removing a
// block that computes nothing (a silenced residual branch, an identity layer) leaves the
// outputs unchanged.
#include <gtest/gtest.h>

#include "models/zoo.h"
#include "prune/structured/block_removal.h"
#include "prune/structured_test_util.h"

namespace prunq::testing {
namespace {

std::vector<std::string> candidate_names(const Graph& g) {
  std::vector<std::string> out;
  for (const structured::BlockCandidate& c : structured::find_block_candidates(g))
    out.push_back(c.kind + ":" + g.node(c.head).name);
  return out;
}

// stem, then two bottleneck-style residual blocks (8 -> 16 -> 8, so no single layer inside
// keeps its input's shape), then a classifier.
Graph two_block_net() {
  GraphBuilder b("blocks", 9);
  ValueId x = b.input("input", DType::f32, {-1, 1, 8, 8});
  ValueId y = b.relu(b.batchnorm(b.conv2d(x, 1, 8, 3, 1, 1, 1, false, "stem"), 8, "stem.bn"));
  for (const char* name : {"a", "b"}) {
    const std::string n = name;
    ValueId t = b.relu(b.batchnorm(b.conv2d(y, 8, 16, 1, 1, 0, 1, false, n + ".expand"), 16, n + ".bn1"));
    t = b.batchnorm(b.conv2d(t, 16, 8, 3, 1, 1, 1, false, n + ".project"), 8, n + ".bn2");
    y = b.relu(b.add(y, t, n + ".add"), n + ".relu");
  }
  b.output(b.linear(b.flatten(b.global_avgpool(y)), 8, 4, true, "fc"), "logits");
  return b.finish();
}

TEST(StructuredBlocks, FindsIdentityResidualsAndShapePreservingLayers) {
  EXPECT_EQ(candidate_names(build_model("resnet8")),
            (std::vector<std::string>{"layer:layer1.conv1.conv", "layer:layer1.conv2.conv", "residual:layer1.add",
                                      "layer:layer2.conv2.conv", "layer:layer3.conv2.conv"}));
  EXPECT_EQ(candidate_names(build_model("mobilenet-tiny")),
            (std::vector<std::string>{"layer:block1.dw.conv", "layer:block3.dw.conv", "layer:block3.pw.conv",
                                      "layer:block5.dw.conv", "layer:block5.pw.conv"}));
  EXPECT_TRUE(candidate_names(build_model("fmnist-cnn")).empty());
  EXPECT_EQ(candidate_names(two_block_net()), (std::vector<std::string>{"residual:a.add", "residual:b.add"}));
}

TEST(StructuredBlocks, SilencedResidualBranchGoesFirstAndExactly) {
  for (const char* silenced : {"a", "b"}) {
    Graph g = two_block_net();
    randomize_batchnorms(g, 5);
    for (const char* p : {".bn2.weight", ".bn2.bias"}) g.initializer(silenced + std::string(p)).data.fill(0.f);
    const Tensor x = random_tensor({2, 1, 8, 8}, 3);
    const Tensor before = run_model(g, x);
    StructuredPruneOptions o;
    o.method = StructuredMethod::kBlock;
    o.ratio = 0.5;
    o.criterion = ImportanceCriterion::kBnGamma;
    StructuredPruneReport r = prune_structured(g, o);
    EXPECT_EQ(r.block_candidates, 2);
    ASSERT_EQ(r.removed_blocks.size(), 1u);
    EXPECT_EQ(r.removed_blocks[0].name, silenced + std::string(".add"));
    EXPECT_EQ(r.removed_blocks[0].kind, "residual");
    EXPECT_EQ(r.removed_blocks[0].nodes.size(), 6u);  // expand, bn1, relu, project, bn2, add
    EXPECT_EQ(r.removed_blocks[0].params, 8 * 16 + 2 * 16 + 16 * 8 * 9 + 2 * 8);
    EXPECT_EQ(r.params_before - r.params_after, r.removed_blocks[0].params);
    // The branch added 0 and the ReLU after the Add sees the (non-negative) shortcut: exact.
    EXPECT_LE(max_abs_diff(run_model(g, x), before), 1e-5 * std::max(1.0, max_abs(before)));
    EXPECT_FALSE(g.is_initializer(g.find_value(silenced + std::string(".expand.weight"))));
  }
}

TEST(StructuredBlocks, TaylorRemovesAnIdentityLayerExactly) {
  GraphBuilder b("layers", 2);
  ValueId x = b.input("input", DType::f32, {-1, 1, 8, 8});
  ValueId y = b.relu(b.conv2d(x, 1, 8, 3, 1, 1, 1, true, "stem"));
  y = b.relu(b.conv2d(y, 8, 8, 3, 1, 1, 1, true, "mid"));
  y = b.relu(b.conv2d(y, 8, 8, 1, 1, 0, 1, true, "id"), "id.relu");  // made the identity below
  y = b.relu(b.conv2d(y, 8, 8, 3, 1, 1, 1, true, "last"));
  b.output(b.linear(b.flatten(b.global_avgpool(y)), 8, 10, true, "fc"), "logits");
  Graph g = b.finish();
  Tensor& w = g.initializer("id.weight").data;
  w.zero();
  for (int64_t c = 0; c < 8; ++c) w.f32()[c * 8 + c] = 1.f;
  g.initializer("id.bias").data.zero();
  EXPECT_EQ(candidate_names(g), (std::vector<std::string>{"layer:mid", "layer:id", "layer:last"}));
  const Tensor x1 = random_tensor({2, 1, 8, 8}, 4);
  const Tensor before = run_model(g, x1);
  Dataset d;
  d.images = random_tensor({16, 1, 8, 8}, 6, 0.f, 1.f);
  d.labels = Tensor(DType::i64, {16});
  for (int64_t i = 0; i < 16; ++i) d.labels.data<int64_t>()[i] = i % 10;
  const size_t nodes_before = g.nodes().size();
  StructuredPruneOptions o;
  o.method = StructuredMethod::kBlock;
  o.ratio = 0.34;  // one of three
  o.criterion = ImportanceCriterion::kTaylor;
  o.data = &d;
  o.taylor_batches = 2;
  o.batch_size = 8;
  StructuredPruneReport r = prune_structured(g, o);
  ASSERT_EQ(r.removed_blocks.size(), 1u);
  EXPECT_EQ(r.removed_blocks[0].name, "id");
  EXPECT_EQ(r.removed_blocks[0].importance, 0.0);
  EXPECT_LE(max_abs_diff(run_model(g, x1), before), 1e-5 * std::max(1.0, max_abs(before)));
  EXPECT_EQ(g.nodes().size(), nodes_before - 2);  // the conv and its ReLU
}

TEST(StructuredBlocks, ResnetBlocksGoWithoutOverlapAndTheModelStillRuns) {
  Graph g = build_model("resnet8");
  StructuredPruneOptions o;
  o.method = StructuredMethod::kBlock;
  o.ratio = 0.8;  // 4 of 5 wanted; the layers nested in layer1's residual conflict with it
  StructuredPruneReport r = prune_structured(g, o);
  EXPECT_EQ(r.block_candidates, 5);
  std::set<std::string> nodes;
  for (const RemovedBlock& rb : r.removed_blocks)
    for (const std::string& n : rb.nodes) EXPECT_TRUE(nodes.insert(n).second) << n << " removed twice";
  EXPECT_GE(r.removed_blocks.size(), 3u);
  EXPECT_LE(r.removed_blocks.size(), 4u);
  for (const RemovedBlock& rb : r.removed_blocks)
    for (const Node& n : g.nodes()) EXPECT_NE(n.name, rb.nodes[0]);
  EXPECT_EQ(run_model(g, random_tensor({2, 1, 28, 28}, 1)).shape(), (Shape{2, 10}));
}

TEST(StructuredBlocks, ExcludedBlocksStay) {
  Graph g = two_block_net();
  StructuredPruneOptions o;
  o.method = StructuredMethod::kBlock;
  o.ratio = 0.5;
  o.exclude = {"a.*"};
  StructuredPruneReport r = prune_structured(g, o);
  EXPECT_EQ(r.block_candidates, 1);
  ASSERT_EQ(r.removed_blocks.size(), 1u);
  EXPECT_EQ(r.removed_blocks[0].name, "b.add");
}

TEST(StructuredBlocks, NothingRemovableIsNotAnError) {
  Graph g = build_model("fmnist-cnn");
  StructuredPruneOptions o;
  o.method = StructuredMethod::kBlock;
  StructuredPruneReport r = prune_structured(g, o);
  EXPECT_EQ(r.block_candidates, 0);
  EXPECT_TRUE(r.removed_blocks.empty());
  EXPECT_EQ(r.params_after, r.params_before);
  EXPECT_NE(format_structured_report(r).find("0 of 0 removable blocks removed"), std::string::npos);
}

}  // namespace
}  // namespace prunq::testing
