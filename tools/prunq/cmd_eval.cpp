// prunq eval MODEL --data D [--json] [--limit N]: accuracy and mean cross-entropy of a classifier
// (one input, logits output) on a dataset's test split, in inference mode.
#include <cstdio>
#include <iostream>

#include "core/thread_pool.h"
#include "io/json/json_file.h"
#include "prunq/commands.h"
#include "prunq/datasets.h"
#include "prunq/model_files.h"
#include "train/trainer.h"

namespace prunq::cli {

int cmd_eval(CommandLine& cl) {
  std::string model_path, data, split = "test";
  int64_t limit = 0, batch = 512;
  int threads = 0;
  bool json = false, no_progress = false;
  cl.describe(
      "Evaluates a classifier on a dataset split: accuracy, mean cross-entropy loss and the\n"
      "number of samples. The model takes raw images (models from 'prunq train' carry\n"
      "their input normalisation inside).");
  cl.positional("MODEL", model_path, "model file (.prunq or .onnx)");
  cl.option("--data", data, "D", "dataset: 'fashion-mnist' or an IDX folder/file")->required();
  cl.choice("--split", split, {"test", "train"}, "which split to evaluate")->capture_default_str();
  cl.option("--limit", limit, "N", "evaluate only the first N samples", 1);
  cl.option("--batch-size", batch, "B", "evaluation batch size", 1, 1 << 20)->capture_default_str();
  cl.option("--threads", threads, "T", "worker threads (default: PRUNQ_NUM_THREADS or all cores)", 1, 1024);
  cl.flag("--json", json, "print {\"accuracy\", \"loss\", \"samples\", ...} as JSON on stdout");
  cl.flag("--no-progress", no_progress, "no progress bar on stderr");
  cl.parse();
  if (threads > 0) set_num_threads(threads);

  Graph model = load_model_file(model_path);
  Dataset dataset = load_dataset_split(data, split, limit);
  EvalResult r = evaluate_model(model, dataset, batch, !no_progress && !json);

  if (json) {
    Json j = {{"model", model_path}, {"data", data},       {"split", split},
              {"accuracy", r.accuracy}, {"loss", r.loss}, {"samples", r.samples}};
    std::cout << json_text(j) << "\n";
  } else {
    std::printf("accuracy %.2f%%  loss %.4f  samples %lld\n", 100.0 * r.accuracy, r.loss,
                static_cast<long long>(r.samples));
  }
  return 0;
}

}  // namespace prunq::cli
