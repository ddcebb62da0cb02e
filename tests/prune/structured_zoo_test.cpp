// Zoo models pruned structurally are ordinary models: they save and load, train, and are as
// small as the ratio says.
#include <gtest/gtest.h>

#include "graph/model_stats.h"
#include "io/data/dataset.h"
#include "io/native/model_file.h"
#include "models/zoo.h"
#include "prune/structured_test_util.h"
#include "train/trainer.h"

namespace prunq::testing {
namespace {

struct ZooCase {
  std::string arch;
  StructuredMethod method;
};

class StructuredZoo : public ::testing::TestWithParam<ZooCase> {};

TEST_P(StructuredZoo, PrunedModelSavesLoadsAndTrains) {
  const ZooCase& c = GetParam();
  Graph g = build_model(c.arch);
  const ModelStats dense = compute_model_stats(g);
  StructuredPruneOptions o;
  o.method = c.method;
  o.ratio = 0.5;
  StructuredPruneReport r = prune_structured(g, o);
  EXPECT_LT(r.params_after, r.params_before);
  EXPECT_EQ(r.macs_after, compute_model_stats(g).macs);
  EXPECT_EQ(r.macs_before, dense.macs);
  for (const auto& [id, init] : g.initializers()) EXPECT_FALSE(init.mask.defined()) << g.value(id).name;

  const Tensor x = random_tensor({3, 1, 28, 28}, 21, 0.f, 1.f);
  const Tensor y = run_model(g, x);
  EXPECT_EQ(y.shape(), (Shape{3, 10}));

  std::vector<uint8_t> bytes = serialize_model(g);
  Graph back = deserialize_model(bytes.data(), bytes.size(), c.arch);
  EXPECT_EQ(max_abs_diff(run_model(back, x), y), 0.f);
  EXPECT_EQ(back.num_parameters(), g.num_parameters());

  TrainConfig tc;
  tc.epochs = 2;
  tc.batch_size = 32;
  tc.progress = false;
  tc.optimizer.lr = 3e-3f;
  Dataset data = column_dataset(128, 3);
  Trainer trainer(back, tc);
  std::vector<EpochStats> h = trainer.fit(data);
  ASSERT_EQ(h.size(), 2u);
  EXPECT_TRUE(std::isfinite(h[1].train_loss));
  EXPECT_LT(h[1].train_loss, h[0].train_loss) << c.arch;
  EXPECT_GT(max_abs_diff(run_model(back, x), y), 0.f);  // the weights moved
}

INSTANTIATE_TEST_SUITE_P(Zoo, StructuredZoo,
                         ::testing::Values(ZooCase{"fmnist-cnn", StructuredMethod::kChannel},
                                           ZooCase{"fmnist-cnn", StructuredMethod::kUnit},
                                           ZooCase{"resnet8", StructuredMethod::kChannel},
                                           ZooCase{"mobilenet-tiny", StructuredMethod::kChannel},
                                           ZooCase{"resnet8", StructuredMethod::kBlock},
                                           ZooCase{"mobilenet-tiny", StructuredMethod::kBlock}),
                         [](const ::testing::TestParamInfo<ZooCase>& i) {
                           std::string n = i.param.arch + "_" + structured_method_name(i.param.method);
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

TEST(StructuredZoo, HalfTheFmnistChannelsLeaveAtMostHalfTheMacs) {
  Graph g = build_model("fmnist-cnn");
  StructuredPruneReport r = prune_structured(g, StructuredPruneOptions{});
  EXPECT_LE(r.macs_after * 2, r.macs_before);
  EXPECT_EQ(g.initializer("layer1.conv.weight").data.shape(), (Shape{16, 1, 3, 3}));
  EXPECT_EQ(g.initializer("layer2.conv.weight").data.shape(), (Shape{32, 16, 3, 3}));
  EXPECT_EQ(g.initializer("layer3.conv.weight").data.shape(), (Shape{64, 32, 3, 3}));
  EXPECT_EQ(g.initializer("fc1.weight").data.shape(), (Shape{256, 64 * 49}));
  EXPECT_EQ(g.initializer("fc2.weight").data.shape(), (Shape{10, 256}));
}

TEST(StructuredZoo, ChannelThenUnitPruningCompose) {
  Graph g = build_model("fmnist-cnn");
  prune_structured(g, StructuredPruneOptions{});
  StructuredPruneOptions o;
  o.method = StructuredMethod::kUnit;
  o.ratio = 0.75;
  prune_structured(g, o);
  EXPECT_EQ(g.initializer("fc1.weight").data.shape(), (Shape{64, 64 * 49}));
  EXPECT_EQ(g.initializer("fc2.weight").data.shape(), (Shape{10, 64}));
  EXPECT_EQ(run_model(g, random_tensor({2, 1, 28, 28}, 4)).shape(), (Shape{2, 10}));
}

}  // namespace
}  // namespace prunq::testing
