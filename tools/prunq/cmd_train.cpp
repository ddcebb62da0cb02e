// prunq train: builds a zoo model (or loads one with --from), trains it on an IDX dataset with
// a progress bar, evaluates the test split after every epoch and saves the model atomically
// (.prunq, or .onnx by extension). Zoo models get the training set's input normalisation built
// in (see input_normalization.h), so the saved model takes raw pixels. --prune-at-init prunes the
// model before the first step (pre-pruning); its masks hold through the training.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <tuple>

#include "core/error.h"
#include "core/thread_pool.h"
#include "io/json/json_file.h"
#include "models/zoo.h"
#include "prunq/commands.h"
#include "prunq/datasets.h"
#include "prunq/input_normalization.h"
#include "prunq/model_files.h"
#include "prune/unstructured.h"
#include "train/trainer.h"

namespace prunq::cli {
namespace {

std::string known_archs() {
  std::string s;
  for (const std::string& n : model_names()) s += (s.empty() ? "" : ", ") + n;
  return s;
}

// Everything `prunq train` reads from its command line.
struct TrainArgs {
  std::string arch, data, out, from, metrics, optimizer = "adam", schedule = "cosine";
  TrainConfig cfg;
  float momentum = 0.9f;
  int64_t seed = 0, limit = 0, test_limit = 0, val_split = 0;
  int threads = 0;
  bool no_progress = false;
  // Pruning before training (at initialisation).
  std::string prune_at_init, prune_scope = "global";
  double sparsity = 0;
};

void declare(CommandLine& cl, TrainArgs& a) {
  cl.describe(
        "Trains a classifier from the model zoo (or a model file given with --from) on an\n"
        "IDX dataset, evaluates it on the test split after every epoch and saves it.\n"
        "Default recipe: Adam, lr 1e-3 with cosine decay, batch 128, 3 epochs, seed 0.")
      .synopsis("--arch A --data D [--epochs N] [-o MODEL] [options]")
      .epilog("example:\n  prunq train --arch fmnist-cnn --data fashion-mnist --epochs 3 -o fmnist-cnn.prunq");
  cl.option("--arch", a.arch, "A", "model architecture: " + known_archs());
  cl.option("--data", a.data, "D", "dataset: 'fashion-mnist' or an IDX folder/file")->required();
  cl.option("--epochs", a.cfg.epochs, "N", "training epochs", 0, 100000)->capture_default_str();
  cl.option("-o", a.out, "MODEL", "output model: .prunq (native) or .onnx (default <arch>.prunq)");
  cl.option("--batch-size", a.cfg.batch_size, "B", "mini-batch size", 1, 1 << 20)->capture_default_str();
  cl.option("--lr", a.cfg.optimizer.lr, "X", "base learning rate (default 1e-3)", 1e-12, 100.0);
  cl.choice("--optimizer", a.optimizer, {"adam", "adamw", "sgd"}, "optimiser")->capture_default_str();
  cl.option("--momentum", a.momentum, "M", "sgd momentum (default 0.9)", 0.0, 1.0);
  cl.option("--weight-decay", a.cfg.optimizer.weight_decay, "W",
            "L2 (sgd, adam) or decoupled (adamw) weight decay (default 0)", 0.0, 10.0);
  cl.choice("--schedule", a.schedule, {"cosine", "step", "constant"}, "learning-rate schedule")
      ->capture_default_str();
  cl.option("--seed", a.seed, "S", "seed for initialisation and shuffling", 0)->capture_default_str();
  cl.option("--threads", a.threads, "T", "worker threads (default: PRUNQ_NUM_THREADS or all cores)", 1, 1024);
  cl.option("--from", a.from, "MODEL",
            "start from this model file (.prunq or .onnx) instead of a fresh\n"
            "--arch model (fine-tuning); --arch then only names the run");
  cl.option("--val-split", a.val_split, "N", "hold out the last N training images as a validation set", 1);
  cl.option("--limit", a.limit, "N", "train on the first N training images only (quick runs, tests)", 1);
  cl.option("--test-limit", a.test_limit, "N", "evaluate on the first N test images only", 1);
  cl.option("--metrics", a.metrics, "FILE", "also write the run's figures (per epoch and final) as JSON");
  cl.flag("--no-progress", a.no_progress, "no progress bars on stderr (epoch summaries are still printed)");
  cl.choice("--prune-at-init", a.prune_at_init, {"random", "magnitude", "snip", "synflow"},
            "prune the model before training: random, |w|, SNIP connection\n"
            "sensitivity (on training batches) or SynFlow (data-free); masks hold while training");
  cl.option("--sparsity", a.sparsity, "S", "--prune-at-init: fraction of the prunable weights removed", 0.0, 1.0);
  cl.choice("--prune-scope", a.prune_scope, {"global", "layer"},
            "--prune-at-init: one ranking across layers or S in every layer")
      ->capture_default_str();
}

// --prune-at-init: prunes the fresh model in place; the result goes into --metrics.
Json prune_at_init(Graph& model, const TrainArgs& a, const Dataset& train) {
  UnstructuredOptions o;
  o.criterion = parse_unstructured_criterion(a.prune_at_init);
  o.target.sparsity = a.sparsity;
  o.target.scope = parse_prune_scope(a.prune_scope);
  o.seed = static_cast<uint64_t>(a.seed);
  o.data = &train;
  const PruneResult r = prune_unstructured(model, o);
  std::fprintf(stderr, "prunq: pruned at initialisation by %s (%s): %.2f%% of %lld weights\n%s", a.prune_at_init.c_str(),
               a.prune_scope.c_str(), 100.0 * r.sparsity(), static_cast<long long>(r.numel),
               format_prune_result(r).c_str());
  Json layers = Json::array();
  for (const LayerPruneResult& l : r.layers)
    layers.push_back({{"layer", l.layer}, {"weights", l.numel}, {"sparsity", l.sparsity()}});
  return {{"criterion", a.prune_at_init}, {"scope", a.prune_scope}, {"sparsity", r.sparsity()}, {"layers", layers}};
}

// Evaluates the test split after each epoch and prints a one-line summary per epoch.
class EpochReporter : public TrainCallback {
 public:
  EpochReporter(const Dataset& test, int64_t epochs, bool progress) : test_(test), epochs_(epochs), progress_(progress) {}

