// prunq prune MODEL --method M [--sparsity S] -o OUT: prunes a model file (post-pruning), with an
// optional schedule and fine-tuning on a dataset, and prints per layer the sparsity, parameters,
// MACs and bytes before and after. Thin over src/prune: the methods are
//   magnitude         |w| within each layer, every layer to S       (--criterion l1|l2|taylor)
//   global-magnitude  one |w| threshold across layers, S over all   (--criterion l1|l2|taylor)
//   random            random weights within each layer (the baseline)
//   nm                N:M semi-structured (--nm 2:4), S not used
//   channel           Conv filters removed (S of every dependency group), the model shrinks
//   unit              Linear units (neurons) removed, the model shrinks
//   block             S of the removable residual blocks / layers removed, the graph rewired
// Unstructured methods: --criterion taylor ranks single weights by |dL/dw * w| on the training
// data (first-order Taylor, SNIP's connection sensitivity); l1 and l2 rank them alike, by |w|.
// Structured methods (src/prune/structured.h): l1, l2, bn-gamma or taylor importance.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "core/thread_pool.h"
#include "io/json/json_file.h"
#include "prune/criteria.h"
#include "prune/mask.h"
#include "prune/nm.h"
#include "prune/prune_report.h"
#include "prune/prune_schedule.h"
#include "prune/sensitivity.h"
#include "prune/sensitivity_json.h"
#include "prune/structured.h"
#include "prunq/commands.h"
#include "prunq/datasets.h"
#include "prunq/model_files.h"

