// What `prunq compress` found, as one data structure: the input model and each stage measured on
// the target, every trial of the search, per-layer sensitivity, and the verdict. report.json is
// this structure (and reads back into it, for --resume and for re-rendering); report.html is
// drawn from it alone (report_html.h), so the page can never show a figure the JSON lacks.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "io/json/json_file.h"

namespace prunq::compress {

constexpr double kNotMeasured = std::numeric_limits<double>::quiet_NaN();

struct LatencyStats {
  int64_t batch = 1;
  double p50_ms = kNotMeasured, p90_ms = kNotMeasured;
};

// One layer of a measured model, as the deployment plan runs it.
struct LayerReport {
  std::string name, op;
  std::string precision = "fp32";  // fp32, fp16, bf16, int8, int4
  double sparsity = 0;             // fraction of the layer's weights that are zero
  int64_t params = 0, macs = 0;
  std::string kernel;              // what the plan chose for it
  std::string note;                // why a float island or a dense fall-back remains, when one does
};

// A model measured on the target: accuracy on the data, its file, its plan.
struct ModelMeasurement {
  double accuracy = kNotMeasured;  // fraction in [0, 1]
  int64_t samples = 0;
  int64_t file_bytes = 0, params = 0, nonzero_params = 0, macs = 0;
  std::vector<LatencyStats> latency;  // one entry per measured batch size
  int64_t peak_memory_bytes = 0;      // the plan's arena and packed weights
  std::vector<LayerReport> layers;

  // The entry for `batch`, or nullptr when that batch size was not measured.
  const LatencyStats* latency_at(int64_t batch) const;
};

struct StageReport {
  int index = 0;         // 1-based, as in the recipe
  std::string kind;      // "prune", ...
  std::string summary;   // what the stage did, in words ("global magnitude to 95.0 %, gradual, 2 epochs")
  double seconds = 0;
  ModelMeasurement after;
};

// One try of the accuracy-aware search: the knobs it set and what came out.
struct TrialReport {
  int64_t id = 0;                 // 1-based, in the order tried
  std::string knob;               // "stage 1 'prune' sparsity"
  double value = 0;               // the value tried
  double accuracy = kNotMeasured; // fraction
  double drop_points = kNotMeasured;
  int64_t file_bytes = 0;
  double latency_ms = kNotMeasured;  // p50 at the report's headline batch size
  bool within_budget = false;
  bool chosen = false;
  double seconds = 0;
};

// Accuracy of the model with one layer pruned to each sparsity, the others left as they are.
struct SensitivityCurve {
  std::string layer;
  std::vector<double> sparsity, accuracy;  // same length
};

struct Report {
  std::string model, recipe, recipe_source, data;
  std::string cpu, isa;  // `lscpu` model name and the ISA level prunq's kernels chose
  int64_t threads = 0;
  int64_t seed = 0;
  int64_t headline_batch = 64;  // the batch size trial latencies and the headline use
  double max_drop_points = 1.0;
  ModelMeasurement baseline;    // the input model, through the same plan
  std::vector<StageReport> stages;
  std::vector<TrialReport> trials;
  std::vector<SensitivityCurve> sensitivity;
  bool within_budget = false;
  std::string verdict;          // one plain sentence: what was kept and whether it meets the budget

  // The kept model's measurement: the last stage's, or the baseline when there were no stages.
  const ModelMeasurement& final_measurement() const;
};

Json report_to_json(const Report& r);
// Reads what report_to_json wrote; an Error naming `what` and the field when it does not fit.
Report report_from_json(const Json& j, const std::string& what);

// Writes DIR/report.json and DIR/report.html, each atomically.
void write_report_files(const Report& r, const std::string& dir);

}  // namespace prunq::compress
