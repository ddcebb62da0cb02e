// prunq eval MODEL --data D [--json] [--limit N]: accuracy and mean cross-entropy of a classifier
// (one input, logits output) on a dataset's test split, in inference mode.
#include <cstdio>
#include <iostream>

#include "core/thread_pool.h"
#include "prunq/args.h"
#include "prunq/commands.h"
#include "prunq/datasets.h"
#include "prunq/json_writer.h"
#include "prunq/model_files.h"
#include "train/trainer.h"

namespace prunq::cli {
namespace {

ArgParser make_parser() {
  ArgParser p("eval", "MODEL --data D [--json] [--limit N]",
              "Evaluates a classifier on a dataset split: accuracy, mean cross-entropy loss and the\n"
              "number of samples. The model takes raw images (models from 'prunq train' carry\n"
              "their input normalisation inside).");
  p.positional("MODEL", "model file (.prunq or .onnx)")
      .option("data", "D", "dataset: 'fashion-mnist' or an IDX folder/file (required)")
      .option("split", "S", "'test' (default) or 'train'")
      .option("limit", "N", "evaluate only the first N samples")
      .option("batch-size", "B", "evaluation batch size (default 512)")
      .option("threads", "T", "worker threads (default: PRUNQ_NUM_THREADS or all cores)")
      .flag("json", "print {\"accuracy\", \"loss\", \"samples\", ...} as JSON on stdout")
      .flag("no-progress", "no progress bar on stderr");
  return p;
}

}  // namespace

int cmd_eval(const Args& args) {
  ArgParser parser = make_parser();
  if (ArgParser::wants_help(args)) {
    std::cout << parser.help();
    return 0;
  }
  ParsedArgs a = parser.parse(args);
  if (!a.has("data")) throw UsageError("missing --data D (the dataset)", parser.short_usage());
  const std::string split = a.get("split", "test");
  if (split != "test" && split != "train")
    throw UsageError("--split must be 'test' or 'train', got '" + split + "'", parser.short_usage());
  const int64_t limit = a.get_int("limit", 0, 1);
  const int64_t batch = a.get_int("batch-size", 512, 1, 1 << 20);
  if (a.has("threads")) set_num_threads(static_cast<int>(a.get_int("threads", 0, 1, 1024)));

  const std::string path = a.positionals()[0];
  Graph model = load_model_file(path);
  Dataset data = load_dataset_split(a.get("data"), split, limit);
  EvalResult r = evaluate_model(model, data, batch, !a.has("no-progress") && !a.has("json"));

  if (a.has("json")) {
    JsonWriter j;
    j.begin_object().key("model").value(path).key("data").value(a.get("data")).key("split").value(split);
    j.key("accuracy").value(r.accuracy).key("loss").value(r.loss).key("samples").value(r.samples).end_object();
    std::cout << j.str() << "\n";
  } else {
    std::printf("accuracy %.2f%%  loss %.4f  samples %lld\n", 100.0 * r.accuracy, r.loss,
                static_cast<long long>(r.samples));
  }
  return 0;
}

}  // namespace prunq::cli
