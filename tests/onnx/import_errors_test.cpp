// Bad input to the ONNX layer is a clear prunq::Error, never a crash.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <functional>
#include <fstream>

#include "io/onnx/onnx_io.h"
#include "onnx/onnx_test_util.h"
#include "runtime/executor.h"
#include "support/error_of.h"

namespace prunq::testing {
namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("prunq_onnx_" + std::to_string(::getpid()) + "_" + name)).string();
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

OnnxModelMaker relu_model() {
  OnnxModelMaker m(13);
  m.input("x", {-1, 3});
  m.node("Relu", {"x"}, {"y"}, "relu");
  m.output("y", {-1, 3});
  return m;
}

TEST(OnnxImportErrors, UnsupportedOpsAreListedInOneError) {
  OnnxModelMaker m(13);
  auto* custom = m.model.add_opset_import();
  custom->set_domain("com.example");
  custom->set_version(1);
  m.input("x", {2, 3});
  m.node("Hardmax", {"x"}, {"a"}, "hardmax_node");
  m.node("Relu", {"a"}, {"b"}, "relu_node");
  m.node("LpNormalization", {"b"}, {"c"}, "lpnorm_node");
  m.node("MyOp", {"c"}, {"y"}, "custom_node")->set_domain("com.example");
  m.output("y", {2, 3});
  std::string msg = error_of([&] { load_onnx_bytes(m.bytes(), "handmade.onnx"); });
  EXPECT_NE(msg.find("handmade.onnx"), std::string::npos) << msg;
  EXPECT_NE(msg.find("3 node(s)"), std::string::npos) << msg;
  for (const char* s : {"Hardmax", "hardmax_node", "LpNormalization", "lpnorm_node", "MyOp", "custom_node"})
    EXPECT_NE(msg.find(s), std::string::npos) << s << " missing in: " << msg;
  EXPECT_EQ(msg.find("relu_node"), std::string::npos) << msg;
}

TEST(OnnxImportErrors, UnknownStandardOpFailsTheChecker) {
  OnnxModelMaker m(13);
  m.input("x", {2, 3});
  m.node("NoSuchOp", {"x"}, {"y"}, "mystery");
  m.output("y", {2, 3});
  std::string msg = error_of([&] { load_onnx_bytes(m.bytes(), "mystery.onnx"); });
  EXPECT_NE(msg.find("checker"), std::string::npos) << msg;
  EXPECT_NE(msg.find("NoSuchOp"), std::string::npos) << msg;
}

TEST(OnnxImportErrors, TruncatedAndCorruptFiles) {
  OnnxModelMaker m = relu_model();
  m.init_f32("unused_weight", {64}, std::vector<float>(64, 1.f));  // some bulk to cut into
  const std::string bytes = m.bytes();
  ASSERT_NO_THROW(load_onnx_bytes(bytes, "full"));
  const std::string path = temp_path("truncated.onnx");
  for (size_t keep : {bytes.size() / 2, bytes.size() - 3, size_t{5}}) {
    write_bytes(path, bytes.substr(0, keep));
    std::string msg = error_of([&] { load_onnx(path); });
    EXPECT_NE(msg.find(path), std::string::npos) << "kept " << keep << ": " << msg;
    EXPECT_FALSE(msg.empty()) << "truncated to " << keep << " bytes was accepted";
  }
  write_bytes(path, std::string(100, '\xff'));
  EXPECT_NE(error_of([&] { load_onnx(path); }).find("not a valid ONNX model"), std::string::npos);
  write_bytes(path, "");
  EXPECT_NE(error_of([&] { load_onnx(path); }).find("empty file"), std::string::npos);
  std::filesystem::remove(path);
  EXPECT_NE(error_of([&] { load_onnx(path); }).find("cannot open"), std::string::npos);
}

