// Structurally pruned models export to ONNX and ONNX Runtime runs them like prunq does; a
// torchvision resnet18 imported from ONNX prunes 30 % of its channels exactly (on silenced
// channels) and its export matches in ONNX Runtime. Skips the ONNX Runtime part (saying why)
// when onnxruntime-node is not installed, and the resnet18 part when PyTorch is missing.
#ifdef PRUNQ_HAVE_ONNX
#include <gtest/gtest.h>

#include <cstdio>

#include "io/onnx/onnx_io.h"
#include "models/zoo.h"
#include "onnx/onnx_test_util.h"
#include "prune/structured_test_util.h"

namespace prunq::testing {
namespace {

const std::string kWork = std::string(PRUNQ_BINARY_DIR) + "/structured_onnx";

// Exports g, reads the export back into prunq and runs it in ONNX Runtime; both must match g.
void expect_export_matches(const Graph& g, const Tensor& x, const std::string& name) {
  const Tensor y = run_model(g, x);
  const std::string dir = kWork + "/" + name;
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/model.onnx";
  save_onnx(g, path);
  EXPECT_LE(max_rel_error(run_model(load_onnx(path), x), y), 1e-6) << name;
  std::string why;
  if (!have_onnxruntime_node(&why)) GTEST_SKIP() << "ONNX Runtime check skipped: " << why;
  const double err = max_rel_error(run_onnxruntime(path, x, y.shape(), dir), y);
  std::printf("%s: ONNX Runtime vs prunq on the pruned export, max relative error %.3g\n", name.c_str(), err);
  EXPECT_LE(err, 1e-4) << name;
}

struct ExportCase {
  std::string arch;
  StructuredMethod method;
};

class StructuredExport : public ::testing::TestWithParam<ExportCase> {};

TEST_P(StructuredExport, OnnxRuntimeRunsThePrunedExport) {
  Graph g = build_model(GetParam().arch);
  randomize_batchnorms(g, 1);
  StructuredPruneOptions o;
  o.method = GetParam().method;
  StructuredPruneReport r = prune_structured(g, o);
  EXPECT_LT(r.params_after, r.params_before);
  expect_export_matches(g, random_tensor({2, 1, 28, 28}, 2, 0.f, 1.f),
                        GetParam().arch + "_" + structured_method_name(GetParam().method));
}

INSTANTIATE_TEST_SUITE_P(Zoo, StructuredExport,
                         ::testing::Values(ExportCase{"fmnist-cnn", StructuredMethod::kChannel},
                                           ExportCase{"fmnist-cnn", StructuredMethod::kUnit},
                                           ExportCase{"resnet8", StructuredMethod::kChannel},
                                           ExportCase{"resnet8", StructuredMethod::kBlock},
                                           ExportCase{"mobilenet-tiny", StructuredMethod::kChannel},
                                           ExportCase{"mobilenet-tiny", StructuredMethod::kBlock}),
                         [](const ::testing::TestParamInfo<ExportCase>& i) {
                           std::string n = i.param.arch + "_" + structured_method_name(i.param.method);
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

TEST(StructuredTorchvision, Resnet18PrunesThirtyPercentOfItsChannels) {
  std::string why;
  const std::string dir = torch_models_dir(&why);
  if (dir.empty()) GTEST_SKIP() << why;
  Graph g = load_onnx(dir + "/resnet18/model.onnx");
  const Tensor x = read_tensor_pb(dir + "/resnet18/input_0.pb");
  StructuredPruneReport r = expect_exact_pruning(g, StructuredMethod::kChannel, 0.3, x, 7);
  int64_t before = 0, after = 0;
  for (const PrunedGroup& pg : r.groups) {
    EXPECT_TRUE(pg.pruned) << pg.name << ": " << pg.skipped_because;
    before += pg.channels_before;
    after += pg.channels_after;
  }
  // Every conv group lost 30 %: the 4 residual stages (layer1's holds the stem conv, whose
  // output its identity shortcuts carry) and the first conv of each of the 8 blocks.
  EXPECT_EQ(r.groups.size(), 12u);
  EXPECT_NEAR(double(before - after) / double(before), 0.3, 0.01);
  EXPECT_LT(r.macs_after, r.macs_before * 0.55);
  std::printf("resnet18: %lld -> %lld channels, MACs %lld -> %lld, parameters %lld -> %lld\n", (long long)before,
              (long long)after, (long long)r.macs_before, (long long)r.macs_after, (long long)r.params_before,
              (long long)r.params_after);
  expect_export_matches(g, x, "resnet18");
}

}  // namespace
}  // namespace prunq::testing
#endif  // PRUNQ_HAVE_ONNX
