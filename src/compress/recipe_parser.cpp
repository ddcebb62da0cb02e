// YAML -> Recipe, checked key by key against the schema and then as a whole (stage order and
// options that only make sense together). Every error names the file, line and column, the
// stage and the key, and says what would be accepted.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>

#include "compress/builtin_recipes.h"
#include "compress/recipe.h"
#include "compress/recipe_schema.h"
#include "core/error.h"
#include "io/native/file_util.h"

namespace prunq::compress {
namespace {

std::string quoted_list(const std::vector<std::string>& words) {
  std::string s;
  for (size_t i = 0; i < words.size(); ++i) s += (i ? ", " : "") + words[i];
  return s;
}

std::vector<std::string> key_names(const std::vector<KeySpec>& keys) {
  std::vector<std::string> out;
  for (const KeySpec& k : keys) out.push_back(k.key);
  return out;
}

class RecipeReader {
 public:
  explicit RecipeReader(std::string source) : source_(std::move(source)) {}

  Recipe read(const std::string& text) {
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      fail_at(e.mark, "", "not valid YAML: " + e.msg);
    }
    Recipe r;
    r.source = source_;
    if (!root.IsDefined() || root.IsNull()) fail_at(root.Mark(), "", "the recipe is empty (it needs a 'stages' list)");
    if (!root.IsMap())
      fail_at(root.Mark(), "", "a recipe is a mapping with 'stages' (and optionally name, description, max_drop, ...)");
    read_top_level(root, r);
    check_order(r);
    return r;
  }

 private:
  // Where an error is: "file:line:col: " (1-based), or "file: " when YAML gave no position.
  std::string at(const YAML::Mark& m) const {
    if (m.is_null()) return source_ + ": ";
    return source_ + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) + ": ";
  }
  [[noreturn]] void fail_at(const YAML::Mark& m, const std::string& context, const std::string& what) const {
    fail(at(m), context.empty() ? "" : context + ": ", what);
  }
  static int line_of(const YAML::Node& n) { return n.Mark().is_null() ? 0 : n.Mark().line + 1; }

  // The value of `spec` written at `node`; `context` is "stage 2 'prune', key 'sparsity'".
  OptionValue read_value(const KeySpec& spec, const YAML::Node& key_node, const YAML::Node& node,
                         const std::string& context) const {
    OptionValue v;
    v.line = line_of(key_node);
    const YAML::Mark m = node.Mark().is_null() ? key_node.Mark() : node.Mark();
    const std::string expected = "expected " + describe_type(spec);
    if (!node.IsDefined() || node.IsNull()) fail_at(key_node.Mark(), context, "has no value; " + expected);
    if (spec.searchable && read_open_knob(spec, node, context, v)) return v;

    if (spec.type == ValueType::names) {
      std::vector<YAML::Node> items;
      if (node.IsSequence()) {
        for (const YAML::Node& item : node) items.push_back(item);
      } else if (node.IsScalar()) {
        items.push_back(node);  // a single name may be written without brackets
      } else {
        fail_at(m, context, expected + ", got a mapping");
      }
      for (const YAML::Node& item : items) {
        if (!item.IsScalar()) fail_at(item.Mark(), context, expected + "; each item is one name");
        const std::string s = item.Scalar();
        if (!spec.choices.empty() && std::find(spec.choices.begin(), spec.choices.end(), s) == spec.choices.end())
          fail_at(item.Mark(), context, unknown_choice(s, spec.choices));
        v.names.push_back(s);
      }
      return v;
    }
    if (!node.IsScalar())
      fail_at(m, context, expected + ", got a " + std::string(node.IsSequence() ? "list" : "mapping"));
    const std::string s = node.Scalar();
    switch (spec.type) {
      case ValueType::integer: {
        int64_t x = 0;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
        if (s.empty() || ec != std::errc() || end != s.data() + s.size())
          fail_at(m, context, expected + ", got '" + s + "'");
        if (!spec.choices.empty() &&
            std::find(spec.choices.begin(), spec.choices.end(), std::to_string(x)) == spec.choices.end())
          fail_at(m, context, "must be " + describe_type(spec) + ", got " + s);
        if (double(x) < spec.min || double(x) > spec.max)
          fail_at(m, context, "must be " + describe_type(spec) + ", got " + s);
        v.number = double(x);
        break;
      }
      case ValueType::number: {
        v.number = parse_number(s, m, context, expected);
        check_range(spec, v.number, s, m, context);
        break;
      }
      case ValueType::boolean:
        if (s == "true" || s == "True" || s == "TRUE") {
          v.flag = true;
        } else if (s == "false" || s == "False" || s == "FALSE") {
          v.flag = false;
        } else {
          fail_at(m, context, expected + ", got '" + s + "'");
        }
        break;
      case ValueType::word:
        if (std::find(spec.choices.begin(), spec.choices.end(), s) == spec.choices.end())
          fail_at(m, context, unknown_choice(s, spec.choices));
        v.text = s;
        break;
      case ValueType::text:
        v.text = s;
        break;
      case ValueType::ratio: {
        int n = 0, mm = 0;
        const size_t colon = s.find(':');
        bool ok = colon != std::string::npos;
        if (ok) {
          auto r1 = std::from_chars(s.data(), s.data() + colon, n);
          auto r2 = std::from_chars(s.data() + colon + 1, s.data() + s.size(), mm);
          ok = r1.ec == std::errc() && r1.ptr == s.data() + colon && r2.ec == std::errc() &&
               r2.ptr == s.data() + s.size();
        }
        if (!ok || n <= 0 || n >= mm || mm > 32) fail_at(m, context, expected + ", got '" + s + "'");
        v.text = s;
        break;
      }
      case ValueType::names:
      case ValueType::section:
        break;  // lists above; sections are read by their own code
    }
    return v;
  }

