// What a recipe may say: for every stage kind, its keys with their type, range, choices and a
// line of help. The parser checks against this table, `prunq recipes --keys` prints it, and
// the stage implementations read the same keys, so the three cannot disagree.
#pragma once
#include <limits>
#include <string>
#include <vector>

#include "compress/recipe.h"

namespace prunq::compress {

enum class ValueType {
  integer,   // whole number in [min, max]; `choices`, when given, lists the allowed ones
  number,    // finite number in [min, max] (max_exclusive: [min, max))
  boolean,   // true / false
  word,      // one of `choices`
  text,      // any string
  names,     // a list of strings (layer names, formats); `choices`, when given, bounds them
  ratio,     // "N:M" with 0 < N < M <= 32 (semi-structured sparsity)
  section,   // a nested block with its own keys (the recipe's `search` and `stages`)
};

struct KeySpec {
  std::string key;
  ValueType type = ValueType::text;
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool max_exclusive = false;
  std::vector<std::string> choices;
  // May be left open for the loop to search: {search: [lo, hi]}, or `search` for [lo, hi] below.
  bool searchable = false;
  double search_lo = 0, search_hi = 0;
  bool required = false;
  std::string help;
};

struct StageSpec {
  StageKind kind;
  std::string help;
  std::vector<KeySpec> keys;
  const KeySpec* find(const std::string& key) const;
};

const std::vector<StageSpec>& stage_specs();
const StageSpec& stage_spec(StageKind kind);
// The stage kind named `name` ("prune", "export", ...); false when there is none.
bool parse_stage_kind(const std::string& name, StageKind& out);

// The recipe's own keys (name, description, max_drop, seed, search, stages) and those of its
// `search` block.
const std::vector<KeySpec>& recipe_keys();
const std::vector<KeySpec>& search_keys();

// What a value of this key looks like, for errors and help: "a number in [0, 1)",
// "one of oneshot, iterative, gradual", "true or false".
std::string describe_type(const KeySpec& k);

// The closest of `candidates` to a misspelt `word` (edit distance <= 2 or a shared prefix), or "".
std::string closest_word(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace prunq::compress
