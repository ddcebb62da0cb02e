// Shared set-up for CLI tests that need data or a model: a temp folder with the synthetic IDX
// dataset and, on demand, a tiny MLP trained by `prunq train` itself (about a second).
#pragma once
#include <gtest/gtest.h>

#include "cli/cli_runner.h"
#include "cli/synthetic_idx.h"

namespace prunq::testing {

class CliWithData : public ::testing::Test {
 protected:
  void SetUp() override {
    data_dir = dir / "data";
    std::filesystem::create_directories(data_dir);
    write_synthetic_idx(data_dir, 600, 200);
  }

  // Trains an MLP for one epoch on 512 images into dir/<name> (.prunq or .onnx).
  std::string train_tiny_model(const std::string& name = "mlp.prunq") {
    const std::string path = dir / name;
    CliResult r = run({"train", "--arch", "mlp", "--data", data_dir, "--limit", "512", "--epochs", "1", "-o", path,
                       "--no-progress"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(std::filesystem::exists(path)) << path;
    return path;
  }

  CliResult run(const std::vector<std::string>& args) { return run_prunq(args, dir); }

  bool onnx_built() { return run({"--version"}).out.find("onnx: yes") != std::string::npos; }

  TempDir dir;
  std::string data_dir;
};

}  // namespace prunq::testing
