// Whole-graph shape inference: propagation of unknown batch dims, constants from initializers,
// errors that name the failing node, merging with declared types.
#include <gtest/gtest.h>

#include "graph/builder.h"
#include "graph/shape_inference.h"

namespace prunq {
namespace {

TEST(ShapeInference, UnknownBatchPropagatesThroughConvNet) {
  GraphBuilder b("cnn", 0);
  ValueId x = b.input("x", DType::f32, {-1, 1, 28, 28});
  ValueId c1 = b.relu(b.conv2d(x, 1, 8, 3, 2, 1, 1, true, "c1"));    // -> 14x14
  ValueId c2 = b.relu(b.conv2d(c1, 8, 16, 3, 2, 1, 1, false, "c2"));  // -> 7x7
  ValueId f = b.flatten(c2);
  ValueId y = b.linear(f, 16 * 7 * 7, 10, true, "fc");
  b.output(y);
  Graph g = b.finish();
  EXPECT_EQ(g.value(c1).type.shape, (Shape{-1, 8, 14, 14}));
  EXPECT_EQ(g.value(c2).type.shape, (Shape{-1, 16, 7, 7}));
  EXPECT_EQ(g.value(f).type.shape, (Shape{-1, 784}));
  EXPECT_EQ(g.value(y).type.str(), "f32[-1, 10]");
}

TEST(ShapeInference, ReshapeReadsItsShapeFromAnInitializer) {
  GraphBuilder b("r", 0);
  ValueId x = b.input("x", DType::f32, {-1, 4, 6});
  ValueId shape = b.constant("shape", Tensor::from_vector_i64({2}, {0, -1}));
  ValueId y = b.op1("Reshape", {x, shape});
  b.output(y);
  Graph g = b.finish();
  EXPECT_EQ(g.value(y).type.shape, (Shape{-1, 24}));
}

// Quantization parameters flow from initializers and quantized inputs through the ops that only
// move or clamp elements, and are dropped by ops that compute.
TEST(ShapeInference, QuantizationParametersFlowThroughElementMoves) {
  GraphBuilder b("q", 0);
  ValueId x = b.input("x", DType::u8, {-1, 3, 4, 4});
  b.graph().value(x).type.quant = per_tensor_quant(0.02f, 128);
  Attributes pool;
  pool.set("kernel_shape", std::vector<int64_t>{2, 2});
  pool.set("strides", std::vector<int64_t>{2, 2});
  ValueId p = b.op1("MaxPool", {x}, pool);
  ValueId r = b.relu(p);
  ValueId f = b.flatten(r);
  QuantParams wq;
  wq.scales = {0.1f, 0.2f};
  wq.axis = 0;
  ValueId w = b.constant("w", Tensor::zeros(DType::i8, {2, 12}).with_quant(make_quant(wq)));
  Attributes perm;
  perm.set("perm", std::vector<int64_t>{1, 0});
  ValueId wt = b.op1("Transpose", {w}, perm);
  Attributes to_f32;
  to_f32.set("to", int64_t{1});
  ValueId c = b.op1("Cast", {f}, to_f32);
  b.output(c);
  b.output(wt);
  Graph g = b.finish();
  EXPECT_EQ(g.value(p).type.str(), "u8[-1, 3, 2, 2] q(scale=0.02 zp=128)");
  EXPECT_EQ(g.value(r).type.str(), "u8[-1, 3, 2, 2] q(scale=0.02 zp=128)");
  EXPECT_EQ(g.value(f).type.str(), "u8[-1, 12] q(scale=0.02 zp=128)");
  EXPECT_EQ(g.value(wt).type.str(), "i8[12, 2] q(axis 1: 2 scales, symmetric)");
  EXPECT_EQ(g.value(c).type.str(), "f32[-1, 12]");
  // The types computed from the initializer itself, not from a stale declaration.
  g.value(w).type.quant = nullptr;
  EXPECT_EQ(compute_value_types(g)[static_cast<size_t>(wt)].str(), "i8[12, 2] q(axis 1: 2 scales, symmetric)");
}

TEST(ShapeInference, DoesNotModifyTheGraphUnlessAsked) {
  Graph g;
  ValueId x = g.add_input("x", TensorType{DType::f32, {2, 3}, true});
  ValueId y = g.add_value("y", TensorType{DType::f32, {}, false});
  g.add_node(Node{"Relu", "r", "", {x}, {y}, {}});
  g.add_output(y);
  std::vector<TensorType> types = compute_value_types(g);
  EXPECT_EQ(types[static_cast<size_t>(y)].shape, (Shape{2, 3}));
  EXPECT_FALSE(g.value(y).type.rank_known);
  infer_shapes(g);
  EXPECT_TRUE(g.value(y).type.rank_known);
  EXPECT_EQ(g.value(y).type.shape, (Shape{2, 3}));
}

TEST(ShapeInference, DeclaredDimsFillDimsTheOpLeavesUnknown) {
  Graph g;
  ValueId x = g.add_input("x", TensorType{DType::f32, {-1, 3}, true});
  ValueId y = g.add_value("y", TensorType{DType::f32, {5, 3}, true});  // e.g. from an ONNX file
  g.add_node(Node{"Relu", "r", "", {x}, {y}, {}});
  g.add_output(y);
  EXPECT_EQ(compute_value_types(g)[static_cast<size_t>(y)].shape, (Shape{5, 3}));
}

TEST(ShapeInference, FailureNamesNodeOpAndInputTypes) {
  Graph g;
  ValueId a = g.add_input("a", TensorType{DType::f32, {2, 3}, true});
  ValueId bb = g.add_input("b", TensorType{DType::f32, {4, 5}, true});
  ValueId y = g.add_value("y");
  g.add_node(Node{"MatMul", "bad_matmul", "", {a, bb}, {y}, {}});
  g.add_output(y);
  try {
    compute_value_types(g);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("bad_matmul"), std::string::npos) << m;
    EXPECT_NE(m.find("MatMul"), std::string::npos) << m;
    EXPECT_NE(m.find("f32[4, 5]"), std::string::npos) << m;
  }
}

TEST(ShapeInference, UnknownOpIsANamedError) {
  Graph g;
  ValueId x = g.add_input("x", TensorType{DType::f32, {2}, true});
  ValueId y = g.add_value("y");
  g.add_node(Node{"NoSuchOp", "mystery", "", {x}, {y}, {}});
  g.add_output(y);
  try {
    compute_value_types(g);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("mystery"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace prunq
