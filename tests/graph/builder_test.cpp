// GraphBuilder: PyTorch-default initialisation, ONNX node forms of its layers, finish() types.
#include <gtest/gtest.h>

#include <cmath>

#include "graph/builder.h"
#include "ops/op.h"

namespace prunq {
namespace {

float max_abs(const Tensor& t) {
  float m = 0;
  for (int64_t i = 0; i < t.numel(); ++i) m = std::max(m, std::fabs(t.f32()[i]));
  return m;
}

const Node& only_node_of(const Graph& g, const std::string& op) {
  const Node* found = nullptr;
  for (const Node& n : g.nodes())
    if (n.op == op) {
      EXPECT_EQ(found, nullptr) << "more than one " << op;
      found = &n;
    }
  if (!found) throw Error("no node of op " + op);
  return *found;
}

TEST(GraphBuilder, ConvWeightsFollowPyTorchDefaultInitBounds) {
  GraphBuilder b("net", 42);
  ValueId x = b.input("x", DType::f32, {-1, 4, 8, 8});
  b.output(b.conv2d(x, 4, 6, 3, 1, 1, 2, true, "conv1"));
  Graph g = b.finish();
  const Tensor& w = g.initializer("conv1.weight").data;
  const Tensor& bias = g.initializer("conv1.bias").data;
  EXPECT_EQ(w.shape(), (Shape{6, 2, 3, 3}));  // [out, in/groups, k, k]
  EXPECT_EQ(bias.shape(), (Shape{6}));
  const float bound = 1.0f / std::sqrt(2.0f * 3 * 3);  // fan_in = in/groups * k * k
  EXPECT_LE(max_abs(w), bound);
  EXPECT_GT(max_abs(w), 0.8f * bound);  // 108 draws fill the range, not a narrower one
  EXPECT_LE(max_abs(bias), bound);
  EXPECT_TRUE(g.initializer("conv1.weight").trainable);

  const Node& conv = only_node_of(g, "Conv");
  EXPECT_EQ(conv.attrs.get_int("group", 0), 2);
  EXPECT_EQ(conv.attrs.get_ints("pads"), (std::vector<int64_t>{1, 1, 1, 1}));
  EXPECT_EQ(conv.attrs.get_ints("kernel_shape"), (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(g.value(g.outputs()[0]).type.shape, (Shape{-1, 6, 8, 8}));
}

TEST(GraphBuilder, SameSeedSameWeightsOtherSeedOtherWeights) {
  auto weights = [](uint64_t seed) {
    GraphBuilder b("net", seed);
    ValueId x = b.input("x", DType::f32, {-1, 5});
    b.output(b.linear(x, 5, 3, true, "fc"));
    return b.finish().initializer("fc.weight").data;
  };
  EXPECT_EQ(max_abs_diff(weights(1), weights(1)), 0.0f);
  EXPECT_GT(max_abs_diff(weights(1), weights(2)), 0.0f);
}

TEST(GraphBuilder, LinearIsGemmWithTransposedPyTorchLayoutWeight) {
  GraphBuilder b("mlp", 3);
  ValueId x = b.input("x", DType::f32, {-1, 16});
  ValueId h = b.linear(x, 16, 8, false, "fc");
  b.output(h);
  Graph g = b.finish();
  const Node& gemm = only_node_of(g, "Gemm");
  EXPECT_EQ(gemm.attrs.get_int("transB", 0), 1);
  EXPECT_EQ(gemm.inputs.size(), 2u);  // no bias
  EXPECT_EQ(g.initializer("fc.weight").data.shape(), (Shape{8, 16}));
  EXPECT_LE(max_abs(g.initializer("fc.weight").data), 0.25f);  // 1/sqrt(16)
  EXPECT_EQ(g.value(h).type.shape, (Shape{-1, 8}));
}

TEST(GraphBuilder, BatchNormHasTrainableAffineAndFrozenStatistics) {
  GraphBuilder b("bn", 0);
  ValueId x = b.input("x", DType::f32, {-1, 3, 4, 4});
  ValueId y = b.batchnorm(x, 3, "bn1");
  const Node& n = b.graph().nodes().back();
  EXPECT_EQ(n.op, "BatchNormalization");
  ASSERT_EQ(n.inputs.size(), 5u);
  const Graph& g = b.graph();
  EXPECT_EQ(g.value(n.inputs[1]).name, "bn1.weight");
  EXPECT_TRUE(g.initializer("bn1.weight").trainable);
  EXPECT_TRUE(g.initializer("bn1.bias").trainable);
  EXPECT_FALSE(g.initializer("bn1.running_mean").trainable);
  EXPECT_FALSE(g.initializer("bn1.running_var").trainable);
  EXPECT_EQ(max_abs_diff(g.initializer("bn1.weight").data, Tensor::full({3}, 1.f)), 0.f);
  EXPECT_EQ(max_abs_diff(g.initializer("bn1.bias").data, Tensor::full({3}, 0.f)), 0.f);
  EXPECT_EQ(max_abs_diff(g.initializer("bn1.running_mean").data, Tensor::full({3}, 0.f)), 0.f);
  EXPECT_EQ(max_abs_diff(g.initializer("bn1.running_var").data, Tensor::full({3}, 1.f)), 0.f);
  EXPECT_NEAR(n.attrs.get_float("epsilon", 0), 1e-5f, 1e-12);
  if (find_op("BatchNormalization")) {  // shape inference once the op is registered
    b.output(y);
    Graph done = b.finish();
    EXPECT_EQ(done.value(y).type.shape, (Shape{-1, 3, 4, 4}));
  }
}

TEST(GraphBuilder, Relu6IsClipWithConstantBounds) {
  GraphBuilder b("r6", 0);
  ValueId x = b.input("x", DType::f32, {2, 3});
  ValueId a = b.relu6(x, "act1");
  ValueId c = b.relu6(a);
  b.output(c);
  Graph g = b.finish();
  ASSERT_EQ(g.nodes().size(), 2u);
  for (const Node& n : g.nodes()) {
    EXPECT_EQ(n.op, "Clip");
    ASSERT_EQ(n.inputs.size(), 3u);
    const Initializer* lo = g.initializer(n.inputs[1]);
    const Initializer* hi = g.initializer(n.inputs[2]);
    ASSERT_TRUE(lo && hi);
    EXPECT_FALSE(lo->trainable);
    EXPECT_EQ(lo->data.f32()[0], 0.0f);
    EXPECT_EQ(hi->data.f32()[0], 6.0f);
  }
  EXPECT_EQ(g.value(c).type.shape, (Shape{2, 3}));
}

TEST(GraphBuilder, FlattenAndNamesAndRenamedOutput) {
  GraphBuilder b("net", 0);
  ValueId x = b.input("x", DType::f32, {-1, 2, 3, 4});
  ValueId r1 = b.relu(x);
  ValueId r2 = b.relu(r1);
  ValueId f = b.flatten(r2);
  b.output(f, "features");
  Graph g = b.finish();
  EXPECT_EQ(g.nodes()[0].name, "Relu");
  EXPECT_EQ(g.nodes()[1].name, "Relu_1");
  EXPECT_EQ(g.find_value("features"), f);
  EXPECT_EQ(g.nodes()[2].attrs.get_int("axis", -5), 1);
  EXPECT_EQ(g.value(f).type.shape, (Shape{-1, 24}));
  EXPECT_THROW(b.relu(x, "Relu"), Error);  // an explicit node name must be free
}

TEST(GraphBuilder, BadLayerGeometryIsAnError) {
  GraphBuilder b("net", 0);
  ValueId x = b.input("x", DType::f32, {1, 3, 8, 8});
  EXPECT_THROW(b.conv2d(x, 3, 4, 3, 1, 1, 2, true, "c"), Error);  // 3 channels, 2 groups
  EXPECT_THROW(b.conv2d(x, 3, 4, 0, 1, 1, 1, true, "c"), Error);
  EXPECT_THROW(b.linear(x, 0, 4, true, "fc"), Error);
  EXPECT_THROW(b.input("y", DType::f32, {-2, 3}), Error);
}

TEST(GraphBuilder, FinishReportsShapeErrorsNamingTheNode) {
  GraphBuilder b("net", 0);
  ValueId x = b.input("x", DType::f32, {-1, 10});
  b.output(b.linear(x, 12, 4, true, "fc_wrong_in"));  // declared 12 inputs, gets 10
  try {
    b.finish();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("fc_wrong_in"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace prunq