  double parse_number(const std::string& s, const YAML::Mark& m, const std::string& context,
                      const std::string& expected) const {
    char* end = nullptr;
    errno = 0;
    const double x = s.empty() ? 0.0 : std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || errno == ERANGE || !std::isfinite(x))
      fail_at(m, context, expected + ", got '" + s + "'");
    return x;
  }

  void check_range(const KeySpec& spec, double x, const std::string& s, const YAML::Mark& m,
                   const std::string& context) const {
    if (x < spec.min || x > spec.max || (spec.max_exclusive && x >= spec.max)) {
      std::ostringstream os;
      os << "must be in [" << spec.min << ", " << spec.max << (spec.max_exclusive ? ")" : "]") << ", got " << s;
      fail_at(m, context, os.str());
    }
  }

  // `search` or {search: [lo, hi]}: the loop picks the value. False when `node` is a plain value.
  bool read_open_knob(const KeySpec& spec, const YAML::Node& node, const std::string& context, OptionValue& v) const {
    if (node.IsScalar() && node.Scalar() == "search") {
      v.open = true;
      v.lo = spec.search_lo;
      v.hi = spec.search_hi;
      return true;
    }
    if (!node.IsMap()) return false;
    if (node.size() != 1 || !node.begin()->first.IsScalar() || node.begin()->first.Scalar() != "search")
      fail_at(node.Mark(), context, "a mapping here must be {search: [lo, hi]}");
    const YAML::Node range = node.begin()->second;
    if (!range.IsSequence() || range.size() != 2 || !range[0].IsScalar() || !range[1].IsScalar())
      fail_at(range.Mark().is_null() ? node.Mark() : range.Mark(), context, "search expects [lo, hi], two numbers");
    const std::string expected = "expected " + describe_type(spec);
    v.open = true;
    v.lo = parse_number(range[0].Scalar(), range[0].Mark(), context, expected);
    v.hi = parse_number(range[1].Scalar(), range[1].Mark(), context, expected);
    check_range(spec, v.lo, range[0].Scalar(), range[0].Mark(), context);
    check_range(spec, v.hi, range[1].Scalar(), range[1].Mark(), context);
    if (!(v.lo < v.hi)) fail_at(range.Mark(), context, "search range [lo, hi] needs lo < hi");
    return true;
  }

  static std::string unknown_choice(const std::string& s, const std::vector<std::string>& choices) {
    const std::string near = closest_word(s, choices);
    return "unknown value '" + s + "'" + (near.empty() ? "" : " (did you mean '" + near + "'?)") +
           "; expected one of " + quoted_list(choices);
  }

  // Reads a mapping's keys against `specs` into `out`; context names the mapping in errors.
  void read_mapping(const YAML::Node& map, const std::vector<KeySpec>& specs, const std::string& context,
                    const std::string& owner, std::map<std::string, OptionValue>& out,
                    std::map<std::string, std::pair<YAML::Node, YAML::Node>>* raw = nullptr) const {
    std::map<std::string, int> seen_line;
    for (auto it = map.begin(); it != map.end(); ++it) {
      const YAML::Node key = it->first;
      if (!key.IsScalar()) fail_at(key.Mark(), context, "keys must be plain names");
      const std::string k = key.Scalar();
      const std::string key_context = context + (context.empty() ? "" : ", ") + "key '" + k + "'";
      auto spec = std::find_if(specs.begin(), specs.end(), [&](const KeySpec& s) { return s.key == k; });
      if (spec == specs.end()) {
        const std::string near = closest_word(k, key_names(specs));
        fail_at(key.Mark(), context,
                "unknown key '" + k + "'" + (near.empty() ? "" : " (did you mean '" + near + "'?)") + "; keys of " +
                    owner + ": " + quoted_list(key_names(specs)));
      }
      if (auto dup = seen_line.find(k); dup != seen_line.end())
        fail_at(key.Mark(), key_context, "given twice (first on line " + std::to_string(dup->second) + ")");
      seen_line[k] = line_of(key);
      if (raw) {
        (*raw)[k] = {key, it->second};
        continue;
      }
      out[k] = read_value(*spec, key, it->second, key_context);
    }
    for (const KeySpec& s : specs)
      if (s.required && !seen_line.count(s.key))
        fail_at(map.Mark(), context, "missing key '" + s.key + "' (" + s.help + ")");
  }

  void read_top_level(const YAML::Node& root, Recipe& r) {
    std::map<std::string, std::pair<YAML::Node, YAML::Node>> raw;
    std::map<std::string, OptionValue> unused;
    read_mapping(root, recipe_keys(), "", "a recipe", unused, &raw);
    for (const auto& [k, nodes] : raw) {
      const auto& [key_node, node] = nodes;
      const KeySpec& spec =
          *std::find_if(recipe_keys().begin(), recipe_keys().end(), [&](const KeySpec& s) { return s.key == k; });
      if (k == "stages") continue;
      if (k == "search") {
        read_search(node, r.search);
        continue;
      }
      OptionValue v = read_value(spec, key_node, node, "key '" + k + "'");
      if (k == "name") r.name = v.text;
      if (k == "description") r.description = v.text;
      if (k == "max_drop") r.max_drop = v.number;
      if (k == "seed") r.seed = static_cast<int64_t>(v.number);
    }
    if (r.name.empty()) r.name = std::filesystem::path(source_).stem().string();
    const YAML::Node stages = raw.at("stages").second;
    if (!stages.IsSequence() || stages.size() == 0)
      fail_at(stages.IsNull() || stages.Mark().is_null() ? raw.at("stages").first.Mark() : stages.Mark(),
              "key 'stages'", "expected a list of stages (- prune: ..., - quantize: ..., ...)");
    for (size_t i = 0; i < stages.size(); ++i) r.stages.push_back(read_stage(stages[i], int(i) + 1));
  }

  void read_search(const YAML::Node& node, SearchSettings& s) const {
    if (!node.IsMap())
      fail_at(node.Mark(), "key 'search'", "expected a mapping of " + quoted_list(key_names(search_keys())));
    std::map<std::string, OptionValue> values;
    read_mapping(node, search_keys(), "search", "search", values);
    if (auto it = values.find("max_trials"); it != values.end()) s.max_trials = int64_t(it->second.number);
    if (auto it = values.find("finetune_epochs"); it != values.end()) s.finetune_epochs = int64_t(it->second.number);
    if (auto it = values.find("tolerance"); it != values.end()) s.tolerance = it->second.number;
  }

  Stage read_stage(const YAML::Node& item, int index) const {
    Stage st;
    st.index = index;
    st.line = line_of(item);
    const std::string where = "stage " + std::to_string(index);
    std::vector<std::string> kinds;
    for (const StageSpec& s : stage_specs()) kinds.push_back(stage_kind_name(s.kind));
    YAML::Node kind_node, options;
    if (item.IsScalar()) {
      kind_node = item;
    } else if (item.IsMap() && item.size() >= 1) {
      kind_node = item.begin()->first;
      options = item.begin()->second;
      if (item.size() > 1) {
        auto second = std::next(item.begin());
        fail_at(second->first.Mark(), where,
                "'" + second->first.Scalar() + "' sits beside '" + kind_node.Scalar() +
                    ":'; a stage's options are indented under its name (one stage per list item)");
      }
    } else {
      fail_at(item.Mark(), where, "expected a stage: one of " + quoted_list(kinds) + " (with its options under it)");
    }
    if (!kind_node.IsScalar()) fail_at(kind_node.Mark(), where, "a stage starts with its kind: " + quoted_list(kinds));
    const std::string kind = kind_node.Scalar();
    if (!parse_stage_kind(kind, st.kind)) {
      const std::string near = closest_word(kind, kinds);
      fail_at(kind_node.Mark(), where,
              "unknown stage '" + kind + "'" + (near.empty() ? "" : " (did you mean '" + near + "'?)") +
                  "; stages are " + quoted_list(kinds));
    }
    const StageSpec& spec = stage_spec(st.kind);
    const std::string context = st.label();
    if (options.IsDefined() && !options.IsNull()) {
      if (!options.IsMap())
        fail_at(options.Mark(), context, "options are a mapping (key: value lines under the stage)");
      read_mapping(options, spec.keys, context, "stage " + kind, st.options);
    } else {
      for (const KeySpec& k : spec.keys)
        if (k.required) fail_at(kind_node.Mark(), context, "missing key '" + k.key + "' (" + k.help + ")");
    }
    check_stage(st, kind_node.Mark());
    return st;
  }

  // A key that does not fit the others of its stage.
  [[noreturn]] void fail_key(const Stage& st, const std::string& key, const std::string& what) const {
    const int line = st.options.at(key).line;
    fail(source_, ":", line, ": ", st.label(), ", key '", key, "': ", what);
  }

  void check_stage(const Stage& st, const YAML::Mark& kind_mark) const {
    if (st.kind == StageKind::prune) {
      const std::string method = *st.text("method");
      const bool per_unit = method == "channel" || method == "unit" || method == "block";
      if (method == "nm") {
        if (!st.has("nm")) fail_at(kind_mark, st.label(), "method nm needs key 'nm' (the pattern, e.g. nm: 2:4)");
        if (st.has("sparsity")) fail_key(st, "sparsity", "method nm takes its sparsity from 'nm' (2:4 is 50 %)");
      } else {
        if (!st.has("sparsity")) fail_at(kind_mark, st.label(), "method " + method + " needs key 'sparsity'");
        if (st.has("nm")) fail_key(st, "nm", "applies to method nm only");
      }
      if (st.has("criterion") && !per_unit)
        fail_key(st, "criterion", "ranks channels, units or blocks: applies to methods channel, unit and block");
      if (st.has("allocation") && method != "magnitude" && method != "channel" && method != "unit")
        fail_key(st, "allocation", "spreads a target over layers: applies to methods magnitude, channel and unit");
      if (st.has("max_layer_sparsity") && method != "global-magnitude")
        fail_key(st, "max_layer_sparsity", "applies to method global-magnitude only");
      if (st.has("rounds") && st.text("schedule").value_or("oneshot") != "iterative")
        fail_key(st, "rounds", "applies to schedule iterative only");
    }
    if (st.kind == StageKind::quantize) {
      const std::string mode = *st.text("mode");
      const bool half = mode == "fp16" || mode == "bf16";
      const bool full_integer = mode == "int8" || mode == "uint8";
      if (st.has("group_size") && mode != "weight-int4") fail_key(st, "group_size", "applies to mode weight-int4 only");
      for (const char* k : {"calib_method", "calib_samples"})
        if (st.has(k) && !full_integer)
          fail_key(st, k, "calibrates activation ranges: applies to modes int8 and uint8 (mode here: " + mode + ")");
      for (const char* k : {"per_channel", "adaround", "equalize", "bias_correction"})
        if (st.has(k) && half) fail_key(st, k, "applies to integer modes, not " + mode);
    }
  }

  // Orders that cannot work: the seeds' order is prune -> fine-tune -> quantize -> QAT.
  void check_order(const Recipe& r) const {
    const Stage* quantize = nullptr;
    const Stage* exported = nullptr;
    for (const Stage& st : r.stages) {
      auto bad = [&](const std::string& what) { fail(source_, ":", st.line, ": ", st.label(), ": ", what); };
      if (exported) bad("comes after the export stage (" + exported->label() + "); export is the last stage");
      switch (st.kind) {
        case StageKind::prune:
          if (quantize)
            bad("prunes a model already quantized by " + quantize->label() +
                "; prune before quantizing (prune -> fine-tune -> quantize)");
          break;
        case StageKind::finetune:
          if (quantize)
            bad("a quantized model is not trained as it is (" + quantize->label() +
                " came before); use a qat stage to train through the quantizer");
          break;
        case StageKind::quantize:
          if (quantize) bad("a second quantize stage (the first is " + quantize->label() + "); quantize once");
          quantize = &st;
          break;
        case StageKind::qat: {
          if (!quantize)
            bad("QAT trains through a quantizer, but no quantize stage comes before it; add one (e.g. - quantize: "
                "{mode: int8}) ahead of it");
          const std::string mode = *quantize->text("mode");
          if (mode == "fp16" || mode == "bf16")
            bad("QAT needs an integer quantizer; " + quantize->label() + " uses mode " + mode);
          break;
        }
        case StageKind::export_model:
          exported = &st;
          break;
        case StageKind::evaluate:
          break;
      }
    }
  }

  std::string source_;
};

}  // namespace

