// Real exporters: PyTorch's ONNX exports of resnet18, mobilenet_v2 and a small CNN import, run
// in prunq matching PyTorch (max error <= 1e-4 of max |output|), export again, and ONNX Runtime
// runs prunq's export matching prunq. Skips (with the reason) when PyTorch or ORT is missing.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "io/onnx/onnx_io.h"
#include "onnx/onnx_test_util.h"
#include "runtime/executor.h"

namespace prunq::testing {
namespace {

namespace fs = std::filesystem;

class TorchRoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(TorchRoundTrip, ImportRunExportOnnxRuntime) {
  std::string why;
  const std::string dir = torch_models_dir(&why);
  if (dir.empty()) GTEST_SKIP() << why;
  const std::string name = GetParam();
  const std::string src = dir + "/" + name;

  Graph g = load_onnx(src + "/model.onnx");
  Tensor x = read_tensor_pb(src + "/input_0.pb");
  Tensor torch_out = read_tensor_pb(src + "/output_0.pb");
  Executor ex(g);
  Tensor y = ex.run({x})[0];
  double err_torch = max_rel_error(y, torch_out);
  std::printf("%s: prunq vs PyTorch max relative error %.3g\n", name.c_str(), err_torch);
  EXPECT_LE(err_torch, 1e-4);

  // prunq's export, read back by prunq: the same graph behaviour.
  const std::string work = std::string(PRUNQ_BINARY_DIR) + "/onnx_roundtrip/" + name;
  fs::create_directories(work);
  const std::string exported = work + "/prunq_export.onnx";
  save_onnx(g, exported);
  Graph back = load_onnx(exported);
  Executor ex_back(back);
  double err_reimport = max_rel_error(ex_back.run({x})[0], y);
  std::printf("%s: prunq re-import of its export vs prunq max relative error %.3g\n", name.c_str(), err_reimport);
  EXPECT_LE(err_reimport, 1e-6);

  if (!have_onnxruntime_node(&why)) GTEST_SKIP() << "ONNX Runtime check skipped: " << why;
  Tensor ort_out = run_onnxruntime(exported, x, y.shape(), work);
  double err_ort = max_rel_error(ort_out, y);
  std::printf("%s: ONNX Runtime on prunq's export vs prunq max relative error %.3g\n", name.c_str(), err_ort);
  EXPECT_LE(err_ort, 1e-4);
}

INSTANTIATE_TEST_SUITE_P(Models, TorchRoundTrip, ::testing::Values("small_cnn", "resnet18", "mobilenet_v2"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

// The small CNN was exported with a dynamic batch: prunq runs it at another batch size too.
TEST(TorchImport, DynamicBatchRuns) {
  std::string why;
  const std::string dir = torch_models_dir(&why);
  if (dir.empty()) GTEST_SKIP() << why;
  Graph g = load_onnx(dir + "/small_cnn/model.onnx");
  Tensor x = read_tensor_pb(dir + "/small_cnn/input_0.pb");
  Tensor ref = read_tensor_pb(dir + "/small_cnn/output_0.pb");
  // Batch of 4 = the saved batch of 2 twice: each half must reproduce PyTorch's rows.
  Tensor x4(DType::f32, {4, 1, 28, 28});
  std::copy(x.f32(), x.f32() + x.numel(), x4.f32());
  std::copy(x.f32(), x.f32() + x.numel(), x4.f32() + x.numel());
  Executor ex(g);
  Tensor y = ex.run({x4})[0];
  ASSERT_EQ(y.shape(), (Shape{4, 10}));
  Tensor first(DType::f32, {2, 10}), second(DType::f32, {2, 10});
  std::copy(y.f32(), y.f32() + 20, first.f32());
  std::copy(y.f32() + 20, y.f32() + 40, second.f32());
  EXPECT_LE(max_rel_error(first, ref), 1e-4);
  EXPECT_LE(max_rel_error(second, ref), 1e-4);
}

}  // namespace
}  // namespace prunq::testing
