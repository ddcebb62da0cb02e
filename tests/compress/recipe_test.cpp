// Recipes: every built-in reads and checks; a user's mistakes (typos, wrong types, impossible
// values, stage orders that cannot work) are errors naming the file, line, stage and key.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "compress/builtin_recipes.h"
#include "compress/recipe.h"
#include "compress/recipe_schema.h"
#include "core/error.h"

namespace prunq::compress {
namespace {

// The error parse_recipe gives for `yaml`, or "" when it parses.
std::string error_of(const std::string& yaml) {
  try {
    parse_recipe(yaml, "my.yaml");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

void expect_error(const std::string& yaml, const std::vector<std::string>& fragments) {
  const std::string e = error_of(yaml);
  ASSERT_FALSE(e.empty()) << "expected an error for:\n" << yaml;
  EXPECT_EQ(e.find('\n'), std::string::npos) << "one line: " << e;
  for (const std::string& f : fragments) EXPECT_NE(e.find(f), std::string::npos) << "'" << f << "' not in: " << e;
}

TEST(Recipe, EveryBuiltinReadsAndIsListed) {
  std::vector<std::string> names;
  for (const BuiltinRecipe& b : builtin_recipes()) {
    Recipe r = parse_recipe(b.yaml, "builtin:" + b.name);
    EXPECT_EQ(r.name, b.name);
    EXPECT_FALSE(r.description.empty()) << b.name;
    EXPECT_FALSE(r.stages.empty()) << b.name;
    EXPECT_TRUE(r.max_drop.has_value()) << b.name;
    names.push_back(b.name);
  }
  for (const char* n : {"edge-int8", "sparse90-int8", "channel50-int8", "int4-tiny", "fp16"})
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
  EXPECT_NE(find_builtin_recipe(default_recipe_name()), nullptr);
  EXPECT_EQ(load_recipe("edge-int8").source, "builtin:edge-int8");
}

TEST(Recipe, ReadsStagesOptionsAndOpenKnobs) {
  Recipe r = parse_recipe(R"(name: mine
description: test
max_drop: 0.3
seed: 7
search:
  max_trials: 4
  finetune_epochs: 0
stages:
  - prune:
      method: global-magnitude
      sparsity: {search: [0.6, 0.9]}
      exclude: conv1
  - finetune:
      epochs: 2
      lr: 1e-4
  - quantize:
      mode: weight-int4
      group_size: 64
      auto_exclude: true
  - qat:
      epochs: 1
  - evaluate
  - export:
      formats: [onnx]
)",
                          "mine.yaml");
  EXPECT_EQ(r.name, "mine");
  EXPECT_DOUBLE_EQ(*r.max_drop, 0.3);
  EXPECT_EQ(*r.seed, 7);
  EXPECT_EQ(r.search.max_trials, 4);
  EXPECT_EQ(r.search.finetune_epochs, 0);
  ASSERT_EQ(r.stages.size(), 6u);
  EXPECT_EQ(r.stages[0].kind, StageKind::prune);
  EXPECT_EQ(r.stages[0].line, 9);
  EXPECT_EQ(*r.stages[0].text("method"), "global-magnitude");
  EXPECT_FALSE(r.stages[0].number("sparsity").has_value()) << "an open knob has no fixed value";
  const OptionValue* knob = r.stages[0].open_knob("sparsity");
  ASSERT_NE(knob, nullptr);
  EXPECT_DOUBLE_EQ(knob->lo, 0.6);
  EXPECT_DOUBLE_EQ(knob->hi, 0.9);
  EXPECT_EQ(r.stages[0].names("exclude"), std::vector<std::string>{"conv1"});
  EXPECT_EQ(*r.stages[1].integer("epochs"), 2);
  EXPECT_DOUBLE_EQ(*r.stages[1].number("lr"), 1e-4);
  EXPECT_FALSE(r.stages[1].text("optimizer").has_value()) << "absent keys are the library's default";
  EXPECT_EQ(*r.stages[2].integer("group_size"), 64);
  EXPECT_TRUE(*r.stages[2].flag("auto_exclude"));
  EXPECT_EQ(r.stages[4].kind, StageKind::evaluate);
  EXPECT_EQ(r.stages[5].names("formats"), std::vector<std::string>{"onnx"});
  ASSERT_EQ(r.open_knobs().size(), 1u);
  EXPECT_EQ(r.open_knobs()[0], (std::pair<size_t, std::string>{0, "sparsity"}));

  // `search` alone takes the key's default range; the name defaults to the file's stem.
  Recipe s = parse_recipe("stages:\n  - prune: {method: magnitude, sparsity: search}\n", "dir/short.yaml");
  EXPECT_EQ(s.name, "short");
  EXPECT_DOUBLE_EQ(s.stages[0].open_knob("sparsity")->lo, stage_spec(StageKind::prune).find("sparsity")->search_lo);
}

TEST(Recipe, TypoNamesFileLineStageAndKey) {
  expect_error("stages:\n  - quantize:\n      mode: int8\n  - prune:\n      method: magnitude\n      sparsty: 0.5\n",
               {"my.yaml:6:7:", "stage 2 'prune'", "unknown key 'sparsty'", "did you mean 'sparsity'"});
  expect_error("stages:\n  - quantise:\n      mode: int8\n",
               {"my.yaml:2:5:", "stage 1", "unknown stage 'quantise'", "did you mean 'quantize'"});
  expect_error("stagse:\n  - evaluate\n", {"my.yaml:1:1:", "unknown key 'stagse'", "did you mean 'stages'"});
  expect_error("stages:\n  - quantize:\n      mode: int7\n",
               {"my.yaml:3:13:", "key 'mode'", "unknown value 'int7'", "did you mean 'int8'"});
  expect_error("search:\n  max_trails: 3\nstages: [evaluate]\n",
               {"my.yaml:2:3:", "search", "unknown key 'max_trails'", "did you mean 'max_trials'"});
}

TEST(Recipe, WrongTypesAndImpossibleValues) {
  expect_error("stages:\n  - finetune:\n      epochs: two\n",
               {"my.yaml:3:15:", "stage 1 'finetune', key 'epochs'", "expected an integer", "'two'"});
  expect_error("stages:\n  - finetune:\n      epochs: 1.5\n", {"key 'epochs'", "expected an integer", "'1.5'"});
  expect_error("stages:\n  - prune:\n      method: magnitude\n      sparsity: 1.5\n",
               {"my.yaml:4:17:", "stage 1 'prune', key 'sparsity'", "must be in [0, 1), got 1.5"});
  expect_error("stages:\n  - prune:\n      method: magnitude\n      sparsity: 1\n", {"must be in [0, 1), got 1"});
  expect_error("stages:\n  - prune:\n      method: magnitude\n      sparsity: [0.5]\n",
               {"key 'sparsity'", "expected a number in [0, 1)", "got a list"});
  expect_error("stages:\n  - prune:\n      method: magnitude\n      sparsity: {search: [0.9, 0.5]}\n",
               {"key 'sparsity'", "lo < hi"});
  expect_error("stages:\n  - prune:\n      method: magnitude\n      sparsity: {search: [0.5, 1.2]}\n",
               {"key 'sparsity'", "must be in [0, 1), got 1.2"});
  expect_error("stages:\n  - finetune:\n      epochs: search\n", {"key 'epochs'", "expected an integer", "'search'"});
  expect_error("stages:\n  - quantize:\n      mode: int8\n      per_channel: yes please\n",
               {"key 'per_channel'", "expected true or false"});
  expect_error("stages:\n  - quantize:\n      mode: weight-int4\n      group_size: 48\n",
               {"key 'group_size'", "must be one of 32, 64, 128, got 48"});
  expect_error("stages:\n  - prune:\n      method: nm\n      nm: 4:2\n", {"key 'nm'", "N:M", "'4:2'"});
  expect_error("stages:\n  - export:\n      formats: [prunq, tflite]\n",
               {"my.yaml:3:24:", "key 'formats'", "unknown value 'tflite'"});
  expect_error("stages:\n  - finetune:\n      epochs:\n", {"my.yaml:3:7:", "key 'epochs'", "has no value"});
  expect_error("max_drop: -1\nstages: [evaluate]\n", {"my.yaml:1:11:", "key 'max_drop'", "must be in [0, 100]"});
  expect_error("stages:\n  - finetune:\n      epochs: 1\n      epochs: 2\n",
               {"my.yaml:4:7:", "key 'epochs'", "given twice (first on line 3)"});
  expect_error("stages:\n  - finetune: {lr: 0.1}\n", {"stage 1 'finetune'", "missing key 'epochs'"});
  expect_error("stages:\n  - finetune\n", {"stage 1 'finetune'", "missing key 'epochs'"});
}

TEST(Recipe, OptionsThatDoNotFitTheirStage) {
  expect_error("stages:\n  - quantize:\n      mode: int8\n      group_size: 32\n",
               {"my.yaml:4:", "key 'group_size'", "weight-int4 only"});
  expect_error("stages:\n  - quantize:\n      mode: fp16\n      calib_method: entropy\n",
               {"key 'calib_method'", "int8 and uint8"});
  expect_error("stages:\n  - quantize:\n      mode: bf16\n      per_channel: true\n", {"key 'per_channel'", "not bf16"});
  expect_error("stages:\n  - prune:\n      method: nm\n", {"stage 1 'prune'", "needs key 'nm'"});
  expect_error("stages:\n  - prune:\n      method: nm\n      nm: 2:4\n      sparsity: 0.5\n",
               {"key 'sparsity'", "takes its sparsity from 'nm'"});
  expect_error("stages:\n  - prune:\n      method: magnitude\n", {"stage 1 'prune'", "needs key 'sparsity'"});
  expect_error("stages:\n  - prune:\n      method: global-magnitude\n      sparsity: 0.5\n      criterion: l2\n",
               {"key 'criterion'", "channel, unit and block"});
  expect_error("stages:\n  - prune:\n      method: magnitude\n      sparsity: 0.5\n      rounds: 3\n",
               {"key 'rounds'", "schedule iterative"});
}

TEST(Recipe, StageOrdersThatCannotWork) {
  expect_error("stages:\n  - qat:\n      epochs: 1\n  - quantize:\n      mode: int8\n",
               {"my.yaml:2:", "stage 1 'qat'", "no quantize stage comes before it"});
  expect_error("stages:\n  - quantize: {mode: fp16}\n  - qat: {epochs: 1}\n",
               {"stage 2 'qat'", "integer quantizer", "fp16"});
  expect_error("stages:\n  - quantize: {mode: int8}\n  - prune: {method: magnitude, sparsity: 0.5}\n",
               {"my.yaml:3:", "stage 2 'prune'", "prune before quantizing"});
  expect_error("stages:\n  - quantize: {mode: int8}\n  - finetune: {epochs: 1}\n", {"stage 2 'finetune'", "qat"});
  expect_error("stages:\n  - quantize: {mode: int8}\n  - quantize: {mode: int8}\n",
               {"stage 2 'quantize'", "second quantize stage"});
  expect_error("stages:\n  - export\n  - evaluate\n", {"stage 2 'evaluate'", "export is the last stage"});
  // The seeds' order is fine, with evaluations anywhere.
  EXPECT_EQ(error_of("stages:\n  - evaluate\n  - prune: {method: magnitude, sparsity: 0.5}\n  - finetune: {epochs: 1}\n"
                     "  - quantize: {mode: int8}\n  - qat: {epochs: 1}\n  - evaluate\n  - export\n"),
            "");
}

TEST(Recipe, MalformedYamlAndShapes) {
  expect_error("stages:\n  - prune: {method: magnitude\n", {"my.yaml:", "not valid YAML"});
  expect_error("", {"my.yaml", "empty"});
  expect_error("- evaluate\n", {"my.yaml:1:1:", "a recipe is a mapping"});
  expect_error("stages: []\n", {"key 'stages'", "a list of stages"});
  expect_error("stages:\n", {"my.yaml:1:1:", "key 'stages'", "a list of stages"});
  // Options indented at the stage's level instead of under it.
  expect_error("stages:\n  - prune:\n    method: magnitude\n",
               {"my.yaml:3:5:", "stage 1", "'method' sits beside 'prune:'", "indented"});
  expect_error("stages:\n  - [prune]\n", {"stage 1", "expected a stage"});
}

TEST(Recipe, LoadsFilesAndNamesMissingOnes) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("prunq_recipe_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "user.yaml").string();
  std::ofstream(path) << "description: mine\nstages:\n  - quantize:\n      mode: fp16\n";
  Recipe r = load_recipe(path);
  EXPECT_EQ(r.name, "user");
  EXPECT_EQ(r.source, path);
  std::ofstream(path) << "stages:\n  - quantize:\n      mod: fp16\n";
  try {
    load_recipe(path);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path + ":3:7:"), std::string::npos) << e.what();
  }
  try {
    load_recipe("edge-int9");
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no built-in recipe"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("edge-int8"), std::string::npos) << e.what();
  }
  EXPECT_THROW(load_recipe(dir.string()), Error);  // a folder
  std::filesystem::remove_all(dir);
}

TEST(Recipe, ClosestWord) {
  EXPECT_EQ(closest_word("sparsty", {"method", "sparsity"}), "sparsity");
  EXPECT_EQ(closest_word("xyz", {"method", "sparsity"}), "");
  EXPECT_EQ(closest_word("calib", {"calib_method", "mode"}), "calib_method");
}

}  // namespace
}  // namespace prunq::compress