namespace prunq::cli {
namespace {

struct PruneArgs {
  std::string model, out, method, criterion = "l1", nm = "2:4", schedule = "oneshot", data, allocation, json;
  double sparsity = -1, max_layer_sparsity = 1.0, threshold = 0;
  int64_t rounds = 3, finetune_epochs = 0, prune_every = 0, patience = 3, limit = 0, test_limit = 0, seed = 0;
  int64_t score_batches = 10, round_to = 1;
  std::vector<std::string> keep_dense, layer_sparsity;
  bool threshold_absolute = false, no_progress = false;
  TrainConfig cfg;
  std::string optimizer = "adam";
  float momentum = 0.9f;
  int threads = 0;
};

void declare(CommandLine& cl, PruneArgs& a) {
  cl.describe(
        "Prunes a model file and saves the result (masks included, so later training keeps it).\n"
        "Methods: magnitude (each layer to S), global-magnitude (one threshold over all layers),\n"
        "random (baseline), nm (N:M semi-structured); structured, the model shrinks: channel\n"
        "(Conv filters), unit (neurons), block (residual blocks / layers). Schedules: oneshot (prune, then fine-tune\n"
        "N epochs), iterative (R rounds of prune -> fine-tune N epochs, the same share of what\n"
        "is left each round), gradual (N epochs of training while the sparsity climbs along\n"
        "Zhu & Gupta's cubic), threshold (N epochs of training removing weights that stay under\n"
        "--threshold). Fine-tuning and evaluation use --data (training and test split).")
      .synopsis("MODEL --method M [--sparsity S] -o OUT [options]")
      .epilog(
          "examples:\n"
          "  prunq prune fmnist-cnn.prunq --method global-magnitude --sparsity 0.9 --data fashion-mnist \\\n"
          "      --finetune-epochs 3 -o fmnist-cnn-90.prunq\n"
          "  prunq prune fmnist-cnn.prunq --method nm --nm 2:4 --data fashion-mnist --finetune-epochs 2 -o cnn-24.prunq\n"
          "  prunq sensitivity fmnist-cnn.prunq --data fashion-mnist --json sens.json\n"
          "  prunq prune fmnist-cnn.prunq --method magnitude --sparsity 0.9 --allocation sens.json -o cnn.prunq");
  cl.positional("MODEL", a.model, "model file (.prunq or .onnx)");
  cl.choice("--method", a.method, {"magnitude", "global-magnitude", "random", "nm", "channel", "unit", "block"},
            "pruning method")
      ->required();
  cl.option("--sparsity", a.sparsity, "S",
            "fraction of the prunable weights removed (channel, unit: of each group's\n"
            "channels; block: of the removable blocks)",
            0.0, 1.0);
  cl.option("-o", a.out, "OUT", "output model (.prunq or .onnx)")->required();
  cl.choice("--criterion", a.criterion, {"l1", "l2", "bn-gamma", "taylor"},
            "importance (bn-gamma: structured methods only)")
      ->capture_default_str();
  cl.option("--round-to", a.round_to, "K", "channel, unit: kept counts rounded up to a multiple of K", 1, 1 << 16);
  cl.option("--nm", a.nm, "N:M", "pattern for --method nm")->capture_default_str();
  cl.choice("--schedule", a.schedule, {"oneshot", "iterative", "gradual", "threshold"}, "when to prune")
      ->capture_default_str();
  cl.option("--rounds", a.rounds, "R", "iterative: prune -> fine-tune rounds", 1, 1000)->capture_default_str();
  cl.option("--finetune-epochs", a.finetune_epochs, "N",
            "epochs of training after each pruning step (gradual, threshold: in all)", 0, 100000)
      ->capture_default_str();
  cl.option("--prune-every", a.prune_every, "K", "gradual: steps between pruning events (default: ~20 events)", 1);
  cl.option("--threshold", a.threshold, "T",
            "threshold: remove weights under T standard deviations of their layer", 0.0, 1e6);
  cl.flag("--threshold-absolute", a.threshold_absolute, "threshold: T is an absolute magnitude");
  cl.option("--patience", a.patience, "P", "threshold: checks a weight must stay under T", 1, 1 << 20)
      ->capture_default_str();
  cl.repeated("--keep-dense", a.keep_dense, "LAYER", "leave this layer dense (node or weight name, '*' globs)");
  cl.option("--max-layer-sparsity", a.max_layer_sparsity, "X", "no layer loses more than this fraction", 0.0, 1.0);
  cl.repeated("--layer-sparsity", a.layer_sparsity, "LAYER=S", "this layer gets exactly S (the others share the rest)");
  cl.option("--allocation", a.allocation, "FILE",
            "magnitude methods: per-layer sparsities for S allocated from a 'prunq sensitivity --json' report");
  cl.option("--data", a.data, "D", "dataset for fine-tuning, taylor and evaluation");
  cl.option("--limit", a.limit, "N", "use the first N training images only", 1);
  cl.option("--test-limit", a.test_limit, "N", "evaluate on the first N test images only", 1);
  cl.option("--score-batches", a.score_batches, "B", "taylor: batches of 128 the gradient is averaged over", 1, 1 << 20)
      ->capture_default_str();
  cl.option("--lr", a.cfg.optimizer.lr, "X", "fine-tuning learning rate, cosine decay (default 1e-3)", 1e-12, 100.0);
  cl.option("--batch-size", a.cfg.batch_size, "B", "fine-tuning batch size", 1, 1 << 20)->capture_default_str();
  cl.choice("--optimizer", a.optimizer, {"adam", "adamw", "sgd"}, "fine-tuning optimiser")->capture_default_str();
  cl.option("--momentum", a.momentum, "M", "sgd momentum (default 0.9)", 0.0, 1.0);
  cl.option("--weight-decay", a.cfg.optimizer.weight_decay, "W", "fine-tuning weight decay (default 0)", 0.0, 10.0);
  cl.option("--seed", a.seed, "S", "seed for random pruning, taylor batches and shuffling", 0)->capture_default_str();
  cl.option("--threads", a.threads, "T", "worker threads (default: PRUNQ_NUM_THREADS or all cores)", 1, 1024);
  cl.option("--json", a.json, "FILE", "also write the report (stages, layers, totals) as JSON");
  cl.flag("--no-progress", a.no_progress, "no progress bars on stderr");
}

// "fc1=0.5" -> ("fc1", 0.5).
std::pair<std::string, double> layer_fraction(const std::string& s, const CommandLine& cl) {
  const size_t eq = s.rfind('=');
  if (eq == std::string::npos || eq == 0) cl.usage_error("--layer-sparsity wants LAYER=S, got '" + s + "'");
  const std::string num = s.substr(eq + 1);
  char* end = nullptr;
  const double v = std::strtod(num.c_str(), &end);
  if (num.empty() || *end != '\0' || !std::isfinite(v) || v < 0 || v > 1)
    cl.usage_error("--layer-sparsity " + s + ": S must be a number in [0, 1]");
  return {s.substr(0, eq), v};
}

bool is_structured(const std::string& method) { return method == "channel" || method == "unit" || method == "block"; }

// The option combinations that do not fit, found before any work is done.
void check_combination(const PruneArgs& a, const CommandLine& cl) {
  const bool nm = a.method == "nm", threshold = a.schedule == "threshold";
  if (is_structured(a.method)) {
    if (a.schedule != "oneshot" && a.schedule != "iterative")
      cl.usage_error("--method " + a.method + " changes the model's shape: --schedule oneshot or iterative");
    if (a.sparsity >= 1) cl.usage_error("--method " + a.method + " keeps something: --sparsity must be below 1");
    for (const char* o : {"--max-layer-sparsity", "--layer-sparsity", "--allocation", "--score-batches"})
      if (cl.given(o)) cl.usage_error(std::string(o) + " applies to the unstructured methods");
  } else {
    if (a.criterion == "bn-gamma") cl.usage_error("--criterion bn-gamma applies to channel, unit and block");
    if (cl.given("--round-to")) cl.usage_error("--round-to applies to channel and unit");
  }
  if (a.method == "block" && cl.given("--round-to")) cl.usage_error("--round-to applies to channel and unit");
  if (!nm && !threshold && !cl.given("--sparsity")) cl.usage_error("--method " + a.method + " needs --sparsity S");
  if ((nm || threshold) && cl.given("--sparsity"))
    cl.usage_error(nm ? "--method nm sets its sparsity by --nm, not --sparsity"
                      : "--schedule threshold removes what stays under --threshold; --sparsity does not apply");
  if (nm && a.schedule != "oneshot") cl.usage_error("--method nm prunes once (--schedule oneshot)");
  if (cl.given("--nm") && !nm) cl.usage_error("--nm applies to --method nm only");
  if (a.method == "random" && cl.given("--criterion")) cl.usage_error("--method random takes no --criterion");
  if (threshold != cl.given("--threshold"))
    cl.usage_error(threshold ? "--schedule threshold needs --threshold T" : "--threshold applies to --schedule threshold");
  if (cl.given("--rounds") && a.schedule != "iterative") cl.usage_error("--rounds applies to --schedule iterative");
  if (cl.given("--prune-every") && a.schedule != "gradual") cl.usage_error("--prune-every applies to --schedule gradual");
  if ((a.schedule == "gradual" || threshold) && a.finetune_epochs < 1)
    cl.usage_error("--schedule " + a.schedule + " prunes while training: give --finetune-epochs N (N >= 1)");
  if (!cl.given("--data") && (a.finetune_epochs > 0 || a.criterion == "taylor"))
    cl.usage_error(a.criterion == "taylor" ? "--criterion taylor needs --data D" : "fine-tuning needs --data D");
  if (!a.allocation.empty() && a.method != "magnitude" && a.method != "global-magnitude")
    cl.usage_error("--allocation applies to the magnitude methods");
  if (!a.allocation.empty() && !a.layer_sparsity.empty())
    cl.usage_error("--allocation and --layer-sparsity both set per-layer sparsities; give one");
  if (cl.given("--momentum") && a.optimizer != "sgd") cl.usage_error("--momentum applies to --optimizer sgd only");
}

Json eval_json(const EvalResult& r) { return {{"accuracy", r.accuracy}, {"loss", r.loss}, {"samples", r.samples}}; }

Json figures_json(const LayerFigures& f) {
  return {{"params", f.params}, {"nonzero", f.nonzero}, {"macs", f.macs}, {"bytes", f.bytes}};
}

Json layer_json(const LayerComparison& l) {
  return {{"layer", l.layer},
          {"op", l.op},
          {"removed", l.removed},
          {"sparsity_before", l.sparsity_before()},
          {"sparsity_after", l.sparsity_after()},
          {"before", figures_json(l.before)},
          {"after", figures_json(l.after)}};
}

int64_t file_bytes(const std::string& path) {
  std::error_code ec;
  const auto n = std::filesystem::file_size(path, ec);
  return ec ? -1 : static_cast<int64_t>(n);
}

std::string mb(int64_t bytes) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f MB", double(bytes) / 1e6);
  return b;
}

}  // namespace

