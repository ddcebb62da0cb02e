// prunq train: builds a zoo model (or loads one with --from), trains it on an IDX dataset with
// a progress bar, evaluates the test split after every epoch and saves the model atomically
// (.prunq, or .onnx by extension). Zoo models get the training set's input normalisation built
// in (see input_normalization.h), so the saved model takes raw pixels.
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
#include "io/native/file_util.h"
#include "models/zoo.h"
#include "prunq/args.h"
#include "prunq/commands.h"
#include "prunq/datasets.h"
#include "prunq/input_normalization.h"
#include "prunq/json_writer.h"
#include "prunq/model_files.h"
#include "train/trainer.h"

namespace prunq::cli {
namespace {

std::string known_archs() {
  std::string s;
  for (const std::string& n : model_names()) s += (s.empty() ? "" : ", ") + n;
  return s;
}

ArgParser make_parser() {
  ArgParser p("train", "--arch A --data D [--epochs N] [-o MODEL] [options]",
              "Trains a classifier from the model zoo (or a model file given with --from) on an\n"
              "IDX dataset, evaluates it on the test split after every epoch and saves it.\n"
              "Default recipe: Adam, lr 1e-3 with cosine decay, batch 128, 3 epochs, seed 0.");
  p.option("arch", "A", "model architecture: " + known_archs())
      .option("data", "D", "dataset: 'fashion-mnist' or an IDX folder/file (required)")
      .option("epochs", "N", "training epochs (default 3)")
      .option("o", "MODEL", "output model: .prunq (native) or .onnx (default <arch>.prunq)")
      .option("batch-size", "B", "mini-batch size (default 128)")
      .option("lr", "X", "base learning rate (default 1e-3)")
      .option("optimizer", "O", "adam (default), adamw or sgd")
      .option("momentum", "M", "sgd momentum (default 0.9 for sgd)")
      .option("weight-decay", "W", "L2 (sgd, adam) or decoupled (adamw) weight decay (default 0)")
      .option("schedule", "S", "learning-rate schedule: cosine (default), step or constant")
      .option("seed", "S", "seed for initialisation and shuffling (default 0)")
      .option("threads", "T", "worker threads (default: PRUNQ_NUM_THREADS or all cores)")
      .option("from", "MODEL", "start from this model file (.prunq or .onnx) instead of a fresh\n--arch model (fine-tuning); --arch then only names the run")
      .option("val-split", "N", "hold out the last N training images as a validation set")
      .option("limit", "N", "train on the first N training images only (quick runs, tests)")
      .option("test-limit", "N", "evaluate on the first N test images only")
      .option("metrics", "FILE", "also write the run's figures (per epoch and final) as JSON")
      .flag("no-progress", "no progress bars on stderr (epoch summaries are still printed)")
      .epilog("example:\n  prunq train --arch fmnist-cnn --data fashion-mnist --epochs 3 -o fmnist-cnn.prunq");
  return p;
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

void write_eval(JsonWriter& j, const EvalResult& r) {
  j.begin_object().key("accuracy").value(r.accuracy).key("loss").value(r.loss).key("samples").value(r.samples);
  j.end_object();
}

std::string metrics_json(const std::string& model_name, const std::string& out, const TrainConfig& cfg,
                         int64_t train_samples, const EpochReporter& rep, double seconds) {
  JsonWriter j;
  j.begin_object().key("model").value(out).key("arch").value(model_name);
  j.key("optimizer").value(cfg.optimizer.kind).key("lr").value(double(cfg.optimizer.lr));
  j.key("batch_size").value(cfg.batch_size).key("seed").value(static_cast<int64_t>(cfg.seed));
  j.key("train_samples").value(train_samples).key("seconds").value(seconds);
  j.key("epochs").begin_array();
  for (const auto& e : rep.history) {
    j.begin_object().key("epoch").value(e.epoch.epoch + 1);
    j.key("train_loss").value(e.epoch.train_loss).key("train_accuracy").value(e.epoch.train_accuracy);
    if (e.epoch.has_validation) {
      j.key("validation");
      write_eval(j, e.epoch.validation);
    }
    j.key("test");
    write_eval(j, e.test);
    j.key("seconds").value(e.epoch.seconds).key("last_lr").value(double(e.epoch.last_lr)).end_object();
  }
  j.end_array();
  if (!rep.history.empty()) {
    j.key("test");
    write_eval(j, rep.history.back().test);
  }
  j.end_object();
  return j.str();
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

TrainConfig train_config_from(const ParsedArgs& a, const std::string& usage) {
  TrainConfig cfg;
  cfg.epochs = a.get_int("epochs", cfg.epochs, 0, 100000);
  cfg.batch_size = a.get_int("batch-size", cfg.batch_size, 1, 1 << 20);
  cfg.seed = static_cast<uint64_t>(a.get_int("seed", 0, 0));
  cfg.optimizer.kind = a.get("optimizer", "adam");
  if (cfg.optimizer.kind != "adam" && cfg.optimizer.kind != "adamw" && cfg.optimizer.kind != "sgd")
    throw UsageError("--optimizer must be adam, adamw or sgd, got '" + cfg.optimizer.kind + "'", usage);
  cfg.optimizer.lr = static_cast<float>(a.get_double("lr", cfg.optimizer.lr, 1e-12, 100.0));
  cfg.optimizer.weight_decay = static_cast<float>(a.get_double("weight-decay", 0.0, 0.0, 10.0));
  if (cfg.optimizer.kind == "sgd")
    cfg.optimizer.momentum = static_cast<float>(a.get_double("momentum", 0.9, 0.0, 1.0));
  else if (a.has("momentum"))
    throw UsageError("--momentum applies to --optimizer sgd only", usage);
  const std::string schedule = a.get("schedule", "cosine");
  if (schedule != "cosine" && schedule != "step" && schedule != "constant")
    throw UsageError("--schedule must be cosine, step or constant, got '" + schedule + "'", usage);
  cfg.schedule = parse_lr_schedule_kind(schedule);
  cfg.progress = !a.has("no-progress");
  return cfg;
}

// A fresh zoo model shaped for the data, with the data's normalisation built in; or the model
// in the --from file, trained as it is.
Graph initial_model(const ParsedArgs& a, const Dataset& train, uint64_t seed) {
  if (a.has("from")) return load_model_file(a.get("from"));
  ModelOptions opt;
  opt.input_shape = {-1};
  for (int64_t d : train.sample_shape()) opt.input_shape.push_back(d);
  opt.num_classes = train.num_classes;
  opt.seed = seed;
  Graph model = build_model(a.get("arch"), opt);
  prepend_input_normalization(model, compute_normalization(train));
  return model;
}

}  // namespace

int cmd_train(const Args& args) {
  ArgParser parser = make_parser();
  if (ArgParser::wants_help(args)) {
    std::cout << parser.help();
    return 0;
  }
  ParsedArgs a = parser.parse(args);
  const std::string usage = parser.short_usage();
  if (!a.has("data")) throw UsageError("missing --data D (the dataset)", usage);
  if (!a.has("arch") && !a.has("from")) throw UsageError("missing --arch A (or --from MODEL)", usage);
  const std::string arch = a.get("arch");
  if (a.has("arch")) {
    const auto names = model_names();
    if (std::find(names.begin(), names.end(), arch) == names.end())
      throw UsageError("unknown --arch '" + arch + "'; known architectures: " + known_archs(), usage);
  }
  const TrainConfig cfg = train_config_from(a, usage);
  if (a.has("threads")) set_num_threads(static_cast<int>(a.get_int("threads", 0, 1, 1024)));
  const int64_t limit = a.get_int("limit", 0, 1);
  const int64_t test_limit = a.get_int("test-limit", 0, 1);
  const int64_t val_split = a.get_int("val-split", 0, 1);

  // With --from, the model comes from the file; --arch (optional then) only names the run.
  const std::string model_name = a.has("arch") ? arch : std::filesystem::path(a.get("from")).stem().string();
  const std::string out = a.get("o", a.has("from") ? model_name + "-trained.prunq" : arch + ".prunq");
  check_output_path(out);
  if (a.has("metrics")) check_writable_folder(a.get("metrics"));

  Dataset train = load_dataset_split(a.get("data"), "train", limit);
  Dataset test = load_dataset_split(a.get("data"), "test", test_limit);
  Dataset validation;
  if (val_split > 0) std::tie(train, validation) = split_validation(train, val_split);
  Graph model = initial_model(a, train, cfg.seed);

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
  if (a.has("metrics")) {
    const std::string json = metrics_json(model_name, out, cfg, train.size(), *reporter, seconds) + "\n";
    write_file_atomic(a.get("metrics"), json.data(), json.size());
  }
  return 0;
}

}  // namespace prunq::cli
