// Every zoo model builds, infers its shapes, and runs forward + backward on a tiny batch.
#include <gtest/gtest.h>

#include <cmath>

#include "models/zoo.h"
#include "runtime/executor.h"
#include "support/op_harness.h"
#include "train/training_graph.h"

namespace prunq {
namespace {

class ZooModel : public ::testing::TestWithParam<std::string> {};

TEST_P(ZooModel, BuildsInfersAndTrainsOneStepOnATinyBatch) {
  Graph model = build_model(GetParam());
  ASSERT_EQ(model.inputs().size(), 1u);
  ASSERT_EQ(model.outputs().size(), 1u);
  EXPECT_EQ(model.value(model.inputs()[0]).name, "input");
  EXPECT_EQ(model.value(model.outputs()[0]).name, "logits");
  EXPECT_EQ(model.value(model.outputs()[0]).type.shape, (Shape{-1, 10}));
  EXPECT_GT(model.num_parameters(), 0);

  Tensor x = testing::random_tensor({2, 1, 28, 28}, 3);
  Executor infer(model);
  std::vector<Tensor> out = infer.run({x});
  ASSERT_EQ(out[0].shape(), (Shape{2, 10}));
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(std::isfinite(out[0].f32()[i]));

  TrainingGraph t = make_training_graph(model);
  Executor train(t.graph);
  std::vector<Tensor> tout = train.run({x, Tensor::from_vector_i64({2}, {3, 7})}, true);
  ASSERT_EQ(tout[0].numel(), 1);
  EXPECT_GT(tout[0].f32()[0], 0.f);
  std::map<ValueId, Tensor> grads = train.backward(t.loss);
  // Every trainable parameter receives a finite gradient of its own shape.
  for (const auto& [id, init] : model.initializers()) {
    if (!init.trainable) continue;
    ASSERT_TRUE(grads.count(id)) << GetParam() << ": no gradient for " << model.value(id).name;
    ASSERT_EQ(grads[id].shape(), init.data.shape());
    double sq = 0;
    for (int64_t i = 0; i < grads[id].numel(); ++i) sq += double(grads[id].f32()[i]) * grads[id].f32()[i];
    EXPECT_TRUE(std::isfinite(sq)) << model.value(id).name;
  }
}

INSTANTIATE_TEST_SUITE_P(AllArchitectures, ZooModel, ::testing::ValuesIn(model_names()),
                         [](const ::testing::TestParamInfo<std::string>& i) {
                           std::string n = i.param;
                           for (char& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

TEST(TrainZoo, FmnistCnnHasTheSpecifiedLayersAndParameterCount) {
  Graph g = build_model("fmnist-cnn");
  // conv 1->32, 32->64, 64->128 (3x3, no bias: BN follows), BN scale+shift, FC 6272->256, FC 256->10.
  const int64_t expected = 9 * 32 + 9 * 32 * 64 + 9 * 64 * 128 + 2 * (32 + 64 + 128) + 6272 * 256 + 256 + 2560 + 10;
  EXPECT_EQ(g.num_parameters(), expected);
  int convs = 0, bns = 0, pools = 0, gemms = 0;
  for (const Node& n : g.nodes()) {
    convs += n.op == "Conv";
    bns += n.op == "BatchNormalization";
    pools += n.op == "MaxPool";
    gemms += n.op == "Gemm";
  }
  EXPECT_EQ(convs, 3);
  EXPECT_EQ(bns, 3);
  EXPECT_EQ(pools, 2);
  EXPECT_EQ(gemms, 2);
}

TEST(TrainZoo, ResidualAndSeparableStructure) {
  Graph r = build_model("resnet8");
  int adds = 0, convs = 0;
  for (const Node& n : r.nodes()) {
    adds += n.op == "Add";
    convs += n.op == "Conv";
  }
  EXPECT_EQ(adds, 3);
  EXPECT_EQ(convs, 1 + 3 * 2 + 2);  // stem, two per block, projections where 16->32 and 32->64
  Graph m = build_model("mobilenet-tiny");
  int depthwise = 0;
  for (const Node& n : m.nodes())
    if (n.op == "Conv" && n.attrs.get_int("group", 1) > 1) ++depthwise;
  EXPECT_EQ(depthwise, 5);
}

TEST(TrainZoo, OptionsShapeTheModelAndBadOptionsAreErrors) {
  ModelOptions o;
  o.input_shape = {-1, 3, 32, 32};
  o.num_classes = 4;
  Graph g = build_model("resnet8", o);
  EXPECT_EQ(g.value(g.outputs()[0]).type.shape, (Shape{-1, 4}));
  Executor e(g);
  EXPECT_EQ(e.run({testing::random_tensor({1, 3, 32, 32}, 1)})[0].shape(), (Shape{1, 4}));

  ModelOptions tab;
  tab.input_shape = {-1, 5};
  tab.num_classes = 3;
  EXPECT_EQ(build_model("mlp", tab).value(build_model("mlp", tab).outputs()[0]).type.shape, (Shape{-1, 3}));

  // Same seed, same weights; another seed, other weights.
  ModelOptions s1;
  s1.seed = 1;
  EXPECT_EQ(max_abs_diff(build_model("lenet5", s1).initializer("conv1.weight").data,
                         build_model("lenet5", s1).initializer("conv1.weight").data), 0.f);
  EXPECT_GT(max_abs_diff(build_model("lenet5", s1).initializer("conv1.weight").data,
                         build_model("lenet5").initializer("conv1.weight").data), 0.f);

  try {
    build_model("vgg16");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("vgg16"), std::string::npos);
    for (const std::string& n : model_names()) EXPECT_NE(msg.find(n), std::string::npos) << msg;
  }
  ModelOptions small;
  small.input_shape = {-1, 1, 8, 8};
  EXPECT_THROW(build_model("lenet5", small), Error);
  ModelOptions rank3;
  rank3.input_shape = {-1, 28, 28};
  EXPECT_THROW(build_model("fmnist-cnn", rank3), Error);
  ModelOptions one_class;
  one_class.num_classes = 1;
  EXPECT_THROW(build_model("mlp", one_class), Error);
}

}  // namespace
}  // namespace prunq
