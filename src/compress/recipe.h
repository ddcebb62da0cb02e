// A compression recipe: the ordered stages `prunq compress` runs (prune, fine-tune, quantize,
// QAT, evaluate, export) with their options, read from YAML. Options are checked against the
// schema (recipe_schema.h) when the recipe is read, so a typo or an impossible value is an error
// naming the file, line, stage and key before any work starts, never halfway through a run.
//
//   name: sparse90-int8
//   description: 90 % unstructured sparsity, then full-integer int8
//   max_drop: 1.0                  # accuracy budget in points (--max-drop overrides)
//   stages:
//     - prune:
//         method: global-magnitude
//         sparsity: {search: [0.8, 0.95]}   # an open knob: the loop searches it
//         schedule: gradual
//         epochs: 2
//     - quantize:
//         mode: int8
//     - evaluate
//     - export:
//         formats: [prunq, onnx]
//
// A stage keeps only the options the recipe wrote: what it leaves out is the library's default
// for that stage, so defaults live in one place (the library's options struct).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace prunq::compress {

enum class StageKind { prune, finetune, quantize, qat, evaluate, export_model };

const char* stage_kind_name(StageKind k);  // "prune", ..., "export"

// One option as the recipe wrote it, already checked against its KeySpec.
struct OptionValue {
  double number = 0;               // integer and number keys (integers are exact up to 2^53)
  bool flag = false;               // boolean keys
  std::string text;                // word, text and ratio keys ("2:4")
  std::vector<std::string> names;  // list keys
  // A searchable number the recipe left open ({search: [lo, hi]} or `search`): the loop picks it.
  bool open = false;
  double lo = 0, hi = 0;
  int line = 0;                    // 1-based line of the key, for later errors
};

struct Stage {
  StageKind kind = StageKind::evaluate;
  int index = 0;  // 1-based position in the recipe
  int line = 0;   // 1-based line where the stage starts
  std::map<std::string, OptionValue> options;

  const char* name() const { return stage_kind_name(kind); }
  bool has(const std::string& key) const { return options.count(key) != 0; }
  // Typed reads of a written key; nullopt when the recipe left it to the library's default.
  std::optional<double> number(const std::string& key) const;
  std::optional<int64_t> integer(const std::string& key) const;
  std::optional<bool> flag(const std::string& key) const;
  std::optional<std::string> text(const std::string& key) const;
  std::vector<std::string> names(const std::string& key) const;  // empty when absent
  // The key's value when it is an open knob, else nullptr.
  const OptionValue* open_knob(const std::string& key) const;
  // "stage 2 'prune'" -- how errors and logs name the stage.
  std::string label() const;
};

// How the accuracy-aware loop searches the recipe's open knobs.
struct SearchSettings {
  int64_t max_trials = 8;            // tries per open knob (bisection steps and probes)
  int64_t finetune_epochs = 1;       // fine-tuning between tries, before each is measured
  double tolerance = 0.01;           // stop bisecting once the knob's interval is this narrow
};

struct Recipe {
  std::string name, description;
  std::string source;                // the file, or "builtin:NAME"
  std::optional<double> max_drop;    // points of accuracy vs the input model
  std::optional<int64_t> seed;
  SearchSettings search;
  std::vector<Stage> stages;

  // Every open knob, in stage order: {stage index (0-based), key}.
  std::vector<std::pair<size_t, std::string>> open_knobs() const;
};

// Parses and checks a recipe; `source` names it in errors ("my.yaml", "builtin:edge-int8").
// Throws prunq::Error "SOURCE:LINE:COL: stage N 'KIND', key 'KEY': what is wrong".
Recipe parse_recipe(const std::string& yaml_text, const std::string& source);

// A built-in recipe by name, or else a YAML file by path.
Recipe load_recipe(const std::string& name_or_path);

}  // namespace prunq::compress
