// prune, sensitivity and train --prune-at-init end to end through the binary, on the synthetic
// IDX data and a tiny MLP trained by prunq itself.
#include <gtest/gtest.h>

#include "cli/cli_fixture.h"
#include "io/json/json_file.h"
#include "io/native/model_file.h"
#include "prune/mask.h"
#include "prune/nm.h"
#include "prune/prunable.h"

namespace prunq::testing {
namespace {

using CliPrune = CliWithData;

TEST_F(CliPrune, GlobalMagnitudeWithFineTuningSavesMasksAndReportsPerLayer) {
  const std::string model = train_tiny_model(), out = dir / "p.prunq", report = dir / "p.json";
  CliResult r = run({"prune", model, "--method", "global-magnitude", "--sparsity", "0.8", "--data", data_dir,
                     "--limit", "256", "--finetune-epochs", "1", "--no-progress", "--threads", "1", "-o", out,
                     "--json", report});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("oneshot: sparsity 80.00%"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("fc1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("saved " + out), std::string::npos) << r.out;
  const Json j = read_json_file(report);
  EXPECT_NEAR(j["sparsity"].get<double>(), 0.8, 1e-5);
  ASSERT_EQ(j["stages"].size(), 1u);
  EXPECT_EQ(j["stages"][0]["epochs"], 1);
  EXPECT_GT(j["after"]["accuracy"].get<double>(), 0.5);
  EXPECT_EQ(j["layers"].size(), 3u);
  EXPECT_LT(j["totals"]["after"]["macs"].get<int64_t>(), j["totals"]["before"]["macs"].get<int64_t>() / 3);
  // The file keeps the masks: fine-tuning it again keeps the sparsity.
  const Graph g = load_model(out);
  int64_t pruned = 0, total = 0;
  for (const PrunableWeight& w : find_prunable_weights(g)) {
    EXPECT_TRUE(g.initializer(w.weight)->mask.defined()) << w.layer;
    pruned += pruned_count(*g.initializer(w.weight));
    total += w.numel();
  }
  EXPECT_NEAR(double(pruned) / double(total), 0.8, 1e-5);
}

TEST_F(CliPrune, NmAndIterativeAndGradualSchedules) {
  const std::string model = train_tiny_model();
  CliResult nm = run({"prune", model, "--method", "nm", "--nm", "2:4", "-o", dir / "nm.prunq"});
  ASSERT_EQ(nm.exit_code, 0) << nm.err;
  const Graph g = load_model(dir / "nm.prunq");
  for (const PrunableWeight& w : find_prunable_weights(g))
    EXPECT_TRUE(follows_nm(g.initializer(w.weight)->data, w, {2, 4})) << w.layer;

  CliResult it = run({"prune", model, "--method", "magnitude", "--sparsity", "0.875", "--schedule", "iterative",
                      "--rounds", "3", "--finetune-epochs", "1", "--data", data_dir, "--limit", "128", "--no-progress",
                      "-o", dir / "it.prunq"});
  ASSERT_EQ(it.exit_code, 0) << it.err;
  EXPECT_NE(it.out.find("round 1/3: sparsity 50.00%"), std::string::npos) << it.out;
  EXPECT_NE(it.out.find("round 3/3: sparsity 87.50%"), std::string::npos) << it.out;

  CliResult gr = run({"prune", model, "--method", "random", "--sparsity", "0.5", "--schedule", "gradual",
                      "--finetune-epochs", "1", "--data", data_dir, "--limit", "256", "--no-progress",
                      "-o", dir / "gr.prunq"});
  ASSERT_EQ(gr.exit_code, 0) << gr.err;
  EXPECT_NE(gr.out.find("gradual: sparsity 50.00%"), std::string::npos) << gr.out;
  EXPECT_NE(gr.out.find("pruning events"), std::string::npos) << gr.out;
}

TEST_F(CliPrune, StructuredUnitsShrinkTheModelAndFineTune) {
  const std::string model = train_tiny_model(), out = dir / "u.prunq", report = dir / "u.json";
  CliResult r = run({"prune", model, "--method", "unit", "--sparsity", "0.75", "--schedule", "iterative", "--rounds",
                     "2", "--finetune-epochs", "1", "--data", data_dir, "--limit", "256", "--no-progress", "-o", out,
                     "--json", report});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("structured pruning: unit"), std::string::npos) << r.out;
  const Graph g = load_model(out);
  // Two rounds of half the units each: 256 -> 128 -> 64 hidden units in the first layer.
  EXPECT_EQ(g.initializer("fc1.weight").data.dim(0), 64);
  EXPECT_FALSE(g.initializer("fc1.weight").mask.defined());
  const Json j = read_json_file(report);
  ASSERT_EQ(j["structured"].size(), 2u);
  EXPECT_LT(j["totals"]["after"]["bytes"].get<int64_t>(), j["totals"]["before"]["bytes"].get<int64_t>() / 3);
  EXPECT_GT(j["after"]["accuracy"].get<double>(), 0.5);
  CliResult e = run({"eval", out, "--data", data_dir});
  EXPECT_EQ(e.exit_code, 0) << e.err;
}

TEST_F(CliPrune, SensitivityTableJsonAndAllocationFeedPrune) {
  const std::string model = train_tiny_model(), sens = dir / "sens.json";
  CliResult s = run({"sensitivity", model, "--data", data_dir, "--sparsities", "0.5,0.9,0.99", "--target", "0.8",
                     "--json", sens});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_NE(s.out.find("dense accuracy"), std::string::npos) << s.out;
  EXPECT_NE(s.out.find("allocation of 80.00%"), std::string::npos) << s.out;
  const Json j = read_json_file(sens);
  ASSERT_EQ(j["layers"].size(), 3u);
  EXPECT_EQ(j["layers"][0]["points"].size(), 3u);
  EXPECT_NEAR(j["allocation"]["achieved"].get<double>(), 0.8, 1e-6);

  CliResult p = run({"prune", model, "--method", "magnitude", "--sparsity", "0.8", "--allocation", sens, "-o",
                     dir / "a.prunq", "--json", dir / "a.json"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const Json a = read_json_file(dir / "a.json");
  EXPECT_NEAR(a["sparsity"].get<double>(), 0.8, 1e-3);
  for (size_t l = 0; l < 3; ++l)
    EXPECT_NEAR(a["layers"][l]["sparsity_after"].get<double>(),
                j["allocation"]["layers"][l]["sparsity"].get<double>(), 0.01);
}

TEST_F(CliPrune, TrainPrunesAtInitialisationAndKeepsTheMasks) {
  for (const char* criterion : {"snip", "synflow"}) {
    const std::string out = dir / (std::string(criterion) + ".prunq"), metrics = dir / "m.json";
    CliResult r = run({"train", "--arch", "mlp", "--data", data_dir, "--limit", "256", "--epochs", "1",
                       "--prune-at-init", criterion, "--sparsity", "0.9", "--no-progress", "-o", out,
                       "--metrics", metrics});
    ASSERT_EQ(r.exit_code, 0) << criterion << ": " << r.err;
    EXPECT_NE(r.err.find("pruned at initialisation by " + std::string(criterion)), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("\nfc1 "), std::string::npos) << "the per-layer table: " << r.err;
    const Json m = read_json_file(metrics);
    EXPECT_NEAR(m["prune_at_init"]["sparsity"].get<double>(), 0.9, 1e-5);
    const Graph g = load_model(out);
    int64_t pruned = 0, total = 0;
    for (const PrunableWeight& w : find_prunable_weights(g)) {
      pruned += pruned_count(*g.initializer(w.weight));
      total += w.numel();
    }
    EXPECT_NEAR(double(pruned) / double(total), 0.9, 1e-5) << criterion << ": training kept the masks";
  }
}

TEST_F(CliPrune, OptionMistakesAreUsageErrors) {
  const std::string model = dir / "absent.prunq", o = dir / "o.prunq";
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"prune", model, "--method", "magnitude", "-o", o}, "needs --sparsity"},
      {{"prune", model, "--method", "nm", "--sparsity", "0.5", "-o", o}, "not --sparsity"},
      {{"prune", model, "--method", "nm", "--schedule", "gradual", "--finetune-epochs", "1", "-o", o}, "prunes once"},
      {{"prune", model, "--method", "magnitude", "--sparsity", "0.5", "--nm", "2:4", "-o", o}, "--nm applies"},
      {{"prune", model, "--method", "magnitude", "--sparsity", "0.5", "--schedule", "gradual", "-o", o},
       "give --finetune-epochs"},
      {{"prune", model, "--method", "magnitude", "--sparsity", "0.5", "--finetune-epochs", "1", "-o", o},
       "fine-tuning needs --data"},
      {{"prune", model, "--method", "magnitude", "--sparsity", "0.5", "--criterion", "taylor", "-o", o},
       "taylor needs --data"},
      {{"prune", model, "--method", "magnitude", "--sparsity", "1.5", "-o", o}, "--sparsity"},
      {{"prune", model, "--method", "magnitude", "--sparsity", "0.5", "--layer-sparsity", "fc1", "-o", o},
       "LAYER=S"},
      {{"prune", model, "--method", "filters", "--sparsity", "0.5", "-o", o}, "--method"},
      {{"prune", model, "--method", "channel", "--sparsity", "0.5", "--schedule", "gradual", "--finetune-epochs", "1",
        "-o", o},
       "changes the model's shape"},
      {{"prune", model, "--method", "channel", "--sparsity", "1", "-o", o}, "below 1"},
      {{"prune", model, "--method", "unit", "--sparsity", "0.5", "--max-layer-sparsity", "0.5", "-o", o},
       "applies to the unstructured methods"},
      {{"prune", model, "--method", "magnitude", "--sparsity", "0.5", "--criterion", "bn-gamma", "-o", o},
       "bn-gamma applies"},
      {{"train", "--arch", "mlp", "--data", "x", "--sparsity", "0.5"}, "apply to --prune-at-init"},
      {{"train", "--arch", "mlp", "--data", "x", "--prune-at-init", "snip"}, "needs --sparsity"},
      {{"sensitivity", model, "--data", "x", "--sparsities", "0.5,0.4"}, "increasing"},
  };
  for (const auto& [args, expect] : cases) {
    CliResult r = run(args);
    EXPECT_EQ(r.exit_code, 2) << args[2] << " " << r.err;
    EXPECT_NE(r.err.find(expect), std::string::npos) << r.err;
  }
  // Runtime mistakes: a layer name that does not exist, an N:M pattern that is not one.
  const std::string m = train_tiny_model();
  CliResult k = run({"prune", m, "--method", "magnitude", "--sparsity", "0.5", "--keep-dense", "fc9", "-o", o});
  EXPECT_EQ(k.exit_code, 1);
  EXPECT_NE(k.err.find("'fc9' names no prunable layer"), std::string::npos) << k.err;
  CliResult n = run({"prune", m, "--method", "nm", "--nm", "4:2", "-o", o});
  EXPECT_EQ(n.exit_code, 1);
  EXPECT_NE(n.err.find("bad N:M pattern '4:2'"), std::string::npos) << n.err;
  EXPECT_FALSE(std::filesystem::exists(o));
}

}  // namespace
}  // namespace prunq::testing
