// Verifier: each structural problem gives a clear message; all problems come in one Error.
#include <gtest/gtest.h>

#include "graph/verifier.h"

namespace prunq {
namespace {

// x -> Relu -> y, output y: a valid graph the tests then break.
Graph relu_graph() {
  Graph g;
  g.name = "tiny";
  ValueId x = g.add_input("x", TensorType{DType::f32, {2, 3}, true});
  ValueId y = g.add_value("y", TensorType{DType::f32, {2, 3}, true});
  g.add_node(Node{"Relu", "relu", "", {x}, {y}, {}});
  g.add_output(y);
  return g;
}

std::string verify_message(const Graph& g) {
  try {
    verify_graph(g);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

void expect_problem(const Graph& g, const std::string& fragment) {
  std::string m = verify_message(g);
  EXPECT_NE(m.find(fragment), std::string::npos) << "message: " << m;
}

TEST(Verifier, ValidGraphHasNoProblems) {
  EXPECT_TRUE(find_graph_problems(relu_graph()).empty());
  EXPECT_NO_THROW(verify_graph(relu_graph()));
}

TEST(Verifier, OneErrorListsEveryUnknownOpWithItsNode) {
  Graph g = relu_graph();
  ValueId y = g.outputs()[0];
  ValueId z = g.add_value("z"), w = g.add_value("w");
  g.add_node(Node{"FancyConv", "block1.fancy", "", {y}, {z}, {}});
  g.add_node(Node{"Warp", "block2.warp", "", {z}, {w}, {}});
  g.outputs() = {w};
  std::string m = verify_message(g);
  EXPECT_NE(m.find("2 unknown ops"), std::string::npos) << m;
  EXPECT_NE(m.find("'FancyConv' (node 'block1.fancy')"), std::string::npos) << m;
  EXPECT_NE(m.find("'Warp' (node 'block2.warp')"), std::string::npos) << m;
  EXPECT_NE(m.find("graph 'tiny' is invalid"), std::string::npos) << m;
}

TEST(Verifier, InputNeverDefined) {
  Graph g = relu_graph();
  ValueId ghost = g.add_value("ghost");
  g.nodes()[0].inputs[0] = ghost;
  expect_problem(g, "reads value 'ghost', which no node, graph input or initializer defines");
}

TEST(Verifier, TwoProducers) {
  Graph g = relu_graph();
  Node twin = g.nodes()[0];
  twin.name = "relu_twin";
  g.nodes().push_back(twin);
  expect_problem(g, "value 'y' is produced by two nodes: 'relu' and 'relu_twin'");
}

TEST(Verifier, NodeWritingAGraphInput) {
  Graph g = relu_graph();
  g.nodes()[0].outputs.push_back(g.inputs()[0]);
  expect_problem(g, "writes value 'x', which is a graph input or initializer");
}

TEST(Verifier, CycleNamesTheNodesThatCannotRun) {
  Graph g;
  ValueId a = g.add_value("a"), b = g.add_value("b");
  g.add_node(Node{"Relu", "first", "", {b}, {a}, {}});
  g.add_node(Node{"Relu", "second", "", {a}, {b}, {}});
  g.add_output(b);
  std::string m = verify_message(g);
  EXPECT_NE(m.find("cycle"), std::string::npos) << m;
  EXPECT_NE(m.find("'first'"), std::string::npos) << m;
  EXPECT_NE(m.find("'second'"), std::string::npos) << m;
}

TEST(Verifier, OutputNeverDefinedAndNoOutputs) {
  Graph g = relu_graph();
  g.add_output(g.add_value("dangling"));
  expect_problem(g, "graph output 'dangling' is never defined");
  g.outputs().clear();
  expect_problem(g, "the graph has no outputs");
}

TEST(Verifier, DuplicateAndEmptyNodeNames) {
  Graph g = relu_graph();
  ValueId y = g.outputs()[0];
  ValueId z = g.add_value("z");
  g.nodes().push_back(Node{"Relu", "relu", "", {y}, {z}, {}});
  expect_problem(g, "node name 'relu' is used twice");
  g.nodes().back().name = "";
  expect_problem(g, "a node of op Relu has an empty name");
}

TEST(Verifier, OutOfRangeIds) {
  Graph g = relu_graph();
  g.nodes()[0].inputs.push_back(99);
  expect_problem(g, "node 'relu' (Relu): input id 99 does not exist");
  g = relu_graph();
  g.outputs().push_back(-3);
  expect_problem(g, "graph output id -3 does not exist");
}

TEST(Verifier, InitializerMustMatchItsDeclaredType) {
  Graph g = relu_graph();
  ValueId w = g.add_initializer("w", Tensor::full({4}, 1.f), true);
  g.value(w).type.shape = {5};
  expect_problem(g, "initializer 'w' holds f32[4] but its value is declared f32[5]");
  g.value(w).type.shape = {4};
  g.initializer(w)->mask = Tensor::full({3}, 1.f);
  expect_problem(g, "initializer 'w' has a mask f32[3] that does not match its data f32[4]");
  g.initializer(w)->mask = Tensor::full({4}, 1.f);
  EXPECT_NO_THROW(verify_graph(g));
}

TEST(Verifier, ListsSeveralProblemsAtOnce) {
  Graph g = relu_graph();
  g.nodes()[0].op = "Nope";
  g.add_output(g.add_value("dangling"));
  std::vector<std::string> p = find_graph_problems(g);
  EXPECT_EQ(p.size(), 2u);
  EXPECT_NE(verify_message(g).find("2 problems"), std::string::npos);
}

// Quantization parameters: bad ones are named with their value; an initializer's tensor and its
// value's declared type must agree on them.
TEST(Verifier, QuantizationParametersAreChecked) {
  Graph g;
  g.name = "q";
  QuantParams bad;
  bad.scales = {0.5f, -1.f};
  bad.axis = 0;
  ValueId x = g.add_input("x", TensorType{DType::i8, {2, 3}, true, make_quant(bad)});
  g.add_output(x);
  expect_problem(g, "value 'x' (i8[2, 3] q(axis 0: 2 scales, symmetric)): bad quantization parameters: scale 1 is -1");

  Graph h;
  h.name = "q";
  ValueId w = h.add_initializer("w", Tensor::zeros(DType::i8, {4}).with_quant(per_tensor_quant(0.1f, 2)), false);
  h.add_output(w);
  EXPECT_TRUE(find_graph_problems(h).empty());
  EXPECT_EQ(h.value(w).type.str(), "i8[4] q(scale=0.1 zp=2)");
  h.value(w).type.quant = per_tensor_quant(0.1f, 3);
  expect_problem(h, "initializer 'w' is quantized as (scale=0.1 zp=2) but its value is declared i8[4] q(scale=0.1 zp=3)");
  h.value(w).type.quant = nullptr;
  expect_problem(h, "initializer 'w' is quantized as (scale=0.1 zp=2) but its value is declared i8[4]");
  h.value(w).type.quant = per_tensor_quant(0.1f, 2);
  h.initializer("w").data = Tensor::zeros(DType::i8, {4});
  expect_problem(h, "initializer 'w' is quantized as (none) but its value is declared i8[4] q(scale=0.1 zp=2)");
  h.value(w).type = TensorType{DType::f32, {4}, true, per_tensor_quant(1.f)};
  h.initializer("w").data = Tensor::zeros(DType::f32, {4});
  expect_problem(h, "quantization parameters on a f32 tensor");
}

}  // namespace
}  // namespace prunq
