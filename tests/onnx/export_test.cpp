// IR -> ONNX: the file passes onnx.checker (save_onnx checks), re-imports to the same IR
// behaviour, and unexportable ops are one clear error.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "graph/builder.h"
#include "io/native/model_file.h"
#include "io/onnx/onnx_io.h"
#include "onnx/onnx_test_util.h"
#include "support/op_harness.h"
#include "ops/op.h"
#include "runtime/executor.h"

namespace prunq::testing {
namespace {

TEST(OnnxExport, BuilderGraphRoundTrips) {
  GraphBuilder b("cnn", 3);
  ValueId x = b.input("x", DType::f32, {-1, 2, 8, 8});
  ValueId h = b.relu(b.batchnorm(b.conv2d(x, 2, 4, 3, 1, 1, 1, true, "conv"), 4, "bn"));
  h = b.op1("HardSwish", {b.maxpool(h, 2, 2)});
  h = b.flatten(h);
  h = b.linear(h, 4 * 4 * 4, 5, true, "fc");
  if (find_op("Gelu")) h = b.op1("Gelu", {h});
  b.output(h, "logits");
  Graph g = b.finish();

  const std::string path =
      (std::filesystem::temp_directory_path() / ("prunq_export_" + std::to_string(::getpid()) + ".onnx")).string();
  save_onnx(g, path);
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::temp_directory_path()))
    EXPECT_EQ(e.path().string().find(path + ".tmp"), std::string::npos) << "temporary file left behind";
  Graph back = load_onnx(path);
  std::filesystem::remove(path);

  EXPECT_EQ(back.num_parameters(), g.num_parameters());
  EXPECT_EQ(back.nodes().size(), g.nodes().size());  // Gelu comes back fused, not as 5 nodes
  Tensor in = random_tensor({3, 2, 8, 8}, 11);
  Executor a(g), c(back);
  Tensor ya = a.run({in})[0], yc = c.run({in})[0];
  EXPECT_EQ(yc.shape(), (Shape{3, 5}));
  EXPECT_LE(max_rel_error(yc, ya), 1e-6);
}

// load_any_model picks the loader by extension: the same graph through .onnx and .prunq.
TEST(OnnxExport, LoadAnyModelByExtension) {
  GraphBuilder b("mlp", 5);
  ValueId x = b.input("x", DType::f32, {-1, 6});
  b.output(b.linear(b.relu(b.linear(x, 6, 8, true, "fc1")), 8, 3, true, "fc2"), "y");
  Graph g = b.finish();
  const std::string stem =
      (std::filesystem::temp_directory_path() / ("prunq_any_" + std::to_string(::getpid()))).string();
  save_onnx(g, stem + ".onnx");
  save_model(g, stem + ".prunq");
  Tensor in = random_tensor({2, 6}, 3);
  Executor ref(g);
  Tensor want = ref.run({in})[0];
  for (const char* ext : {".onnx", ".prunq"}) {
    Graph loaded = load_any_model(stem + ext);
    Executor ex(loaded);
    EXPECT_EQ(max_rel_error(ex.run({in})[0], want), 0.0) << ext;
    std::filesystem::remove(stem + ext);
  }
}

TEST(OnnxExport, OpsWithoutMappingAreOneError) {
  Graph g;
  ValueId x = g.add_input("x", TensorType{DType::f32, {2}, true});
  ValueId y = g.add_value("y", TensorType{DType::f32, {2}, true});
  ValueId z = g.add_value("z", TensorType{DType::f32, {2}, true});
  g.add_node(Node{"FancyFused", "fused1", "prunq", {x}, {y}, {}});
  g.add_node(Node{"OtherThing", "other1", "prunq", {y}, {z}, {}});
  g.add_output(z);
  try {
    export_onnx_bytes(g);
    FAIL() << "export accepted unknown ops";
  } catch (const Error& e) {
    std::string msg = e.what();
    for (const char* s : {"FancyFused", "fused1", "OtherThing", "other1"}) EXPECT_NE(msg.find(s), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace prunq::testing