  void on_epoch_end(Trainer& t, const EpochStats& s) override {
    EvalResult test = evaluate_model(t.model(), test_, t.config().eval_batch_size, progress_);
    std::fprintf(stderr, "epoch %lld/%lld: train loss %.4f acc %.2f%%", static_cast<long long>(s.epoch + 1),
                 static_cast<long long>(epochs_), s.train_loss, 100.0 * s.train_accuracy);
    if (s.has_validation)
      std::fprintf(stderr, " | val loss %.4f acc %.2f%%", s.validation.loss, 100.0 * s.validation.accuracy);
    std::fprintf(stderr, " | test loss %.4f acc %.2f%% | %.1fs\n", test.loss, 100.0 * test.accuracy, s.seconds);
    history.push_back({s, test});
  }

  struct Entry {
    EpochStats epoch;
    EvalResult test;
  };
  std::vector<Entry> history;

 private:
  const Dataset& test_;
  int64_t epochs_;
  bool progress_;
};

Json eval_json(const EvalResult& r) { return {{"accuracy", r.accuracy}, {"loss", r.loss}, {"samples", r.samples}}; }

Json metrics_json(const std::string& model_name, const std::string& out, const TrainConfig& cfg,
                  int64_t train_samples, const EpochReporter& rep, double seconds) {
  Json epochs = Json::array();
  for (const auto& e : rep.history) {
    Json row = {{"epoch", e.epoch.epoch + 1}, {"train_loss", e.epoch.train_loss},
                {"train_accuracy", e.epoch.train_accuracy}};
    if (e.epoch.has_validation) row["validation"] = eval_json(e.epoch.validation);
    row["test"] = eval_json(e.test);
    row["seconds"] = e.epoch.seconds;
    row["last_lr"] = json_float(e.epoch.last_lr);
    epochs.push_back(row);
  }
  Json j = {{"model", out},
            {"arch", model_name},
            {"optimizer", cfg.optimizer.kind},
            {"lr", json_float(cfg.optimizer.lr)},
            {"batch_size", cfg.batch_size},
            {"seed", cfg.seed},
            {"train_samples", train_samples},
            {"seconds", seconds},
            {"epochs", epochs}};
  if (!rep.history.empty()) j["test"] = eval_json(rep.history.back().test);
  return j;
}

// Output checks done before training, so a typo does not cost a whole run.
void check_writable_folder(const std::string& file) {
  std::filesystem::path dir = std::filesystem::path(file).parent_path();
  std::error_code ec;
  PRUNQ_CHECK(dir.empty() || std::filesystem::is_directory(dir, ec), "cannot write '", file, "': folder '",
              dir.string(), "' does not exist");
}

void check_output_path(const std::string& out) {
  if (model_format_of(out) == ModelFormat::onnx)
    PRUNQ_CHECK(onnx_available(), out, ": this prunq was built without ONNX support; save as .prunq");
  check_writable_folder(out);
}

// The options that only make sense together, checked once they are all parsed.
TrainConfig train_config_from(const TrainArgs& a, const CommandLine& cl) {
  TrainConfig cfg = a.cfg;
  cfg.seed = static_cast<uint64_t>(a.seed);
  cfg.optimizer.kind = a.optimizer;
  if (cfg.optimizer.kind == "sgd")
    cfg.optimizer.momentum = a.momentum;
  else if (cl.given("--momentum"))
    cl.usage_error("--momentum applies to --optimizer sgd only");
  cfg.schedule = parse_lr_schedule_kind(a.schedule);
  cfg.progress = !a.no_progress;
  return cfg;
}

// A fresh zoo model shaped for the data, with the data's normalisation built in; or the model
// in the --from file, trained as it is.
Graph initial_model(const TrainArgs& a, const Dataset& train, uint64_t seed) {
  if (!a.from.empty()) return load_model_file(a.from);
  ModelOptions opt;
  opt.input_shape = {-1};
  for (int64_t d : train.sample_shape()) opt.input_shape.push_back(d);
  opt.num_classes = train.num_classes;
  opt.seed = seed;
  Graph model = build_model(a.arch, opt);
  prepend_input_normalization(model, compute_normalization(train));
  return model;
}

}  // namespace

int cmd_train(CommandLine& cl) {
  TrainArgs a;
  declare(cl, a);
  cl.parse();
  if (a.arch.empty() && a.from.empty()) cl.usage_error("missing --arch A (or --from MODEL)");
  if (a.prune_at_init.empty() && (cl.given("--sparsity") || cl.given("--prune-scope")))
    cl.usage_error("--sparsity and --prune-scope apply to --prune-at-init");
  if (!a.prune_at_init.empty() && !cl.given("--sparsity")) cl.usage_error("--prune-at-init needs --sparsity S");
  if (!a.arch.empty()) {
    const auto names = model_names();
    if (std::find(names.begin(), names.end(), a.arch) == names.end())
      cl.usage_error("unknown --arch '" + a.arch + "'; known architectures: " + known_archs());
  }
  const TrainConfig cfg = train_config_from(a, cl);
  if (a.threads > 0) set_num_threads(a.threads);

  // With --from, the model comes from the file; --arch (optional then) only names the run.
  const std::string model_name = !a.arch.empty() ? a.arch : std::filesystem::path(a.from).stem().string();
  const std::string out =
      !a.out.empty() ? a.out : !a.from.empty() ? model_name + "-trained.prunq" : a.arch + ".prunq";
  check_output_path(out);
  if (!a.metrics.empty()) check_writable_folder(a.metrics);

  Dataset train = load_dataset_split(a.data, "train", a.limit);
  Dataset test = load_dataset_split(a.data, "test", a.test_limit);
  Dataset validation;
  const int64_t val_split = a.val_split;
  if (val_split > 0) std::tie(train, validation) = split_validation(train, val_split);
  Graph model = initial_model(a, train, cfg.seed);
  const Json pruning = a.prune_at_init.empty() ? Json() : prune_at_init(model, a, train);

  const std::string val_note = val_split > 0 ? ", " + std::to_string(validation.size()) + " validation" : "";
  std::fprintf(stderr, "prunq: training %s on %lld images (%lld test%s), %lld epochs, %s lr %g, batch %lld, %d threads\n",
               model_name.c_str(), static_cast<long long>(train.size()), static_cast<long long>(test.size()),
               val_note.c_str(), static_cast<long long>(cfg.epochs), cfg.optimizer.kind.c_str(),
               double(cfg.optimizer.lr), static_cast<long long>(cfg.batch_size), num_threads());
  const auto start = std::chrono::steady_clock::now();
  Trainer trainer(model, cfg);
  auto reporter = std::make_shared<EpochReporter>(test, cfg.epochs, cfg.progress);
  trainer.add_callback(reporter);
  trainer.fit(train, val_split > 0 ? &validation : nullptr);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  save_model_file(model, out);
  EvalResult final_test = reporter->history.empty() ? trainer.evaluate(test) : reporter->history.back().test;
  std::printf("saved %s: test accuracy %.2f%%  loss %.4f  (%lld samples, %.1fs)\n", out.c_str(),
              100.0 * final_test.accuracy, final_test.loss, static_cast<long long>(final_test.samples), seconds);
  if (!a.metrics.empty()) {
    Json metrics = metrics_json(model_name, out, cfg, train.size(), *reporter, seconds);
    if (!pruning.is_null()) metrics["prune_at_init"] = pruning;
    write_json_file(a.metrics, metrics);
  }
  return 0;
}

}  // namespace prunq::cli
