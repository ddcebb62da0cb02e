// Opset normalisation, shape-arithmetic folding, GELU fusion and parameter roles at import.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "io/onnx/onnx_io.h"
#include "onnx/onnx_test_util.h"
#include "ops/op.h"
#include "runtime/executor.h"

namespace prunq::testing {
namespace {

Tensor iota(Shape shape, float scale = 0.25f, float offset = -1.f) {
  Tensor t(DType::f32, shape);
  for (int64_t i = 0; i < t.numel(); ++i) t.f32()[i] = offset + scale * float(i % 13) - 0.1f * float(i % 3);
  return t;
}

Tensor run1(const Graph& g, const Tensor& x) {
  Executor ex(g);
  return ex.run({x})[0];
}

TEST(OnnxNormalise, SqueezeUnsqueezeAxesAttributeBecomesInput) {
  OnnxModelMaker m(11);
  m.input("x", {2, 3});
  OnnxModelMaker::attr_ints(m.node("Unsqueeze", {"x"}, {"u"}), "axes", {0, 3});
  OnnxModelMaker::attr_ints(m.node("Squeeze", {"u"}, {"y"}), "axes", {3});
  m.output("y", {1, 2, 3});
  Graph g = load_onnx_bytes(m.bytes(), "sq");
  for (const Node& n : g.nodes()) {
    EXPECT_FALSE(n.attrs.has("axes")) << n.name;
    ASSERT_EQ(n.inputs.size(), 2u) << n.name;
    EXPECT_TRUE(g.is_initializer(n.inputs[1]));
  }
  Tensor x = iota({2, 3});
  Tensor y = run1(g, x);
  EXPECT_EQ(y.shape(), (Shape{1, 2, 3}));
  EXPECT_EQ(max_abs_diff(y.reshape({2, 3}), x), 0.f);
}

TEST(OnnxNormalise, ClipDropoutPadAttributesBecomeInputs) {
  OnnxModelMaker m(10);
  m.input("x", {1, 4});
  auto* clip = m.node("Clip", {"x"}, {"c"});
  OnnxModelMaker::attr_float(clip, "min", -0.5f);
  OnnxModelMaker::attr_float(clip, "max", 0.75f);
  OnnxModelMaker::attr_float(m.node("Dropout", {"c"}, {"d"}), "ratio", 0.3f);
  OnnxModelMaker::attr_ints(m.node("Pad", {"d"}, {"y"}), "pads", {0, 1, 0, 2});
  m.output("y", {1, 7});
  Graph g = load_onnx_bytes(m.bytes(), "attrs");
  Tensor x = Tensor::from_vector({1, 4}, {-2.f, 0.25f, 0.5f, 3.f});
  Tensor y = run1(g, x);
  ASSERT_EQ(y.shape(), (Shape{1, 7}));
  std::vector<float> want = {0, -0.5f, 0.25f, 0.5f, 0.75f, 0, 0};
  for (int i = 0; i < 7; ++i) EXPECT_FLOAT_EQ(y.f32()[i], want[size_t(i)]) << i;
}

// Opset-11 Softmax(axis=1) of a [2,3,4] tensor normalises over the 12 trailing elements of each
// batch row, not over axis 1 alone.
TEST(OnnxNormalise, OldSoftmaxCoercesTo2D) {
  OnnxModelMaker m(11);
  m.input("x", {2, 3, 4});
  OnnxModelMaker::attr_int(m.node("Softmax", {"x"}, {"y"}), "axis", 1);
  m.output("y", {2, 3, 4});
  Graph g = load_onnx_bytes(m.bytes(), "softmax11");
  Tensor x = iota({2, 3, 4});
  Tensor y = run1(g, x);
  ASSERT_EQ(y.shape(), x.shape());
  for (int b = 0; b < 2; ++b) {
    double sum = 0, mx = -1e30;
    for (int i = 0; i < 12; ++i) mx = std::max(mx, double(x.f32()[b * 12 + i]));
    for (int i = 0; i < 12; ++i) sum += std::exp(double(x.f32()[b * 12 + i]) - mx);
    for (int i = 0; i < 12; ++i)
      EXPECT_NEAR(y.f32()[b * 12 + i], std::exp(double(x.f32()[b * 12 + i]) - mx) / sum, 1e-6) << b << "," << i;
  }
  // Last-axis case stays a single Softmax.
  OnnxModelMaker last(11);
  last.input("x", {2, 3});
  last.node("Softmax", {"x"}, {"y"});
  last.output("y", {2, 3});
  Graph gl = load_onnx_bytes(last.bytes(), "softmax_last");
  EXPECT_EQ(gl.nodes().size(), 1u);
}

// PyTorch's x.view(x.size(0), -1) with a dynamic batch: Shape -> Gather -> Unsqueeze -> Concat
// -> Reshape folds into one Reshape with a constant [0, -1] target that works for any batch.
TEST(OnnxNormalise, ShapeArithmeticFoldsAroundReshape) {
  OnnxModelMaker m(11);
  m.input("x", {-1, 2, 3});
  m.node("Shape", {"x"}, {"s"});
  m.init_i64("zero", {0});
  m.model.mutable_graph()->mutable_initializer(0)->clear_dims();  // a scalar index
  m.node("Gather", {"s", "zero"}, {"n"});
  OnnxModelMaker::attr_ints(m.node("Unsqueeze", {"n"}, {"n1"}), "axes", {0});
  auto* c = m.node("Constant", {}, {"minus1"});
  auto* a = c->add_attribute();
  a->set_name("value");
  a->set_type(onnx::AttributeProto::TENSOR);
  a->mutable_t()->set_data_type(onnx::TensorProto::INT64);
  a->mutable_t()->add_dims(1);
  a->mutable_t()->add_int64_data(-1);
  OnnxModelMaker::attr_int(m.node("Concat", {"n1", "minus1"}, {"target"}), "axis", 0);
  m.node("Reshape", {"x", "target"}, {"y"}, "flatten_view");
  m.output("y", {-1, 6});
  Graph g = load_onnx_bytes(m.bytes(), "view");
  ASSERT_EQ(g.nodes().size(), 1u);
  EXPECT_EQ(g.nodes()[0].op, "Reshape");
  const Tensor& target = g.initializer(g.nodes()[0].inputs[1])->data;
  EXPECT_EQ(target.data<int64_t>()[0], 0);
  EXPECT_EQ(target.data<int64_t>()[1], -1);
  for (int64_t batch : {1, 5}) {
    Tensor y = run1(g, iota({batch, 2, 3}));
    EXPECT_EQ(y.shape(), (Shape{batch, 6}));
  }
}

TEST(OnnxNormalise, GeluPatternIsFused) {
  if (!find_op("Gelu") || !find_op("Erf")) GTEST_SKIP() << "Gelu/Erf ops not built";
  // Both orders PyTorch and TF exporters use: (x * (1 + erf(x/sqrt2))) * 0.5 and
  // (x * 0.5) * (1 + erf(x * (1/sqrt2))).
  for (int variant = 0; variant < 2; ++variant) {
    OnnxModelMaker m(13);
    m.input("x", {2, 5});
    m.init_f32("half", {}, {0.5f});
    m.init_f32("one", {}, {1.f});
    if (variant == 0) {
      m.init_f32("sqrt2", {}, {1.41421356f});
      m.node("Div", {"x", "sqrt2"}, {"s"});
      m.node("Erf", {"s"}, {"e"});
      m.node("Add", {"e", "one"}, {"a"});
      m.node("Mul", {"x", "a"}, {"xm"});
      m.node("Mul", {"xm", "half"}, {"y"});
    } else {
      m.init_f32("rsqrt2", {}, {0.70710678f});
      m.node("Mul", {"x", "rsqrt2"}, {"s"});
      m.node("Erf", {"s"}, {"e"});
      m.node("Add", {"one", "e"}, {"a"});
      m.node("Mul", {"x", "half"}, {"xh"});
      m.node("Mul", {"xh", "a"}, {"y"});
    }
    m.output("y", {2, 5});
    Graph g = load_onnx_bytes(m.bytes(), "gelu");
    ASSERT_EQ(g.nodes().size(), 1u) << "variant " << variant;
    EXPECT_EQ(g.nodes()[0].op, "Gelu");
    EXPECT_TRUE(g.initializers().empty());
    Tensor x = iota({2, 5}, 0.6f, -3.f);
    Tensor y = run1(g, x);
    for (int i = 0; i < 10; ++i) {
      double v = x.f32()[i];
      EXPECT_NEAR(y.f32()[i], 0.5 * v * (1 + std::erf(v / std::sqrt(2.0))), 1e-5) << i;
    }
  }
}

TEST(OnnxNormalise, HardSigmoidTimesInputBecomesHardSwish) {
  if (!find_op("HardSwish")) GTEST_SKIP() << "HardSwish op not built";
  OnnxModelMaker m(11);
  m.input("x", {1, 8});
  auto* hs = m.node("HardSigmoid", {"x"}, {"h"});
  OnnxModelMaker::attr_float(hs, "alpha", 1.f / 6.f);
  m.node("Mul", {"x", "h"}, {"y"});
  // The ONNX-default HardSigmoid (alpha 0.2) is not a HardSwish and must stay as it is.
  m.node("HardSigmoid", {"y"}, {"h2"});
  m.node("Mul", {"h2", "y"}, {"z"});
  m.output("z", {1, 8});
  Graph g = load_onnx_bytes(m.bytes(), "hardswish");
  std::vector<std::string> ops;
  for (NodeId n : g.topo_order()) ops.push_back(g.node(n).op);
  EXPECT_EQ(ops, (std::vector<std::string>{"HardSwish", "HardSigmoid", "Mul"}));
  Tensor x = iota({1, 8}, 1.f, -4.f);
  Tensor z = run1(g, x);
  for (int i = 0; i < 8; ++i) {
    double v = x.f32()[i];
    double y = v * std::clamp(v / 6 + 0.5, 0.0, 1.0);
    EXPECT_NEAR(z.f32()[i], y * std::clamp(0.2 * y + 0.5, 0.0, 1.0), 1e-5) << i;
  }
}

TEST(OnnxNormalise, TrainableParametersFollowTheirRole) {
  OnnxModelMaker m(13);
  m.input("x", {1, 2, 4, 4});
  m.init_f32("w", {3, 2, 1, 1}, std::vector<float>(6, 0.5f));
  m.init_f32("b", {3}, {0.1f, 0.2f, 0.3f});
  m.init_f32("scale", {3}, {1, 1, 1});
  m.init_f32("shift", {3}, {0, 0, 0});
  m.init_f32("mean", {3}, {0, 0, 0});
  m.init_f32("var", {3}, {1, 1, 1});
  m.init_f32("offset", {1}, {2.f});
  m.init_f32("fc_w", {4, 2}, std::vector<float>(8, 0.25f));
  m.init_f32("fc_b", {2}, {0.5f, -0.5f});
  m.node("Conv", {"x", "w", "b"}, {"c"});
  m.node("BatchNormalization", {"c", "scale", "shift", "mean", "var"}, {"bn"});
  m.node("Add", {"bn", "offset"}, {"a"});
  m.node("MatMul", {"a", "fc_w"}, {"mm"});  // PyTorch's Linear on 4-D input: MatMul + Add(bias)
  m.node("Add", {"fc_b", "mm"}, {"y"});
  m.output("y", {1, 3, 4, 2});
  Graph g = load_onnx_bytes(m.bytes(), "roles");
  for (const char* p : {"w", "b", "scale", "shift", "fc_w", "fc_b"}) EXPECT_TRUE(g.initializer(p).trainable) << p;
  for (const char* p : {"mean", "var", "offset"}) EXPECT_FALSE(g.initializer(p).trainable) << p;
}

}  // namespace
}  // namespace prunq::testing
