// `prunq recipes`: lists the built-ins, prints one as YAML that reads back, checks a user's file
// (a typo is one error line naming the file, line and key, exit code 1).
#include <gtest/gtest.h>

#include <fstream>

#include "cli/cli_runner.h"
#include "compress/recipe.h"

namespace prunq::testing {
namespace {

TEST(CliRecipes, ListsEveryBuiltin) {
  TempDir t;
  CliResult r = run_prunq({"recipes"}, t);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* n : {"edge-int8", "sparse90-int8", "channel50-int8", "int4-tiny", "fp16"})
    EXPECT_NE(r.out.find("\n  " + std::string(n) + " "), std::string::npos) << n << " in:\n" << r.out;
  EXPECT_NE(r.out.find("(default)"), std::string::npos);
}

TEST(CliRecipes, PrintsOneAsYamlThatChecksBack) {
  TempDir t;
  CliResult r = run_prunq({"recipes", "channel50-int8"}, t);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string path = t / "mine.yaml";
  std::ofstream(path) << r.out;
  EXPECT_EQ(compress::parse_recipe(r.out, path).name, "channel50-int8");
  r = run_prunq({"recipes", "--check", path}, t);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind(path + ": ok, 5 stages", 0), 0u) << r.out;
  r = run_prunq({"recipes", "--check", "sparse90-int8"}, t);
  EXPECT_NE(r.out.find("searched: stage 1 'prune' sparsity in [0.9, 0.98]"), std::string::npos) << r.out;
}

TEST(CliRecipes, TypoIsOneLineNamingLineAndKey) {
  TempDir t;
  const std::string path = t / "typo.yaml";
  std::ofstream(path) << "stages:\n  - prune:\n      method: global-magnitude\n      sparsitty: 0.9\n";
  CliResult r = run_prunq({"recipes", "--check", path}, t);
  EXPECT_EQ(r.exit_code, 1);
  ASSERT_EQ(r.err_lines().size(), 1u) << r.err;
  EXPECT_EQ(r.err.rfind("prunq: error: " + path + ":4:7: stage 1 'prune': unknown key 'sparsitty'", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("did you mean 'sparsity'"), std::string::npos) << r.err;
}

TEST(CliRecipes, UsageMistakes) {
  TempDir t;
  CliResult r = run_prunq({"recipes", "edge-int9"}, t);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no built-in recipe 'edge-int9'; built-in: edge-int8"), std::string::npos) << r.err;
  r = run_prunq({"recipes", "fp16", "--keys"}, t);
  EXPECT_EQ(r.exit_code, 2);
  r = run_prunq({"recipes", "--keys"}, t);
  EXPECT_EQ(r.exit_code, 0);
  for (const char* s : {"stage prune", "stage quantize", "stage qat", "sparsity", "calib_method"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s;
}

}  // namespace
}  // namespace prunq::testing
