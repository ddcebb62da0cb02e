// Channel / unit pruning is exact on silenced channels for every coupling pattern: the pruned
// graph is smaller, valid, and computes what the dense one computed.
#include <gtest/gtest.h>

#include "models/zoo.h"
#include "prune/structured_test_util.h"

namespace prunq::testing {
namespace {

Attributes axis_attr(int64_t axis) {
  Attributes a;
  a.set("axis", axis);
  return a;
}

ValueId conv_bn_relu(GraphBuilder& b, ValueId x, int64_t in, int64_t out, int64_t k, int64_t groups,
                     const std::string& name) {
  ValueId y = b.conv2d(x, in, out, k, 1, k / 2, groups, false, name + ".conv");
  return b.relu(b.batchnorm(y, out, name + ".bn"), name + ".relu");
}

ValueId classifier(GraphBuilder& b, ValueId x, int64_t channels) {
  ValueId y = b.flatten(b.global_avgpool(x, "gap"), "flatten");
  return b.linear(y, channels, 5, true, "fc");
}

TEST(StructuredExact, ConvChainIntoFlattenAndGemm) {
  GraphBuilder b("chain", 1);
  ValueId x = b.input("input", DType::f32, {-1, 2, 8, 8});
  ValueId y = conv_bn_relu(b, x, 2, 8, 3, 1, "l1");
  y = b.maxpool(conv_bn_relu(b, y, 8, 12, 3, 1, "l2"), 2, 2, "pool");
  y = b.relu(b.linear(b.flatten(y, "flatten"), 12 * 16, 16, true, "fc1"), "fc1.relu");
  b.output(b.linear(y, 16, 4, true, "fc2"), "logits");
  Graph g = b.finish();
  StructuredPruneReport r = expect_exact_pruning(g, StructuredMethod::kChannel, 0.5, random_tensor({3, 2, 8, 8}, 5));
  // fc1 lost the features of the removed l2 channels: 6 channels x 16 positions.
  EXPECT_EQ(g.initializer("fc1.weight").data.shape(), (Shape{16, 6 * 16}));
  EXPECT_EQ(g.initializer("l2.conv.weight").data.shape(), (Shape{6, 4, 3, 3}));
  EXPECT_EQ(g.initializer("l2.bn.running_var").data.shape(), (Shape{6}));
  EXPECT_LT(r.macs_after, r.macs_before / 2);
  EXPECT_TRUE(g.initializer("l1.conv.weight").mask.defined() == false);
}

TEST(StructuredExact, LinearUnits) {
  GraphBuilder b("mlp", 2);
  ValueId x = b.input("input", DType::f32, {-1, 10});
  ValueId y = b.relu(b.linear(x, 10, 12, true, "fc1"));
  y = b.relu(b.linear(y, 12, 8, true, "fc2"));
  // MatMul + bias Add form, as some exporters write a Linear layer.
  ValueId w = b.param("fc3.weight", random_tensor({8, 6}, 3));
  ValueId bias = b.param("fc3.bias", random_tensor({6}, 4));
  y = b.relu(b.add(b.op1("MatMul", {y, w}), bias));
  b.output(b.linear(y, 6, 3, true, "out"), "logits");
  Graph g = b.finish();
  StructuredPruneReport r = expect_exact_pruning(g, StructuredMethod::kUnit, 0.5, random_tensor({4, 10}, 6));
  EXPECT_EQ(g.initializer("fc1.weight").data.shape(), (Shape{6, 10}));
  EXPECT_EQ(g.initializer("fc2.weight").data.shape(), (Shape{4, 6}));
  EXPECT_EQ(g.initializer("fc3.weight").data.shape(), (Shape{4, 3}));
  EXPECT_EQ(g.initializer("fc3.bias").data.shape(), (Shape{3}));
  EXPECT_EQ(g.initializer("out.weight").data.shape(), (Shape{3, 3}));
  ASSERT_EQ(r.groups.size(), 4u);  // fc1, fc2, fc3 and the logits (kept)
  EXPECT_FALSE(r.groups.back().pruned);
  EXPECT_NE(r.groups.back().skipped_because.find("graph output 'logits'"), std::string::npos);
}

TEST(StructuredExact, ResidualAddTiesBothBranches) {
  GraphBuilder b("res", 3);
  ValueId x = b.input("input", DType::f32, {-1, 1, 8, 8});
  ValueId s = conv_bn_relu(b, x, 1, 8, 3, 1, "stem");
  ValueId y = conv_bn_relu(b, s, 8, 6, 3, 1, "b1");
  y = b.batchnorm(b.conv2d(y, 6, 8, 3, 1, 1, 1, false, "b2.conv"), 8, "b2.bn");
  ValueId sum = b.relu(b.add(y, s, "add"), "add.relu");
  ValueId z = b.batchnorm(b.conv2d(sum, 8, 8, 3, 1, 1, 1, false, "b3.conv"), 8, "b3.bn");
  sum = b.relu(b.add(sum, z, "add2"));  // shortcut on the left this time
  b.output(classifier(b, sum, 8), "logits");
  Graph g = b.finish();
  expect_exact_pruning(g, StructuredMethod::kChannel, 0.5, random_tensor({2, 1, 8, 8}, 7));
  EXPECT_EQ(g.initializer("stem.conv.weight").data.dim(0), 4);
  EXPECT_EQ(g.initializer("b2.conv.weight").data.dim(0), 4);
  EXPECT_EQ(g.initializer("b3.conv.weight").data.shape(), (Shape{4, 4, 3, 3}));
  EXPECT_EQ(g.initializer("b1.conv.weight").data.shape(), (Shape{3, 4, 3, 3}));
  EXPECT_EQ(g.initializer("fc.weight").data.shape(), (Shape{5, 4}));
}

TEST(StructuredExact, ResidualGroupNamesEveryProducer) {
  GraphBuilder b("res", 3);
  ValueId x = b.input("input", DType::f32, {-1, 1, 8, 8});
  ValueId s = conv_bn_relu(b, x, 1, 8, 3, 1, "stem");
  ValueId y = b.batchnorm(b.conv2d(s, 8, 8, 3, 1, 1, 1, false, "b.conv"), 8, "b.bn");
  b.output(classifier(b, b.relu(b.add(y, s)), 8), "logits");
  Graph g = b.finish();
  StructuredPruneReport r = prune_structured(g, StructuredPruneOptions{});
  ASSERT_EQ(r.groups.size(), 1u);
  EXPECT_EQ(r.groups[0].name, "stem.conv");
  EXPECT_EQ(r.groups[0].producers, (std::vector<std::string>{"stem.conv", "b.conv"}));
  EXPECT_EQ(r.groups[0].channels_after, 4);
}

TEST(StructuredExact, DepthwiseWithChannelMultiplier) {
  GraphBuilder b("dw", 4);
  ValueId x = b.input("input", DType::f32, {-1, 3, 8, 8});
  ValueId y = conv_bn_relu(b, x, 3, 8, 1, 1, "pw1");
  y = conv_bn_relu(b, y, 8, 16, 3, 8, "dw");  // group 8, two output channels per input channel
  y = conv_bn_relu(b, y, 16, 8, 1, 1, "pw2");
  y = conv_bn_relu(b, y, 8, 8, 3, 8, "dw2");  // plain depthwise
  b.output(classifier(b, y, 8), "logits");
  Graph g = b.finish();
  expect_exact_pruning(g, StructuredMethod::kChannel, 0.5, random_tensor({2, 3, 8, 8}, 8));
  EXPECT_EQ(g.initializer("dw.conv.weight").data.shape(), (Shape{8, 1, 3, 3}));
  EXPECT_EQ(g.initializer("pw1.conv.weight").data.dim(0), 4);
  EXPECT_EQ(g.initializer("dw2.conv.weight").data.shape(), (Shape{4, 1, 3, 3}));
  for (const Node& n : g.nodes())
    if (n.name == "dw.conv" || n.name == "dw2.conv") {
      EXPECT_EQ(n.attrs.get_int("group", 0), 4) << n.name;
    }
}

TEST(StructuredExact, GroupedConvCutsTheSamePositionInEveryGroup) {
  GraphBuilder b("grouped", 5);
  ValueId x = b.input("input", DType::f32, {-1, 2, 6, 6});
  ValueId y = conv_bn_relu(b, x, 2, 8, 3, 1, "c1");
  y = conv_bn_relu(b, y, 8, 12, 3, 2, "g");  // 2 groups: 4 in, 6 out each
  b.output(classifier(b, y, 12), "logits");
  Graph g = b.finish();
  const structured::ChannelAnalysis a = structured::analyze_channels(g);
  ASSERT_EQ(a.groups.size(), 3u);
  EXPECT_EQ(a.groups[0].clusters.size(), 4u);  // c1: 8 channels = 2 groups x 4 positions
  EXPECT_EQ(a.groups[1].clusters.size(), 6u);  // g: 12 = 2 x 6
  expect_exact_pruning(g, StructuredMethod::kChannel, 0.5, random_tensor({2, 2, 6, 6}, 9));
  EXPECT_EQ(g.initializer("c1.conv.weight").data.dim(0), 4);
  EXPECT_EQ(g.initializer("g.conv.weight").data.shape(), (Shape{6, 2, 3, 3}));
  for (const Node& n : g.nodes())
    if (n.name == "g.conv") {
      EXPECT_EQ(n.attrs.get_int("group", 0), 2);
    }
}

TEST(StructuredExact, ConcatOffsetsAndChannelSlices) {
  GraphBuilder b("concat", 6);
  ValueId x = b.input("input", DType::f32, {-1, 2, 6, 6});
  ValueId p = conv_bn_relu(b, x, 2, 6, 3, 1, "a");
  ValueId q = conv_bn_relu(b, x, 2, 4, 1, 1, "b");
  ValueId cat = b.op1("Concat", {p, q}, axis_attr(1), "cat");
  // Split the 10 channels again with two Slices, one bounded by INT64_MAX, one by a negative end.
  auto ints = [&](const std::string& name, std::vector<int64_t> v) {
    return b.constant(name, Tensor::from_vector_i64({static_cast<int64_t>(v.size())}, v));
  };
  ValueId axes = ints("axes1", {1});
  ValueId lo = b.op1("Slice", {cat, ints("s0", {0}), ints("e0", {-3}), axes}, {}, "slice_lo");
  ValueId hi = b.op1("Slice", {cat, ints("s1", {7}), ints("e1", {INT64_MAX}), axes}, {}, "slice_hi");
  ValueId lo2 = conv_bn_relu(b, lo, 7, 4, 3, 1, "c_lo");
  ValueId hi2 = conv_bn_relu(b, hi, 3, 4, 3, 1, "c_hi");
  b.output(classifier(b, b.add(lo2, hi2), 4), "logits");
  Graph g = b.finish();
  expect_exact_pruning(g, StructuredMethod::kChannel, 0.5, random_tensor({2, 2, 6, 6}, 10));
  EXPECT_EQ(g.initializer("a.conv.weight").data.dim(0) + g.initializer("b.conv.weight").data.dim(0), 5);
  EXPECT_EQ(g.initializer("c_lo.conv.weight").data.dim(1) + g.initializer("c_hi.conv.weight").data.dim(1), 5);
}

TEST(StructuredExact, ReshapeFlattenSqueezeAndPerChannelConstants) {
  GraphBuilder b("reshape", 7);
  ValueId x = b.input("input", DType::f32, {-1, 1, 4, 4});
  ValueId y = conv_bn_relu(b, x, 1, 8, 3, 1, "c1");
  // A per-channel scale (as a layer-scale or folded normalisation would be): cut with the channels.
  ValueId scale = b.constant("scale", random_tensor({8, 1, 1}, 11, 0.5f, 1.5f));
  y = b.op1("Mul", {y, scale}, {}, "layer_scale");
  ValueId y2 = conv_bn_relu(b, y, 8, 6, 3, 1, "c2");
  // torch's x.view(N, -1) after folding: Reshape to an explicit feature count.
  ValueId flat = b.op1("Reshape", {y2, b.constant("shape", Tensor::from_vector_i64({2}, {-1, 6 * 16}))}, {}, "view");
  ValueId f1 = b.relu(b.linear(flat, 6 * 16, 5, true, "fc1"));
  // And GAP + Squeeze into a second head on c1's channels.
  ValueId sq = b.op1("Squeeze", {b.global_avgpool(y), b.constant("sq_axes", Tensor::from_vector_i64({2}, {2, 3}))},
                     {}, "squeeze");
  ValueId f2 = b.linear(sq, 8, 5, true, "fc2");
  b.output(b.add(f1, f2), "logits");
  Graph g = b.finish();
  expect_exact_pruning(g, StructuredMethod::kChannel, 0.5, random_tensor({3, 1, 4, 4}, 12));
  EXPECT_EQ(g.initializer("fc1.weight").data.shape(), (Shape{5, 3 * 16}));
  EXPECT_EQ(g.initializer("fc2.weight").data.shape(), (Shape{5, 4}));
  EXPECT_EQ(g.initializer("scale").data.shape(), (Shape{4, 1, 1}));
  const std::vector<int64_t> shape(g.initializer("shape").data.data<int64_t>(),
                                   g.initializer("shape").data.data<int64_t>() + 2);
  EXPECT_EQ(shape, (std::vector<int64_t>{-1, 3 * 16}));
}

TEST(StructuredExact, ReduceMeanOverSpatialAxesKeepsChannels) {
  GraphBuilder b("reduce", 9);
  ValueId x = b.input("input", DType::f32, {-1, 1, 6, 6});
  ValueId y = conv_bn_relu(b, x, 1, 8, 3, 1, "c1");
  Attributes a;
  a.set("axes", std::vector<int64_t>{-2, -1});
  a.set("keepdims", int64_t{0});
  ValueId pooled = b.op1("ReduceMean", {y}, a, "mean");
  // A ReduceSum over every axis (no axes) mixes channels: its input group stays whole.
  ValueId z = conv_bn_relu(b, x, 1, 4, 3, 1, "c2");
  Attributes scalar;
  scalar.set("keepdims", int64_t{0});
  ValueId total = b.op1("ReduceSum", {z}, scalar, "total");
  b.output(b.add(b.linear(pooled, 8, 3, true, "fc"), total), "logits");
  Graph g = b.finish();
  ASSERT_EQ(g.value(g.outputs()[0]).type.shape, (Shape{-1, 3}));
  expect_exact_pruning(g, StructuredMethod::kChannel, 0.5, random_tensor({2, 1, 6, 6}, 18));
  EXPECT_EQ(g.initializer("fc.weight").data.shape(), (Shape{3, 4}));
  EXPECT_EQ(g.initializer("c2.conv.weight").data.dim(0), 4);
}

TEST(StructuredExact, SharedConstantIsSplitPerUse) {
  GraphBuilder b("shared", 8);
  ValueId x = b.input("input", DType::f32, {-1, 1, 4, 4});
  ValueId scale = b.constant("scale", random_tensor({8, 1, 1}, 13, 0.5f, 1.5f));
  ValueId p = b.op1("Mul", {conv_bn_relu(b, x, 1, 8, 3, 1, "p"), scale});
  ValueId q = b.op1("Mul", {conv_bn_relu(b, x, 1, 8, 3, 1, "q"), scale});
  ValueId y = b.op1("Concat", {p, q}, axis_attr(1));
  b.output(classifier(b, conv_bn_relu(b, y, 16, 4, 1, 1, "mix"), 4), "logits");
  Graph g = b.finish();
  expect_exact_pruning(g, StructuredMethod::kChannel, 0.5, random_tensor({2, 1, 4, 4}, 14));
}

TEST(StructuredExact, BnGammaRanksSilencedChannelsLowest) {
  Graph g = build_model("fmnist-cnn");
  StructuredPruneReport r = expect_exact_pruning(g, StructuredMethod::kChannel, 0.25,
                                                 random_tensor({2, 1, 28, 28}, 15), 3, ImportanceCriterion::kBnGamma);
  for (const PrunedGroup& pg : r.groups) EXPECT_EQ(pg.criterion, "bn-gamma") << pg.name;
}

class StructuredZooExact : public ::testing::TestWithParam<std::string> {};

TEST_P(StructuredZooExact, ChannelPruningIsExactOnSilencedChannels) {
  Graph g = build_model(GetParam());
  StructuredPruneReport r = expect_exact_pruning(g, StructuredMethod::kChannel, 0.5, random_tensor({2, 1, 28, 28}, 16));
  EXPECT_LT(r.macs_after, r.macs_before / 2) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Zoo, StructuredZooExact, ::testing::Values("fmnist-cnn", "lenet5", "resnet8", "mobilenet-tiny"),
                         [](const ::testing::TestParamInfo<std::string>& i) {
                           std::string n = i.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

TEST(StructuredExact, UnitPruningOfTheZooMlp) {
  Graph g = build_model("mlp");
  expect_exact_pruning(g, StructuredMethod::kUnit, 0.5, random_tensor({2, 1, 28, 28}, 17));
  EXPECT_EQ(g.initializer("fc1.weight").data.shape(), (Shape{128, 784}));
  EXPECT_EQ(g.initializer("fc3.weight").data.shape(), (Shape{10, 64}));
}

}  // namespace
}  // namespace prunq::testing
