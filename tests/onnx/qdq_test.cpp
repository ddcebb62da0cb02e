// QDQ graphs in and out of ONNX: QuantizeLinear / DequantizeLinear export as ONNX's own ops and
// re-import to the same results; i8 / i32 weights read only through DequantizeLinear come back
// as quantized initializers; i4 weights are written widened to INT8 (opset 17 has no int4); ONNX
// Runtime runs the export and agrees.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "core/quantize.h"
#include "graph/shape_inference.h"
#include "io/onnx/onnx_io.h"
#include "onnx/onnx_test_util.h"
#include "runtime/executor.h"
#include "support/error_of.h"
#include "support/op_harness.h"

namespace prunq::testing {
namespace {

// x [-1, 4] -> Q (u8, per tensor) -> DQ -> MatMul with DQ(W [4, 3] of `wdtype`, per column)
// -> + DQ(bias i32) -> y [-1, 3].
Graph qdq_matmul(DType wdtype) {
  Graph g;
  g.name = "qdq_matmul";
  ValueId x = g.add_input("x", TensorType{DType::f32, {-1, 4}, true});
  Tensor zp_x(DType::u8, {});
  zp_x.data<uint8_t>()[0] = 128;
  ValueId sx = g.add_initializer("x_scale", Tensor::scalar(0.02f), false);
  ValueId zx = g.add_initializer("x_zero_point", zp_x, false);
  QuantParams wq;
  wq.scales = {0.05f, 0.1f, 0.2f};
  wq.axis = 1;
  Tensor w = quantize(random_tensor({4, 3}, 9, -0.6f, 0.6f), make_quant(wq), wdtype);
  ValueId wv = g.add_initializer("w_q", w, false);
  ValueId sw = g.add_initializer("w_scale", Tensor::from_vector({3}, wq.scales), false);
  ValueId zw = g.add_initializer("w_zero_point", Tensor::zeros(wdtype, {3}), false);
  Tensor bias(DType::i32, {3});
  const int32_t bv[] = {-300, 0, 2000};
  std::memcpy(bias.raw(), bv, sizeof bv);
  ValueId bq = g.add_initializer("b_q", bias.with_quant(per_tensor_quant(0.001f)), false);
  ValueId sb = g.add_initializer("b_scale", Tensor::scalar(0.001f), false);
  auto v = [&](const char* n) { return g.add_value(n); };
  ValueId q = v("xq"), xd = v("xd"), wd = v("w"), bd = v("b"), mm = v("mm"), y = v("y");
  Attributes col;
  col.set("axis", int64_t{1});
  g.add_node(Node{"QuantizeLinear", "quant_x", "", {x, sx, zx}, {q}, {}});
  g.add_node(Node{"DequantizeLinear", "dequant_x", "", {q, sx, zx}, {xd}, {}});
  g.add_node(Node{"DequantizeLinear", "dequant_w", "", {wv, sw, zw}, {wd}, col});
  g.add_node(Node{"DequantizeLinear", "dequant_b", "", {bq, sb}, {bd}, {}});
  g.add_node(Node{"MatMul", "mm", "", {xd, wd}, {mm}, {}});
  g.add_node(Node{"Add", "add", "", {mm, bd}, {y}, {}});
  g.add_output(y);
  infer_shapes(g);
  return g;
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("prunq_qdq_" + std::to_string(::getpid()) + "_" + name)).string();
}

TEST(OnnxQdq, ExportImportRunsTheSameAndAnnotatesWeights) {
  for (DType wdtype : {DType::i8, DType::i4}) {
    const Graph g = qdq_matmul(wdtype);
    const Graph back = load_onnx_bytes(export_onnx_bytes(g), "qdq export");
    Tensor in = random_tensor({5, 4}, 4, -2.f, 2.f);  // beyond the u8 range: saturation too
    Executor a(g), b(back);
    EXPECT_EQ(max_abs_diff(a.run({in})[0], b.run({in})[0]), 0.f) << dtype_name(wdtype);
    // Weights read only through DequantizeLinear come back quantized; i4 comes back as i8.
    const TensorType& w = back.value(back.find_value("w_q")).type;
    EXPECT_EQ(w.str(), "i8[4, 3] q(axis 1: 3 scales, symmetric)") << dtype_name(wdtype);
    EXPECT_TRUE(same_quant(back.initializer("w_q").data.quant(), w.quant));
    EXPECT_EQ(back.value(back.find_value("b_q")).type.str(), "i32[3] q(scale=0.001 zp=0)");
    EXPECT_EQ(back.value(back.find_value("xq")).type.str(), "u8[-1, 4] q(scale=0.02 zp=128)");
    // The widened i4 values are the same numbers.
    if (wdtype == DType::i4)
      EXPECT_EQ(max_abs_diff(unpack_int4(g.initializer("w_q").data).to(DType::f32),
                             back.initializer("w_q").data.to(DType::f32)),
                0.f);
  }
}

TEST(OnnxQdq, OnnxRuntimeAgrees) {
  std::string why;
  if (!have_onnxruntime_node(&why)) GTEST_SKIP() << why;
  const Graph g = qdq_matmul(DType::i8);
  const std::string path = temp_path("model.onnx");
  save_onnx(g, path);
  Tensor in = random_tensor({6, 4}, 5, -2.f, 2.f);
  Executor ex(g);
  Tensor want = ex.run({in})[0];
  Tensor got = run_onnxruntime(path, in, {6, 3}, temp_path("ort"));
  EXPECT_LE(max_rel_error(got, want), 1e-6);
  std::filesystem::remove(path);
  std::filesystem::remove_all(temp_path("ort"));
}

TEST(OnnxQdq, QuantizeToInt4CannotBeExported) {
  Graph g;
  g.name = "q4";
  ValueId x = g.add_input("x", TensorType{DType::f32, {2}, true});
  ValueId s = g.add_initializer("s", Tensor::scalar(0.5f), false);
  ValueId z = g.add_initializer("z", Tensor::zeros(DType::i4, {}), false);
  ValueId q = g.add_value("q"), y = g.add_value("y");
  g.add_node(Node{"QuantizeLinear", "to_int4", "", {x, s, z}, {q}, {}});
  g.add_node(Node{"DequantizeLinear", "back", "", {q, s, z}, {y}, {}});
  g.add_output(y);
  infer_shapes(g);
  const std::string m = error_of([&] { export_onnx_bytes(g); });
  EXPECT_NE(m.find("node 'to_int4' (QuantizeLinear): quantizes to i4"), std::string::npos) << m;
}

// A corrupt int8 initializer stored in int32_data (values out of range) is refused, not wrapped.
TEST(OnnxQdq, OutOfRangeTypedInt8DataIsAnError) {
  OnnxModelMaker m(13);
  m.input("x", {2});
  m.output("y", {2});
  auto* t = m.model.mutable_graph()->add_initializer();
  t->set_name("q");
  t->set_data_type(onnx::TensorProto::INT8);
  t->add_dims(2);
  t->add_int32_data(5);
  t->add_int32_data(300);
  m.init_f32("s", {}, {1.f});
  m.node("DequantizeLinear", {"q", "s"}, {"d"});
  m.node("Add", {"x", "d"}, {"y"});
  std::string bytes;
  m.model.SerializeToString(&bytes);
  const std::string msg = error_of([&] { load_onnx_bytes(bytes, "bad.onnx"); });
  EXPECT_NE(msg.find("stored value 300 at 1 does not fit i8"), std::string::npos) << msg;
}

}  // namespace
}  // namespace prunq::testing
