// prunq recipes [NAME | --check FILE | --keys]: the built-in compression recipes, one of them as
// YAML (to copy and edit), a user's recipe checked without running it, or every stage's keys.
#include <cstdio>
#include <iostream>

#include "compress/builtin_recipes.h"
#include "compress/recipe.h"
#include "compress/recipe_schema.h"
#include "prunq/commands.h"

namespace prunq::cli {
namespace {

void print_keys(const std::string& title, const std::vector<compress::KeySpec>& keys) {
  std::cout << title << "\n";
  for (const compress::KeySpec& k : keys) {
    std::string help = k.help;
    for (size_t p = help.find('\n'); p != std::string::npos; p = help.find('\n', p + 1))
      help.replace(p, 1, "\n" + std::string(26, ' '));
    std::printf("  %-22s  %s%s\n", k.key.c_str(), help.c_str(), k.required ? " (required)" : "");
    if (k.type != compress::ValueType::section)
      std::printf("  %-22s  %s\n", "", compress::describe_type(k).c_str());
  }
}

void print_summary(const compress::Recipe& r) {
  std::cout << "  " << r.name << std::string(r.name.size() < 16 ? 16 - r.name.size() : 1, ' ');
  std::string stages;
  for (const compress::Stage& s : r.stages) stages += (stages.empty() ? "" : " -> ") + std::string(s.name());
  std::cout << r.description << "\n" << std::string(18, ' ') << stages;
  if (r.max_drop) std::printf("; max drop %.2g pt", *r.max_drop);
  if (r.name == compress::default_recipe_name()) std::cout << " (default)";
  std::cout << "\n";
}

}  // namespace

int cmd_recipes(CommandLine& cl) {
  std::string name, check;
  bool keys = false;
  cl.describe(
        "Lists the built-in compression recipes for 'prunq compress --recipe', prints one as\n"
        "YAML (a starting point for your own file), checks a recipe file without running it,\n"
        "or lists every stage's keys.")
      .epilog("examples:\n  prunq recipes\n  prunq recipes edge-int8 > my.yaml\n  prunq recipes --check my.yaml");
  cl.positional("NAME", name, "a built-in recipe to print as YAML", false);
  cl.option("--check", check, "FILE", "read and check a recipe (built-in name or YAML file); report what it runs");
  cl.flag("--keys", keys, "list the keys every stage accepts, with their types");
  cl.parse();
  if (int(!name.empty()) + int(!check.empty()) + int(keys) > 1) cl.usage_error("give one of NAME, --check FILE, --keys");

  if (keys) {
    print_keys("recipe:", compress::recipe_keys());
    print_keys("\nsearch:", compress::search_keys());
    for (const compress::StageSpec& s : compress::stage_specs())
      print_keys(std::string("\nstage ") + compress::stage_kind_name(s.kind) + ": " + s.help, s.keys);
    return 0;
  }
  if (!check.empty()) {
    const compress::Recipe r = compress::load_recipe(check);
    std::cout << r.source << ": ok, " << r.stages.size() << " stages\n";
    print_summary(r);
    for (const auto& [stage, key] : r.open_knobs()) {
      const compress::OptionValue* v = r.stages[stage].open_knob(key);
      std::printf("  searched: %s %s in [%g, %g]\n", r.stages[stage].label().c_str(), key.c_str(), v->lo, v->hi);
    }
    return 0;
  }
  if (!name.empty()) {
    const compress::BuiltinRecipe* b = compress::find_builtin_recipe(name);
    if (!b) {
      std::string names;
      for (const compress::BuiltinRecipe& r : compress::builtin_recipes()) names += (names.empty() ? "" : ", ") + r.name;
      cl.usage_error("no built-in recipe '" + name + "'; built-in: " + names);
    }
    std::cout << b->yaml;
    return 0;
  }
  std::cout << "built-in recipes (prunq compress MODEL --recipe NAME; 'prunq recipes NAME' prints one):\n";
  for (const compress::BuiltinRecipe& b : compress::builtin_recipes())
    print_summary(compress::parse_recipe(b.yaml, "builtin:" + b.name));
  return 0;
}

}  // namespace prunq::cli
