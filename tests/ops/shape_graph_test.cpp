// The elementwise and shape ops inside a whole graph: builder shape inference with an unknown
// batch resolves through Transpose/Reshape/Concat/Pad/Softmax, the executor runs batch 2, and
// executor autodiff (which shares and aliases gradient tensors these ops return) matches central
// finite differences of the loss for every trainable parameter.
#include <cmath>

#include "graph/builder.h"
#include "ops/shape_test_util.h"
#include "runtime/executor.h"

namespace prunq::testing {
namespace {

struct Model {
  Graph graph;
  ValueId input, loss, scale, bias;
};

// x[-1,3,4,4] -> x*scale+bias (per channel) -> Relu -> Add(x) -> Transpose NHWC -> Pad W by 1
// -> Reshape [0,-1] -> Concat with Sigmoid of itself -> LogSoftmax -> sum via MatMul -> [] loss.
Model build() {
  GraphBuilder b("shape_graph", 3);
  Model m;
  m.input = b.input("x", DType::f32, {-1, 3, 4, 4});
  m.scale = b.param("scale", random_tensor({1, 3, 1, 1}, 31, 0.5f, 1.5f));
  m.bias = b.param("bias", random_tensor({1, 3, 1, 1}, 32));
  ValueId h = b.op1("Add", {b.op1("Mul", {m.input, m.scale}), m.bias});
  ValueId r = b.add(m.input, b.relu(h));
  Attributes perm;
  perm.set("perm", std::vector<int64_t>{0, 2, 3, 1});
  ValueId t = b.op1("Transpose", {r}, perm);
  ValueId padded = b.op1("Pad", {t, b.constant("pads", Tensor::from_vector_i64({8}, {0, 0, 1, 0, 0, 0, 0, 0}))});
  ValueId flat = b.op1("Reshape", {padded, b.constant("flat", Tensor::from_vector_i64({2}, {0, -1}))});
  Attributes axis1;
  axis1.set("axis", int64_t{1});
  ValueId both = b.op1("Concat", {flat, b.op1("Sigmoid", {flat})}, axis1);
  ValueId logp = b.op1("LogSoftmax", {both});
  // A weighted sum to a scalar: [N, 120] @ w[120, 1], then ones[1, 2] @ that (the tests run batch 2).
  ValueId per_row = b.op1("MatMul", {logp, b.constant("w", random_tensor({120, 1}, 33))});
  ValueId total = b.op1("MatMul", {b.constant("ones", Tensor::full({1, 2}, 1.f)), per_row});
  m.loss = b.op1("Reshape", {total, b.constant("scalar", Tensor(DType::i64, {0}))});  // shape [] : a scalar
  b.output(m.loss);
  m.graph = b.finish();
  return m;
}

TEST(ShapeGraph, InferenceKeepsTheBatchUnknownAndResolvesTheRest) {
  Model m = build();
  const Graph& g = m.graph;
  auto type_of_op = [&](const std::string& op) {
    for (const Node& n : g.nodes())
      if (n.op == op) return g.value(n.outputs[0]).type.str();
    return std::string("missing");
  };
  EXPECT_EQ(type_of_op("Transpose"), "f32[-1, 4, 4, 3]");
  EXPECT_EQ(type_of_op("Pad"), "f32[-1, 4, 5, 3]");
  EXPECT_EQ(type_of_op("Reshape"), "f32[-1, 60]");  // the first Reshape: [0, -1]
  EXPECT_EQ(type_of_op("Concat"), "f32[-1, 120]");
  EXPECT_EQ(type_of_op("LogSoftmax"), "f32[-1, 120]");
}

TEST(ShapeGraph, ExecutorGradientsMatchFiniteDifferences) {
  Model m = build();
  Tensor x = random_tensor({2, 3, 4, 4}, 34);
  Executor ex(m.graph);
  ex.run({x}, true);
  std::map<ValueId, Tensor> grads = ex.backward(m.loss);
  ASSERT_EQ(grads.count(m.scale), 1u);
  ASSERT_EQ(grads.count(m.bias), 1u);
  for (ValueId p : {m.scale, m.bias}) {
    Tensor& param = m.graph.initializers().at(p).data;  // the executor shares this storage
    for (int64_t k = 0; k < param.numel(); ++k) {
      const float orig = param.f32()[k], eps = 1e-2f;
      param.f32()[k] = orig + eps;
      double up = ex.run({x}, false)[0].f32()[0];
      param.f32()[k] = orig - eps;
      double down = ex.run({x}, false)[0].f32()[0];
      param.f32()[k] = orig;
      double numeric = (up - down) / (2 * eps);
      EXPECT_NEAR(grads.at(p).f32()[k], numeric, 2e-2 + 2e-2 * std::fabs(numeric))
          << m.graph.value(p).name << "[" << k << "]";
    }
  }
}

}  // namespace
}  // namespace prunq::testing
