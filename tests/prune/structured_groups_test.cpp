// The dependency analysis on small graphs (what is coupled, what is fixed and why), and the
// options of prune_structured: exclusions, rounding, bad values.
#include <gtest/gtest.h>

#include "models/zoo.h"
#include "prune/structured/tensor_cut.h"
#include "prune/structured_test_util.h"
#include "support/error_of.h"

namespace prunq::testing {
namespace {

using structured::analyze_channels;
using structured::ChannelAnalysis;

const structured::DependencyGroup* group_named(const Graph& g, const ChannelAnalysis& a, const std::string& producer) {
  for (const structured::DependencyGroup& grp : a.groups)
    for (NodeId p : grp.producers)
      if (g.node(p).name == producer) return &grp;
  return nullptr;
}

const PrunedGroup* report_group(const StructuredPruneReport& r, const std::string& name) {
  for (const PrunedGroup& pg : r.groups)
    if (pg.name == name) return &pg;
  return nullptr;
}

TEST(StructuredGroups, FmnistCnnGroupsAndCoupledLayers) {
  Graph g = build_model("fmnist-cnn");
  ChannelAnalysis a = analyze_channels(g);
  ASSERT_EQ(a.groups.size(), 5u);  // layer1..3 convs, fc1, fc2
  const structured::DependencyGroup* l3 = group_named(g, a, "layer3.conv");
  ASSERT_NE(l3, nullptr);
  EXPECT_TRUE(l3->conv);
  EXPECT_EQ(l3->clusters.size(), 128u);
  // Each layer3 channel holds its conv, BN, ReLU and pool channels and 7x7 = 49 FC features.
  EXPECT_EQ(a.cluster_elements[l3->clusters[0]].size(), 4u + 49);
  std::vector<std::string> coupled;
  for (NodeId n : l3->coupled) coupled.push_back(g.node(n).name);
  EXPECT_EQ(coupled, (std::vector<std::string>{"layer3.bn", "fc1"}));
  const structured::DependencyGroup* fc2 = group_named(g, a, "fc2");
  ASSERT_NE(fc2, nullptr);
  EXPECT_FALSE(fc2->conv);
  EXPECT_NE(a.fixed_reason[fc2->clusters[0]].find("graph output 'logits'"), std::string::npos);
}

TEST(StructuredGroups, OpsWithoutAChannelMappingFixTheirChannels) {
  GraphBuilder b("fixed", 1);
  ValueId x = b.input("input", DType::f32, {-1, 1, 6, 6});
  ValueId y = b.relu(b.conv2d(x, 1, 4, 3, 1, 1, 1, true, "c1"));
  Attributes perm;
  perm.set("perm", std::vector<int64_t>{0, 2, 3, 1});
  ValueId t = b.op1("Transpose", {y}, perm, "nhwc");
  ValueId z = b.relu(b.conv2d(x, 1, 6, 3, 1, 1, 1, true, "c2"));
  Attributes ax;
  ax.set("axis", int64_t{1});
  ValueId sm = b.op1("Softmax", {z}, ax, "channel_softmax");
  ValueId w = b.relu(b.conv2d(x, 1, 5, 3, 1, 1, 1, true, "c3"));
  b.output(t, "a");
  b.output(sm, "b");
  b.output(b.flatten(b.global_avgpool(b.conv2d(w, 5, 3, 1, 1, 0, 1, true, "c4"))), "c");
  Graph g = b.finish();
  ChannelAnalysis a = analyze_channels(g);
  auto reason = [&](const std::string& producer) {
    const structured::DependencyGroup* grp = group_named(g, a, producer);
    return grp ? a.fixed_reason[grp->clusters[0]] : std::string("no group");
  };
  EXPECT_NE(reason("c1").find("Transpose 'nhwc' moves the channel axis"), std::string::npos) << reason("c1");
  EXPECT_NE(reason("c2").find("Softmax 'channel_softmax' normalises over the channels"), std::string::npos)
      << reason("c2");
  EXPECT_EQ(reason("c3"), "");
  StructuredPruneReport r = prune_structured(g, StructuredPruneOptions{});
  ASSERT_NE(report_group(r, "c1"), nullptr);
  EXPECT_FALSE(report_group(r, "c1")->pruned);
  ASSERT_NE(report_group(r, "c3"), nullptr);
  EXPECT_TRUE(report_group(r, "c3")->pruned);
  EXPECT_EQ(g.initializer("c4.weight").data.shape(), (Shape{3, 2, 1, 1}));  // 5 - round(2.5) = 2 kept
  EXPECT_EQ(g.initializer("c1.weight").data.shape(), (Shape{4, 1, 3, 3}));
}

TEST(StructuredGroups, ExcludedLayersKeepTheirOutputsButMayLoseInputs) {
  Graph g = build_model("fmnist-cnn");
  StructuredPruneOptions o;
  o.exclude = {"layer2.*"};
  StructuredPruneReport r = prune_structured(g, o);
  const PrunedGroup* l2 = report_group(r, "layer2.conv");
  ASSERT_NE(l2, nullptr);
  EXPECT_FALSE(l2->pruned);
  EXPECT_NE(l2->skipped_because.find("excluded"), std::string::npos);
  EXPECT_EQ(g.initializer("layer2.conv.weight").data.shape(), (Shape{64, 16, 3, 3}));
  EXPECT_EQ(g.initializer("layer3.conv.weight").data.shape(), (Shape{64, 64, 3, 3}));

  // A weight's name names its layer, and '*' may stand anywhere.
  Graph h = build_model("fmnist-cnn");
  o.exclude = {"*3.conv.weight"};
  prune_structured(h, o);
  EXPECT_EQ(h.initializer("layer3.conv.weight").data.shape(), (Shape{128, 32, 3, 3}));
  EXPECT_EQ(h.initializer("layer2.conv.weight").data.shape(), (Shape{32, 16, 3, 3}));
}

TEST(StructuredGroups, RoundToKeepsSimdFriendlyWidths) {
  Graph g = build_model("fmnist-cnn");
  StructuredPruneOptions o;
  o.ratio = 0.6;
  o.round_to = 16;
  prune_structured(g, o);
  // 32 * 0.4 = 12.8 -> 13 kept -> 16; 64 -> 26 -> 32; 128 -> 51 -> 64.
  EXPECT_EQ(g.initializer("layer1.conv.weight").data.dim(0), 16);
  EXPECT_EQ(g.initializer("layer2.conv.weight").data.dim(0), 32);
  EXPECT_EQ(g.initializer("layer3.conv.weight").data.dim(0), 64);
}

TEST(StructuredGroups, KeepsPruningMasksAlignedWithTheirWeights) {
  Graph g = build_model("fmnist-cnn");
  Initializer& w = g.initializer("fc1.weight");
  w.mask = Tensor::full(w.data.shape(), 1.f);
  for (int64_t i = 0; i < w.mask.numel(); i += 3) w.mask.f32()[i] = 0.f, w.data.f32()[i] = 0.f;
  prune_structured(g, StructuredPruneOptions{});
  ASSERT_EQ(w.mask.shape(), w.data.shape());
  for (int64_t i = 0; i < w.mask.numel(); ++i)
    if (w.mask.f32()[i] == 0.f) {
      ASSERT_EQ(w.data.f32()[i], 0.f) << i;
    }
}

TEST(StructuredGroups, QuantizedTensorsAreNotCut) {
  Tensor q = Tensor::zeros(DType::i8, {4, 2}).with_quant(per_tensor_quant(0.5f));
  EXPECT_NE(error_of([&] { structured::keep_along_axis(q, 0, {0, 2}); }).find("prune the float model, then quantize"),
            std::string::npos);
  Tensor f = Tensor::from_vector({3, 2}, {1, 2, 3, 4, 5, 6});
  Tensor kept = structured::keep_along_axis(f, 1, {1});
  ASSERT_EQ(kept.shape(), (Shape{3, 1}));
  EXPECT_EQ(kept.f32()[2], 6.f);
}

TEST(StructuredGroups, RatioZeroChangesNothing) {
  Graph g = build_model("resnet8");
  const int64_t params = g.num_parameters();
  StructuredPruneOptions o;
  o.ratio = 0;
  StructuredPruneReport r = prune_structured(g, o);
  EXPECT_EQ(g.num_parameters(), params);
  for (const PrunedGroup& pg : r.groups) EXPECT_FALSE(pg.pruned);
}

TEST(StructuredGroups, BadOptionsAreNamedErrors) {
  Graph g = build_model("lenet5");
  auto with = [&](auto edit) {
    StructuredPruneOptions o;
    edit(o);
    return error_of([&] { prune_structured(g, o); });
  };
  EXPECT_NE(with([](auto& o) { o.ratio = 1.0; }).find("ratio must be in [0, 1)"), std::string::npos);
  EXPECT_NE(with([](auto& o) { o.ratio = -0.1; }).find("ratio"), std::string::npos);
  EXPECT_NE(with([](auto& o) { o.round_to = 0; }).find("round_to"), std::string::npos);
  EXPECT_NE(with([](auto& o) { o.exclude = {"conv9"}; }).find("no node of 'lenet5' is named 'conv9'"),
            std::string::npos);
  EXPECT_NE(with([](auto& o) { o.criterion = ImportanceCriterion::kTaylor; }).find("taylor criterion needs data"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_structured_method("filter"); }).find("known: channel, unit, block"), std::string::npos);
  EXPECT_NE(error_of([] { parse_importance_criterion("l3"); }).find("known: l1, l2, bn-gamma, taylor"),
            std::string::npos);
  EXPECT_EQ(parse_importance_criterion("bn-gamma"), ImportanceCriterion::kBnGamma);
  EXPECT_EQ(parse_structured_method("block"), StructuredMethod::kBlock);
  EXPECT_STREQ(importance_criterion_name(parse_importance_criterion("taylor")), "taylor");
}

TEST(StructuredGroups, ReportSaysWhatWasCut) {
  Graph g = build_model("fmnist-cnn");
  StructuredPruneReport r = prune_structured(g, StructuredPruneOptions{});
  const std::string text = format_structured_report(r);
  EXPECT_NE(text.find("layer1.conv: 32 -> 16 (l1), also cuts layer1.bn layer2.conv"), std::string::npos) << text;
  EXPECT_NE(text.find("MACs per sample " + std::to_string(r.macs_before) + " -> " + std::to_string(r.macs_after)),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace prunq::testing