int cmd_prune(CommandLine& cl) {
  PruneArgs a;
  declare(cl, a);
  cl.parse();
  check_combination(a, cl);
  std::vector<std::pair<std::string, double>> fixed;  // --layer-sparsity, checked before any work
  for (const std::string& s : a.layer_sparsity) fixed.push_back(layer_fraction(s, cl));
  if (a.threads > 0) set_num_threads(a.threads);
  if (model_format_of(a.out) == ModelFormat::onnx && !onnx_available())
    fail(a.out, ": this prunq was built without ONNX support; save as .prunq");

  Graph model = load_model_file(a.model);
  const Graph original = model.clone();
  Dataset train, test;
  if (!a.data.empty()) {
    train = load_dataset_split(a.data, "train", a.limit);
    test = load_dataset_split(a.data, "test", a.test_limit);
  }
  const Dataset* train_data = a.data.empty() ? nullptr : &train;
  const Dataset* test_data = a.data.empty() ? nullptr : &test;

  TrainConfig tc = a.cfg;
  tc.seed = static_cast<uint64_t>(a.seed);
  tc.optimizer.kind = a.optimizer;
  if (a.optimizer == "sgd") tc.optimizer.momentum = a.momentum;
  tc.progress = !a.no_progress;

  // The target, with the per-layer sparsities given or allocated from a sensitivity report.
  SparsityTarget target;
  target.sparsity = a.sparsity < 0 ? 0 : a.sparsity;
  target.scope = a.method == "global-magnitude" ? PruneScope::kGlobal : PruneScope::kLayer;
  target.max_layer_sparsity = a.max_layer_sparsity;
  target.layer_sparsity = fixed;
  SparsityAllocation allocation;
  if (!a.allocation.empty()) {
    allocation = allocate_sparsity(sensitivity_from_json(read_json_file(a.allocation), a.allocation), target.sparsity,
                                   a.max_layer_sparsity);
    for (const LayerAllocation& l : allocation.layers) target.layer_sparsity.push_back({l.layer, l.sparsity});
    std::cout << format_allocation(allocation);
  }
  const bool structured = is_structured(a.method);
  const std::vector<PrunableWeight> pool = structured ? find_prunable_weights(model) : select_prunable(model, a.keep_dense);
  if (pool.empty()) fail("prune: ", a.model, " has no prunable weight (Conv / Gemm / MatMul) left to prune");
  if (!structured) validate_target(target, pool);

  GradientScoreOptions score_options;
  score_options.batches = a.score_batches;
  score_options.seed = tc.seed;
  auto scores_of = [&](Graph& g) {
    if (a.method == "random") return random_scores(pool, tc.seed);
    if (a.criterion == "taylor") return snip_scores(g, pool, *train_data, score_options);
    return magnitude_scores(g, pool);
  };
  SparsityPruner pruner;
  std::vector<StructuredPruneReport> structured_reports;
  double structured_done = 0;  // the share of units removed by earlier rounds
  if (structured) {
    int64_t original_weights = 0;
    for (const PrunableWeight& w : pool) original_weights += w.numel();
    StructuredPruneOptions po;
    po.method = parse_structured_method(a.method);
    po.criterion = parse_importance_criterion(a.criterion);
    po.exclude = a.keep_dense;
    po.round_to = a.round_to;
    po.data = train_data;
    pruner = [&, po, original_weights](Graph& g, double s) mutable {
      // Each round cuts the share of what is left that brings the total to s.
      po.ratio = structured_done >= 1 ? 0 : std::max(0.0, 1.0 - (1.0 - s) / (1.0 - structured_done));
      structured_reports.push_back(prune_structured(g, po));
      structured_done = s;
      std::cout << format_structured_report(structured_reports.back());
      // The weights gone, as a share of the prunable weights the model started with.
      PruneResult r;
      r.numel = original_weights;
      int64_t left = 0;
      for (const PrunableWeight& w : find_prunable_weights(g)) {
        r.pruned += pruned_count(*g.initializer(w.weight));
        left += w.numel();
      }
      r.pruned += original_weights - left;
      return r;
    };
  } else if (a.method == "nm") {
    const NmPattern pattern = parse_nm_pattern(a.nm);
    pruner = [&, pattern](Graph& g, double) {
      const ScoreMap s = scores_of(g);
      return prune_nm(g, pool, pattern, &s);
    };
  } else {
    pruner = [&](Graph& g, double s) { return prune_by_scores(g, pool, scores_of(g), ramped_target(target, s)); };
  }

  PruneScheduleOptions so;
  so.kind = parse_prune_schedule(a.schedule);
  so.sparsity = target.sparsity;
  so.rounds = a.rounds;
  so.finetune_epochs = a.finetune_epochs;
  so.prune_every = a.prune_every;
  so.threshold.threshold = static_cast<float>(a.threshold);
  so.threshold.relative_to_std = !a.threshold_absolute;
  so.threshold.patience = a.patience;
  so.threshold.max_layer_sparsity = std::min(a.max_layer_sparsity, 0.99);

  char goal[64] = "";
  if (a.method == "nm") std::snprintf(goal, sizeof goal, " %s", a.nm.c_str());
  else if (a.schedule != "threshold") std::snprintf(goal, sizeof goal, " to %.2f%%", 100.0 * target.sparsity);
  std::fprintf(stderr, "prunq: pruning %s: %s%s, %s schedule, %lld fine-tune epochs, %d threads\n", a.model.c_str(),
               a.method.c_str(), goal, a.schedule.c_str(), static_cast<long long>(a.finetune_epochs), num_threads());
  EvalResult dense;
  if (test_data) {
    dense = evaluate_model(model, *test_data, tc.eval_batch_size, tc.progress);
    std::printf("before: test accuracy %.2f%%  loss %.4f\n", 100.0 * dense.accuracy, dense.loss);
  }
  const std::vector<PruneStage> stages = run_prune_schedule(model, pruner, pool, so, tc, train_data, test_data);
  for (const PruneStage& st : stages) {
    std::printf("%s: sparsity %.2f%%", st.what.c_str(), 100.0 * st.pruned.sparsity());
    if (st.evaluated) {
      const bool trained_after = so.kind == PruneScheduleKind::kOneShot || so.kind == PruneScheduleKind::kIterative;
      if (trained_after) std::printf(" | pruned %.2f%%", 100.0 * st.after_prune.accuracy);
      if (st.epochs > 0) std::printf(" | after %lld epochs %.2f%%", static_cast<long long>(st.epochs), 100.0 * st.after_training.accuracy);
    }
    if (st.pruning_events > 1) std::printf(" | %lld pruning events", static_cast<long long>(st.pruning_events));
    std::printf("\n");
  }

  save_model_file(model, a.out);
  const PruneComparison cmp = compare_pruning(original, model);
  std::cout << format_prune_comparison(cmp);
  const int64_t in_bytes = file_bytes(a.model), out_bytes = file_bytes(a.out);
  std::printf("saved %s: file %s -> %s", a.out.c_str(), mb(in_bytes).c_str(), mb(out_bytes).c_str());
  if (test_data) std::printf(", test accuracy %.2f%% (before %.2f%%)", 100.0 * stages.back().after_training.accuracy,
                             100.0 * dense.accuracy);
  std::printf("\n");

  if (!a.json.empty()) {
    Json st = Json::array();
    for (const PruneStage& s : stages) {
      Json row = {{"stage", s.what}, {"target", s.target}, {"sparsity", s.pruned.sparsity()},
                  {"epochs", s.epochs}, {"pruning_events", s.pruning_events}};
      if (s.evaluated) {
        row["after_prune"] = eval_json(s.after_prune);
        row["after_training"] = eval_json(s.after_training);
      }
      st.push_back(row);
    }
    Json layers = Json::array();
    for (const LayerComparison& l : cmp.layers) layers.push_back(layer_json(l));
    Json j = {{"model", a.model},  {"output", a.out},        {"method", a.method},
              {"criterion", a.method == "random" ? "random" : a.criterion},
              {"schedule", a.schedule}, {"target", target.sparsity},
              {"sparsity", stages.back().pruned.sparsity()}, {"stages", st},
              {"layers", layers}, {"totals", layer_json(cmp.total)},
              {"file_bytes", {{"before", in_bytes}, {"after", out_bytes}}}};
    if (a.method == "nm") j["nm"] = a.nm;
    if (test_data) {
      j["before"] = eval_json(dense);
      j["after"] = eval_json(stages.back().after_training);
    }
    if (!a.allocation.empty()) j["allocation"] = allocation_to_json(allocation);
    if (structured) {
      Json rounds = Json::array();
      for (const StructuredPruneReport& r : structured_reports) {
        Json groups = Json::array();
        for (const PrunedGroup& g : r.groups)
          groups.push_back({{"group", g.name}, {"pruned", g.pruned}, {"channels_before", g.channels_before},
                            {"channels_after", g.channels_after}, {"criterion", g.criterion},
                            {"skipped_because", g.skipped_because}});
        Json blocks = Json::array();
        for (const RemovedBlock& b : r.removed_blocks)
          blocks.push_back({{"block", b.name}, {"kind", b.kind}, {"params", b.params}, {"importance", b.importance}});
        rounds.push_back({{"criterion", r.criterion}, {"groups", groups}, {"removed_blocks", blocks},
                          {"params_before", r.params_before}, {"params_after", r.params_after},
                          {"macs_before", r.macs_before}, {"macs_after", r.macs_after}});
      }
      j["structured"] = rounds;
    }
    write_json_file(a.json, j);
  }
  return 0;
}

}  // namespace prunq::cli
