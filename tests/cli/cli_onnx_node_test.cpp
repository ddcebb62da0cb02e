// `prunq run` on ONNX's own node tests (Debian's libonnx-testdata): the model .onnx, inputs as
// TensorProto .pb files in graph order, outputs compared with ONNX's expected .pb outputs. This
// checks the CLI's .pb input path and input binding end to end; the full conformance suite of the
// ops themselves lives in tests/onnx.
#include <gtest/gtest.h>

#ifdef PRUNQ_HAVE_ONNX
#include <cmath>

#include "cli/cli_runner.h"
#include "io/json/json_file.h"
#include "io/data/npy.h"
#include "io/onnx/onnx_io.h"

namespace prunq::testing {
namespace {

const std::string kNodeTests = "/usr/share/libonnx-testdata/data/node/";

class CliOnnxNode : public ::testing::TestWithParam<std::string> {};

TEST_P(CliOnnxNode, RunMatchesOnnxExpectedOutput) {
  const std::string dir = kNodeTests + GetParam() + "/";
  if (!std::filesystem::exists(dir + "model.onnx")) GTEST_SKIP() << "libonnx-testdata not installed: " << dir;
  TempDir t;
  std::vector<std::string> args = {"run", dir + "model.onnx", "--output-dir", t / "out"};
  for (int i = 0; std::filesystem::exists(dir + "test_data_set_0/input_" + std::to_string(i) + ".pb"); ++i)
    args.insert(args.end(), {"--input", dir + "test_data_set_0/input_" + std::to_string(i) + ".pb"});
  CliResult r = run_prunq(args, t);
  ASSERT_EQ(r.exit_code, 0) << r.err;

  const Json model = Json::parse(run_prunq({"inspect", dir + "model.onnx", "--json"}, t).out);
  const std::string output_name = model["outputs"][0]["name"].get<std::string>();
  const Tensor got = read_npy(t / ("out/" + output_name + ".npy"));
  const Tensor want = read_tensor_pb(dir + "test_data_set_0/output_0.pb");
  ASSERT_EQ(got.shape(), want.shape());
  // ONNX's backend-test tolerance: |got - want| <= atol + rtol * |want|.
  const Tensor g = got.contiguous(), w = want.contiguous();
  for (int64_t i = 0; i < w.numel(); ++i)
    ASSERT_LE(std::fabs(g.f32()[i] - w.f32()[i]), 1e-7f + 1e-3f * std::fabs(w.f32()[i])) << "element " << i;
}

INSTANTIATE_TEST_SUITE_P(NodeTests, CliOnnxNode,
                         ::testing::Values("test_relu", "test_add", "test_gemm_all_attributes",
                                           "test_basic_conv_with_padding", "test_maxpool_2d_pads",
                                           "test_softmax_axis_1"));

TEST(CliOnnxInputs, NamedPbInputsInAnyOrder) {
  const std::string dir = kNodeTests + "test_sub/";
  if (!std::filesystem::exists(dir + "model.onnx")) GTEST_SKIP() << "libonnx-testdata not installed: " << dir;
  TempDir t;
  const Json model = Json::parse(run_prunq({"inspect", dir + "model.onnx", "--json"}, t).out);
  const std::string a = model["inputs"][0]["name"].get<std::string>(), b = model["inputs"][1]["name"].get<std::string>();
  // Given in reverse order with names: the binding must follow the names, not the order.
  CliResult r = run_prunq({"run", dir + "model.onnx", "--input", b + "=" + dir + "test_data_set_0/input_1.pb",
                           "--input", a + "=" + dir + "test_data_set_0/input_0.pb", "--output-dir", t / "out"},
                          t);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Tensor got = read_npy(t / ("out/" + model["outputs"][0]["name"].get<std::string>() + ".npy"));
  const Tensor want = read_tensor_pb(dir + "test_data_set_0/output_0.pb");
  EXPECT_LE(max_abs_diff(got, want), 1e-6f);
}

}  // namespace
}  // namespace prunq::testing
#endif  // PRUNQ_HAVE_ONNX