// Every prefix of a model file and single-byte corruptions: prunq::Error or a valid import,
// never a crash or a foreign exception type.
TEST(OnnxImportErrors, EveryTruncationAndByteFlipIsHandled) {
  OnnxModelMaker m(13);
  m.input("x", {-1, 4});
  m.init_f32("w", {4, 3}, std::vector<float>(12, 0.5f));
  m.init_f32("b", {3}, {1, 2, 3});
  m.node("Gemm", {"x", "w", "b"}, {"y"}, "fc");
  m.output("y", {-1, 3});
  const std::string bytes = m.bytes();
  auto try_load = [](const std::string& data, const std::string& what) {
    try {
      load_onnx_bytes(data, what);
    } catch (const Error&) {
    } catch (const std::exception& e) {
      ADD_FAILURE() << what << ": non-prunq exception " << e.what();
    }
  };
  for (size_t keep = 0; keep < bytes.size(); ++keep) try_load(bytes.substr(0, keep), "prefix " + std::to_string(keep));
  for (size_t i = 0; i < bytes.size(); ++i)
    for (unsigned char flip : {0x01, 0x80, 0xff}) {
      std::string bad = bytes;
      bad[i] = static_cast<char>(static_cast<unsigned char>(bad[i]) ^ flip);
      try_load(bad, "flip byte " + std::to_string(i));
    }
}

TEST(OnnxImportErrors, WrongInputShapeAtRunNamesTheInput) {
  Graph g = load_onnx_bytes(relu_model().bytes(), "relu");
  Executor ex(g);
  EXPECT_NO_THROW(ex.run({Tensor::full({5, 3}, 1.f)}));
  std::string msg = error_of([&] { ex.run({Tensor::full({2, 4}, 1.f)}); });
  EXPECT_NE(msg.find("'x'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[2, 4]"), std::string::npos) << msg;
}

TEST(OnnxImportErrors, OpsetNewerThanLibonnxKnows) {
  OnnxModelMaker m(18);
  m.input("x", {2});
  m.node("Relu", {"x"}, {"y"});
  m.output("y", {2});
  std::string msg = error_of([&] { load_onnx_bytes(m.bytes(), "new.onnx"); });
  EXPECT_NE(msg.find("opset 18"), std::string::npos) << msg;
  EXPECT_NE(msg.find("17"), std::string::npos) << msg;
}

TEST(OnnxImportErrors, UnsupportedElementTypeAndDynamicShapes) {
  OnnxModelMaker m(13);
  m.input("x", {2}, onnx::TensorProto::DOUBLE);
  m.node("Relu", {"x"}, {"y"});
  m.output("y", {2}, onnx::TensorProto::DOUBLE);
  EXPECT_NE(error_of([&] { load_onnx_bytes(m.bytes(), "d"); }).find("DOUBLE"), std::string::npos);

  // Reshape(x, Shape(x)) copies both run-time dims in place ("0"): fine. Reshaping the
  // transpose to x's shape has two dims only known at run time: refused, naming the node.
  for (bool transpose : {false, true}) {
    OnnxModelMaker r(13);
    r.input("x", {-1, -2});
    r.node("Shape", {"x"}, {"s"});
    std::string data = "x";
    if (transpose) {
      OnnxModelMaker::attr_ints(r.node("Transpose", {"x"}, {"xt"}), "perm", {1, 0});
      data = "xt";
    }
    r.node("Reshape", {data, "s"}, {"y"}, "reshape_to_x");
    r.output("y", {-1, -2});
    std::string msg = error_of([&] { load_onnx_bytes(r.bytes(), "r"); });
    if (!transpose) {
      EXPECT_EQ(msg, "");
      continue;
    }
    EXPECT_NE(msg.find("reshape_to_x"), std::string::npos) << msg;
    EXPECT_NE(msg.find("run time"), std::string::npos) << msg;
  }
}

TEST(OnnxImportErrors, LoadAnyModelChecksTheExtension) {
  EXPECT_NE(error_of([] { load_any_model("model.tflite"); }).find("extension"), std::string::npos);
}

}  // namespace
}  // namespace prunq::testing