std::optional<double> Stage::number(const std::string& key) const {
  auto it = options.find(key);
  if (it == options.end() || it->second.open) return std::nullopt;
  return it->second.number;
}

std::optional<int64_t> Stage::integer(const std::string& key) const {
  auto v = number(key);
  return v ? std::optional<int64_t>(static_cast<int64_t>(*v)) : std::nullopt;
}

std::optional<bool> Stage::flag(const std::string& key) const {
  auto it = options.find(key);
  return it == options.end() ? std::nullopt : std::optional<bool>(it->second.flag);
}

std::optional<std::string> Stage::text(const std::string& key) const {
  auto it = options.find(key);
  return it == options.end() ? std::nullopt : std::optional<std::string>(it->second.text);
}

std::vector<std::string> Stage::names(const std::string& key) const {
  auto it = options.find(key);
  return it == options.end() ? std::vector<std::string>{} : it->second.names;
}

const OptionValue* Stage::open_knob(const std::string& key) const {
  auto it = options.find(key);
  return it != options.end() && it->second.open ? &it->second : nullptr;
}

std::string Stage::label() const { return "stage " + std::to_string(index) + " '" + name() + "'"; }

std::vector<std::pair<size_t, std::string>> Recipe::open_knobs() const {
  std::vector<std::pair<size_t, std::string>> out;
  for (size_t i = 0; i < stages.size(); ++i)
    for (const auto& [key, v] : stages[i].options)
      if (v.open) out.push_back({i, key});
  return out;
}

Recipe parse_recipe(const std::string& yaml_text, const std::string& source) {
  return RecipeReader(source).read(yaml_text);
}

Recipe load_recipe(const std::string& name_or_path) {
  if (const BuiltinRecipe* b = find_builtin_recipe(name_or_path)) return parse_recipe(b->yaml, "builtin:" + b->name);
  std::error_code ec;
  if (!std::filesystem::exists(name_or_path, ec)) {
    std::string names;
    for (const BuiltinRecipe& b : builtin_recipes()) names += (names.empty() ? "" : ", ") + b.name;
    fail("recipe '", name_or_path, "': no such file, and no built-in recipe of that name (built-in: ", names, ")");
  }
  PRUNQ_CHECK(std::filesystem::is_regular_file(name_or_path, ec), "recipe '", name_or_path, "' is not a regular file");
  const std::vector<uint8_t> bytes = read_file(name_or_path);
  return parse_recipe(std::string(bytes.begin(), bytes.end()), name_or_path);
}

}  // namespace prunq::compress
