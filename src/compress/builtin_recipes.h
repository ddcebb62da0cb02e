// The recipes prunq ships, listed by `prunq recipes` and taken by name by `--recipe`. They are
// YAML text read by the same parser as a user's file, so `prunq recipes NAME` prints a file the
// user can copy and edit.
#pragma once
#include <string>
#include <vector>

namespace prunq::compress {

struct BuiltinRecipe {
  std::string name;
  std::string yaml;
};

const std::vector<BuiltinRecipe>& builtin_recipes();
const BuiltinRecipe* find_builtin_recipe(const std::string& name);  // nullptr when none
// The recipe `prunq compress` uses without --recipe.
const char* default_recipe_name();

}  // namespace prunq::compress
