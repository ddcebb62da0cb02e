// Executor: forward results vs hand computation, input checking, activation lifetime, sharing
// of initializer storage with the graph, seeded dropout.
#include <gtest/gtest.h>

#include <cstring>

#include "core/quantize.h"
#include "runtime/executor.h"
#include "runtime/graph_helpers.h"

namespace prunq {
namespace {

// y = Relu(x @ W^T + b) + x  with fixed W, b.
Graph residual_linear() {
  GraphBuilder b("res", 0);
  ValueId x = b.input("x", DType::f32, {-1, 2});
  ValueId w = b.param("w", Tensor::from_vector({2, 2}, {1, -1, 2, 0.5f}));
  ValueId bias = b.param("b", Tensor::from_vector({2}, {0.5f, -4}));
  Attributes a;
  a.set("transB", int64_t{1});
  ValueId h = b.op1("Gemm", {x, w, bias}, a, "fc");
  ValueId r = b.relu(h, "act");
  b.output(b.add(r, x, "residual"), "y");
  return b.finish();
}

TEST(Executor, ForwardMatchesHandComputation) {
  Graph g = residual_linear();
  Executor ex(g);
  std::vector<Tensor> out = ex.run({Tensor::from_vector({2, 2}, {1, 2, 3, -1})});
  ASSERT_EQ(out.size(), 1u);
  // row 0: h = [1*1 - 1*2 + 0.5, 2*1 + 0.5*2 - 4] = [-0.5, -1] -> relu 0, 0 -> + x = [1, 2]
  // row 1: h = [3 + 1 + 0.5, 6 - 0.5 - 4] = [4.5, 1.5] -> + x = [7.5, 0.5]
  EXPECT_EQ(max_abs_diff(out[0], Tensor::from_vector({2, 2}, {1, 2, 7.5f, 0.5f})), 0.0f);
  // The batch dim is -1: another batch size runs on the same executor.
  out = ex.run({Tensor::from_vector({1, 2}, {0, 0})});
  EXPECT_EQ(max_abs_diff(out[0], Tensor::from_vector({1, 2}, {0.5f, 0})), 0.0f);
}

std::string run_error(Executor& ex, const std::vector<Tensor>& inputs) {
  try {
    ex.run(inputs);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Executor, InputsAreCheckedAndErrorsNameTheInput) {
  Graph g = residual_linear();
  Executor ex(g);
  EXPECT_NE(run_error(ex, {}).find("takes 1 inputs, given 0"), std::string::npos);
  std::string m = run_error(ex, {Tensor::full({3, 5}, 1.f)});
  EXPECT_NE(m.find("input 'x': expected f32[-1, 2], given f32[3, 5]"), std::string::npos) << m;
  m = run_error(ex, {Tensor::zeros(DType::i32, {3, 2})});
  EXPECT_NE(m.find("given i32[3, 2]"), std::string::npos) << m;
  m = run_error(ex, {Tensor::full({2}, 1.f)});
  EXPECT_NE(m.find("given f32[2]"), std::string::npos) << m;
  m = run_error(ex, {Tensor()});
  EXPECT_NE(m.find("undefined"), std::string::npos) << m;
}

// A quantized graph input is read with its declared parameters: a plain integer tensor gets
// them, one quantized differently is refused; the parameters flow on to what only moves elements.
TEST(Executor, QuantizedInputsTakeTheirDeclaredParameters) {
  Graph g;
  g.name = "q";
  ValueId x = g.add_input("x", TensorType{DType::u8, {2, 2}, true, per_tensor_quant(0.25f, 7)});
  ValueId y = g.add_value("y");
  g.add_node(Node{"Identity", "id", "", {x}, {y}, {}});
  g.add_output(y);
  Executor ex(g);
  Tensor plain = Tensor::zeros(DType::u8, {2, 2});
  Tensor out = ex.run({plain})[0];
  EXPECT_TRUE(same_quant(out.quant(), per_tensor_quant(0.25f, 7)));
  EXPECT_FALSE(plain.quantized());  // the caller's tensor is left alone
  EXPECT_NO_THROW(ex.run({plain.with_quant(per_tensor_quant(0.25f, 7))}));
  try {
    ex.run({plain.with_quant(per_tensor_quant(0.5f, 7))});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("input 'x': expected u8[2, 2] q(scale=0.25 zp=7), given a tensor quantized "
                                         "as (scale=0.5 zp=7)"),
              std::string::npos)
        << e.what();
  }
}

// A chain of element-moving ops on a quantized input runs on integers end to end and gives what
// the float chain gives on the dequantized input, quantized once at the end.
TEST(Executor, QuantizedChainMatchesTheFloatChain) {
  auto build = [](DType dt, QuantPtr q) {
    GraphBuilder b("chain", 0);
    ValueId x = b.input("x", dt, {-1, 2, 4, 4});
    b.graph().value(x).type.quant = q;
    ValueId h = b.maxpool(x, 2, 2);
    h = b.op1("Clip", {h, b.constant("lo", Tensor::scalar(-0.3f)), b.constant("hi", Tensor::scalar(0.9f))});
    h = b.flatten(h);
    Attributes cat;
    cat.set("axis", int64_t{1});
    b.output(b.op1("Concat", {h, b.relu(h)}, cat));
    return b.finish();
  };
  const QuantPtr q = per_tensor_quant(0.01f, 120);
  Tensor xq(DType::u8, {3, 2, 4, 4});
  for (int64_t i = 0; i < xq.numel(); ++i) xq.data<uint8_t>()[i] = static_cast<uint8_t>(i * 37 % 256);
  const Graph gq = build(DType::u8, q), gf = build(DType::f32, nullptr);  // executors keep a reference
  Executor eq(gq), ef(gf);
  Tensor yq = eq.run({xq})[0];
  ASSERT_TRUE(same_quant(yq.quant(), q));
  Tensor yf = ef.run({dequantize(xq.with_quant(q))})[0];
  Tensor expected = quantize(yf, q, DType::u8);
  EXPECT_EQ(std::memcmp(yq.raw(), expected.raw(), yq.nbytes()), 0);
}

TEST(Executor, InferenceFreesActivationsTrainingKeepsThem) {
  Graph g = residual_linear();
  Executor ex(g);
  ValueId h = g.find_value("fc");
  Tensor x = Tensor::from_vector({1, 2}, {1, 1});
  ex.run({x}, false);
  EXPECT_THROW(ex.value(h), Error);
  EXPECT_NO_THROW(ex.value(g.find_value("y")));  // outputs stay
  ex.run({x}, true);
  EXPECT_EQ(max_abs_diff(ex.value(h), Tensor::from_vector({1, 2}, {0.5f, -1.5f})), 0.0f);
  EXPECT_THROW(ex.value(1000), Error);
}

TEST(Executor, SeesInPlaceAndReplacedInitializers) {
  Graph g = residual_linear();
  Executor ex(g);
  Tensor x = Tensor::from_vector({1, 2}, {0, 0});
  g.initializer("b").data.f32()[0] = 10.f;  // what an optimiser step does
  EXPECT_EQ(ex.run({x})[0].f32()[0], 10.f);
  g.initializer("b").data = Tensor::from_vector({2}, {3, 0});
  EXPECT_EQ(ex.run({x})[0].f32()[0], 3.f);
}

TEST(Executor, InvalidGraphIsRejectedUpFrontListingUnknownOps) {
  Graph g = residual_linear();
  g.nodes()[0].op = "Dense";
  g.nodes()[1].op = "Rectify";
  try {
    Executor ex(g);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("'Dense' (node 'fc')"), std::string::npos) << m;
    EXPECT_NE(m.find("'Rectify' (node 'act')"), std::string::npos) << m;
  }
}

TEST(Executor, OpFailureAtRunTimeNamesTheNode) {
  GraphBuilder b("dyn", 0);
  ValueId x = b.input("x", DType::f32, {2, 3});
  ValueId shape = b.input("shape", DType::i64, {2});
  b.output(b.op1("Reshape", {x, shape}, {}, "reshape_to_given"));
  Graph g = b.finish();
  Executor ex(g);
  EXPECT_EQ(ex.run({Tensor::full({2, 3}, 1.f), Tensor::from_vector_i64({2}, {3, 2})})[0].shape(), (Shape{3, 2}));
  std::string m = run_error(ex, {Tensor::full({2, 3}, 1.f), Tensor::from_vector_i64({2}, {4, 4})});
  EXPECT_NE(m.find("reshape_to_given"), std::string::npos) << m;
}

Graph dropout_graph() {
  GraphBuilder b("drop", 0);
  ValueId x = b.input("x", DType::f32, {64});
  ValueId ratio = b.constant("ratio", Tensor::scalar(0.5f));
  std::vector<ValueId> outs = b.op("Dropout", {x, ratio}, {}, 2, "drop");  // output 1 (mask) unused
  b.output(outs[0]);
  return b.finish();
}

TEST(Executor, DropoutIsSeededAndOnlyActiveInTraining) {
  Graph g = dropout_graph();
  Tensor x = Tensor::full({64}, 1.f);
  Executor a(g, 7), b(g, 7), c(g, 8);
  Tensor ya = a.run({x}, true)[0], yb = b.run({x}, true)[0], yc = c.run({x}, true)[0];
  EXPECT_EQ(max_abs_diff(ya, yb), 0.f);
  EXPECT_GT(max_abs_diff(ya, yc), 0.f);
  EXPECT_GT(max_abs_diff(ya, a.run({x}, true)[0]), 0.f);  // the RNG advances between runs
  int zeros = 0;
  for (int i = 0; i < 64; ++i) zeros += ya.f32()[i] == 0.f;
  EXPECT_GT(zeros, 10);
  EXPECT_LT(zeros, 54);
  EXPECT_EQ(max_abs_diff(a.run({x}, false)[0], x), 0.f);  // inference: identity
}

}  // namespace
}  // namespace prunq
