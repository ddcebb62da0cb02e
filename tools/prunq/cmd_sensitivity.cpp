// prunq sensitivity MODEL --data D: accuracy of the model when each prunable layer alone is
// magnitude-pruned to a range of sparsities (table, and JSON with --json), and with --target S
// the per-layer sparsities that reach S overall at the smallest common accuracy drop (see
// allocate_sparsity). `prunq prune --allocation FILE` reads the JSON back.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "core/thread_pool.h"
#include "io/json/json_file.h"
#include "prune/sensitivity.h"
#include "prune/sensitivity_json.h"
#include "prunq/commands.h"
#include "prunq/datasets.h"
#include "prunq/model_files.h"

namespace prunq::cli {
namespace {

// "0.5,0.9,0.95" -> {0.5, 0.9, 0.95}.
std::vector<double> parse_sparsities(const std::string& text, const CommandLine& cl) {
  std::vector<double> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    char* end = nullptr;
    const double v = std::strtod(item.c_str(), &end);
    if (item.empty() || *end != '\0' || !std::isfinite(v) || v <= 0 || v > 1)
      cl.usage_error("--sparsities wants a comma-separated list of numbers in (0, 1], got '" + text + "'");
    if (!out.empty() && v <= out.back()) cl.usage_error("--sparsities must be increasing, got '" + text + "'");
    out.push_back(v);
  }
  if (out.empty()) cl.usage_error("--sparsities is empty");
  return out;
}

}  // namespace

int cmd_sensitivity(CommandLine& cl) {
  std::string model_path, data, split = "test", sparsities, json;
  std::vector<std::string> keep_dense;
  double target = -1, cap = 1.0;
  int64_t limit = 0;
  int threads = 0;
  cl.describe(
        "Sensitivity analysis: prunes each prunable layer alone (magnitude, within the layer) to\n"
        "each sparsity and evaluates the model, giving accuracy vs sparsity per layer. With\n"
        "--target S, allocates S over the layers: each gets the largest sparsity whose accuracy\n"
        "drop stays within one common tolerance, the least sensitive layers pruned most.")
      .synopsis("MODEL --data D [--target S] [--json FILE] [options]")
      .epilog("example:\n  prunq sensitivity fmnist-cnn.prunq --data fashion-mnist --limit 2000 --target 0.9 --json sens.json");
  cl.positional("MODEL", model_path, "model file (.prunq or .onnx)");
  cl.option("--data", data, "D", "dataset: 'fashion-mnist' or an IDX folder/file")->required();
  cl.choice("--split", split, {"test", "train"}, "which split to measure on")->capture_default_str();
  cl.option("--limit", limit, "N", "measure on the first N samples of the split only", 1);
  cl.option("--sparsities", sparsities, "LIST", "comma-separated sparsities (default 0.1,0.2,...,0.9,0.95,0.98)");
  cl.repeated("--keep-dense", keep_dense, "LAYER", "leave this layer out (node or weight name, '*' globs)");
  cl.option("--target", target, "S", "also allocate this global sparsity over the layers", 0.0, 1.0);
  cl.option("--max-layer-sparsity", cap, "X", "allocation: no layer beyond this fraction", 0.0, 1.0);
  cl.option("--threads", threads, "T", "worker threads (default: PRUNQ_NUM_THREADS or all cores)", 1, 1024);
  cl.option("--json", json, "FILE", "also write the curves (and the allocation) as JSON");
  cl.parse();
  if (cl.given("--max-layer-sparsity") && !cl.given("--target"))
    cl.usage_error("--max-layer-sparsity applies to the allocation (--target S)");
  if (threads > 0) set_num_threads(threads);

  SensitivityOptions o;
  if (!sparsities.empty()) o.sparsities = parse_sparsities(sparsities, cl);
  o.keep_dense = keep_dense;
  const Graph model = load_model_file(model_path);
  const Dataset dataset = load_dataset_split(data, split, limit);
  const SensitivityReport r = analyze_sensitivity(model, dataset, o);
  std::cout << format_sensitivity_table(r);
  Json j = sensitivity_to_json(r);
  j["model"] = model_path;
  j["split"] = split;
  if (target >= 0) {
    const SparsityAllocation a = allocate_sparsity(r, target, cap);
    std::cout << format_allocation(a);
    j["allocation"] = allocation_to_json(a);
  }
  if (!json.empty()) write_json_file(json, j);
  return 0;
}

}  // namespace prunq::cli
