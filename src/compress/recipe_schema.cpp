#include "compress/recipe_schema.h"

#include <algorithm>
#include <sstream>

namespace prunq::compress {
namespace {

KeySpec integer(std::string key, double min, double max, std::string help) {
  KeySpec k;
  k.key = std::move(key);
  k.type = ValueType::integer;
  k.min = min;
  k.max = max;
  k.help = std::move(help);
  return k;
}

KeySpec number(std::string key, double min, double max, std::string help, bool max_exclusive = false) {
  KeySpec k;
  k.key = std::move(key);
  k.type = ValueType::number;
  k.min = min;
  k.max = max;
  k.max_exclusive = max_exclusive;
  k.help = std::move(help);
  return k;
}

KeySpec word(std::string key, std::vector<std::string> choices, std::string help) {
  KeySpec k;
  k.key = std::move(key);
  k.type = ValueType::word;
  k.choices = std::move(choices);
  k.help = std::move(help);
  return k;
}

KeySpec boolean(std::string key, std::string help) {
  KeySpec k;
  k.key = std::move(key);
  k.type = ValueType::boolean;
  k.help = std::move(help);
  return k;
}

KeySpec names(std::string key, std::string help, std::vector<std::string> choices = {}) {
  KeySpec k;
  k.key = std::move(key);
  k.type = ValueType::names;
  k.choices = std::move(choices);
  k.help = std::move(help);
  return k;
}

KeySpec text(std::string key, std::string help) {
  KeySpec k;
  k.key = std::move(key);
  k.type = ValueType::text;
  k.help = std::move(help);
  return k;
}

KeySpec section(std::string key, std::string help) {
  KeySpec k;
  k.key = std::move(key);
  k.type = ValueType::section;
  k.help = std::move(help);
  return k;
}

KeySpec ratio(std::string key, std::string help) {
  KeySpec k;
  k.key = std::move(key);
  k.type = ValueType::ratio;
  k.help = std::move(help);
  return k;
}

KeySpec required(KeySpec k) {
  k.required = true;
  return k;
}

KeySpec searchable(KeySpec k, double lo, double hi) {
  k.searchable = true;
  k.search_lo = lo;
  k.search_hi = hi;
  return k;
}

const std::vector<std::string> kOptimizers = {"adam", "adamw", "sgd"};

std::vector<StageSpec> build_specs() {
  std::vector<StageSpec> specs;
  specs.push_back(
      {StageKind::prune,
       "remove weights (unstructured, N:M) or whole channels / units / blocks, with a schedule",
       {required(word("method", {"magnitude", "global-magnitude", "random", "channel", "unit", "block", "nm"},
                      "what is removed: single weights by magnitude (per layer or one global threshold),\n"
                      "random weights (a baseline), conv channels, linear units, residual blocks, or N:M groups")),
        searchable(number("sparsity", 0, 1, "fraction removed (of weights, or of channels / units / blocks)", true),
                   0.5, 0.95),
        ratio("nm", "the N:M pattern for method nm: N weights kept in every M (\"2:4\")"),
        word("criterion", {"l1", "l2", "bn-gamma", "taylor"}, "importance of a channel / unit / block"),
        word("allocation", {"uniform", "sensitivity"},
             "how a per-layer method spreads the target over layers: the same fraction each, or\n"
             "from each layer's measured sensitivity (less where accuracy suffers most)"),
        number("max_layer_sparsity", 0, 1, "cap on any one layer's sparsity (global-magnitude)", true),
        names("exclude", "layers left dense, by name"),
        word("schedule", {"oneshot", "iterative", "gradual"},
             "prune at once then fine-tune, in rounds of prune + fine-tune, or gradually (cubic) while training"),
        integer("rounds", 1, 100, "prune + fine-tune rounds (schedule iterative)"),
        integer("epochs", 0, 1000, "training epochs of the schedule (after a one-shot cut, per round, or\n"
                                   "over which a gradual schedule ramps)"),
        number("lr", 1e-12, 10, "learning rate while the schedule trains")}});
  specs.push_back({StageKind::finetune,
                   "train the current model further (recovers accuracy after pruning)",
                   {required(integer("epochs", 1, 1000, "training epochs")),
                    number("lr", 1e-12, 10, "base learning rate"),
                    word("optimizer", kOptimizers, "optimiser"),
                    word("schedule", {"cosine", "step", "constant"}, "learning-rate schedule"),
                    integer("batch_size", 1, 65536, "mini-batch size"),
                    number("weight_decay", 0, 10, "weight decay")}});
  KeySpec group_size = integer("group_size", 32, 128, "weights per scale for weight-int4 (per group)");
  group_size.choices = {"32", "64", "128"};
  specs.push_back(
      {StageKind::quantize,
       "post-training quantization: weight-only int8 / int4, full-integer int8, or fp16 / bf16",
       {required(word("mode", {"int8", "uint8", "weight-int8", "weight-int4", "fp16", "bf16"},
                      "full-integer int8 (int8 or uint8 activations), weight-only int8 / int4, or half precision")),
        boolean("per_channel", "one weight scale per output channel (else one per tensor)"),
        group_size,
        word("calib_method", {"minmax", "ema", "percentile", "entropy", "mse"}, "how activation ranges are calibrated"),
        integer("calib_samples", 1, 10000000, "calibration images"),
        boolean("equalize", "cross-layer equalisation before quantizing (depthwise networks)"),
        boolean("bias_correction", "empirical bias correction after quantizing"),
        boolean("adaround", "learned weight rounding (AdaRound)"),
        names("exclude", "layers kept in float, by name"),
        boolean("auto_exclude", "keep the most sensitive layers in float until the accuracy budget fits\n"
                                "(per-layer precision left to the loop)")}});
  specs.push_back({StageKind::qat,
                   "quantization-aware training through the quantizer of the quantize stage before it",
                   {required(integer("epochs", 1, 1000, "training epochs")),
                    number("lr", 1e-12, 10, "base learning rate"),
                    word("optimizer", kOptimizers, "optimiser"),
                    boolean("lsq", "learn the quantization step sizes (LSQ)"),
                    word("bn", {"fold", "freeze"}, "batch norm during QAT: folded into the weights or frozen")}});
  specs.push_back({StageKind::evaluate,
                   "measure the model here: accuracy, bytes, parameters, MACs, latency, per-layer kernels",
                   {word("split", {"test", "train"}, "the dataset split whose accuracy is measured"),
                    integer("samples", 1, 100000000, "measure on the first N images only")}});
  specs.push_back({StageKind::export_model,
                   "write the compressed model (the last stage)",
                   {names("formats", "file formats written", {"prunq", "onnx"})}});
  return specs;
}

}  // namespace

const char* stage_kind_name(StageKind k) {
  switch (k) {
    case StageKind::prune: return "prune";
    case StageKind::finetune: return "finetune";
    case StageKind::quantize: return "quantize";
    case StageKind::qat: return "qat";
    case StageKind::evaluate: return "evaluate";
    case StageKind::export_model: return "export";
  }
  return "?";
}

const KeySpec* StageSpec::find(const std::string& key) const {
  for (const KeySpec& k : keys)
    if (k.key == key) return &k;
  return nullptr;
}

const std::vector<StageSpec>& stage_specs() {
  static const std::vector<StageSpec> specs = build_specs();
  return specs;
}

const StageSpec& stage_spec(StageKind kind) {
  for (const StageSpec& s : stage_specs())
    if (s.kind == kind) return s;
  return stage_specs().front();  // unreachable: every kind has a spec
}

bool parse_stage_kind(const std::string& name, StageKind& out) {
  for (const StageSpec& s : stage_specs()) {
    if (name == stage_kind_name(s.kind)) {
      out = s.kind;
      return true;
    }
  }
  return false;
}

const std::vector<KeySpec>& recipe_keys() {
  static const std::vector<KeySpec> keys = {
      text("name", "the recipe's name"),
      text("description", "one line on what it does"),
      number("max_drop", 0, 100, "accuracy budget: points below the input model (--max-drop overrides)"),
      integer("seed", 0, 1e15, "seed for every random choice of the run (--seed overrides)"),
      section("search", "how open knobs are searched (the keys below)"),
      required(section("stages", "the stages, in order: a list of `- KIND:` items with their keys")),
  };
  return keys;
}

const std::vector<KeySpec>& search_keys() {
  static const std::vector<KeySpec> keys = {
      integer("max_trials", 1, 1000, "tries per open knob"),
      integer("finetune_epochs", 0, 1000, "fine-tuning epochs before each try is measured"),
      number("tolerance", 1e-6, 1, "stop once the searched interval is this narrow"),
  };
  return keys;
}

std::string describe_type(const KeySpec& k) {
  std::ostringstream os;
  auto list = [&os](const std::vector<std::string>& words) {
    for (size_t i = 0; i < words.size(); ++i) os << (i ? ", " : "") << words[i];
  };
  switch (k.type) {
    case ValueType::integer:
      if (!k.choices.empty()) {
        os << "one of ";
        list(k.choices);
      } else {
        os << "an integer in [" << k.min << ", " << k.max << "]";
      }
      break;
    case ValueType::number: os << "a number in [" << k.min << ", " << k.max << (k.max_exclusive ? ")" : "]"); break;
    case ValueType::boolean: os << "true or false"; break;
    case ValueType::word:
      os << "one of ";
      list(k.choices);
      break;
    case ValueType::text: os << "a string"; break;
    case ValueType::names:
      os << "a list of ";
      if (k.choices.empty()) {
        os << "names";
      } else {
        list(k.choices);
      }
      break;
    case ValueType::ratio: os << "N:M with 0 < N < M <= 32"; break;
    case ValueType::section: os << "a block"; break;
  }
  if (k.searchable) os << ", or {search: [lo, hi]} to leave it to the loop";
  return os.str();
}

std::string closest_word(const std::string& word, const std::vector<std::string>& candidates) {
  auto distance = [](const std::string& a, const std::string& b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      size_t diag = row[0];
      row[0] = i;
      for (size_t j = 1; j <= b.size(); ++j) {
        size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
        diag = up;
      }
    }
    return row[b.size()];
  };
  std::string best;
  size_t best_d = 3;
  for (const std::string& c : candidates) {
    size_t d = distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  if (best.empty() && word.size() >= 3) {
    for (const std::string& c : candidates)
      if (c.rfind(word, 0) == 0) return c;
  }
  return best;
}

}  // namespace prunq::compress
