// A filled-in Report shaped like a real fmnist-cnn run (baseline, four stages, a bisection of
// the sparsity with one trial chosen, sensitivity curves), for the report tests.
#pragma once
#include "compress/report.h"

namespace prunq::compress {

inline ModelMeasurement sample_measurement(double accuracy, int64_t bytes, double sparsity, const std::string& precision,
                                           double b1_ms, double b64_ms) {
  ModelMeasurement m;
  m.accuracy = accuracy;
  m.samples = 10000;
  m.file_bytes = bytes;
  m.params = 1701418;
  m.nonzero_params = static_cast<int64_t>(double(m.params) * (1 - sparsity));
  m.macs = 11876352;
  m.latency = {{1, b1_ms, b1_ms * 1.2}, {64, b64_ms, b64_ms * 1.1}};
  m.peak_memory_bytes = bytes + 900000;
  const char* names[] = {"conv1", "conv2", "conv3", "fc1", "fc2"};
  const char* ops[] = {"Conv", "Conv", "Conv", "Gemm", "Gemm"};
  const int64_t params[] = {320, 18496, 73856, 1605888, 2570};
  for (int i = 0; i < 5; ++i) {
    LayerReport l;
    l.name = names[i];
    l.op = ops[i];
    l.precision = i == 4 && precision != "fp32" ? "fp32" : precision;
    l.sparsity = i == 0 ? 0.0 : sparsity;
    l.params = params[i];
    l.macs = params[i] * 100;
    l.kernel = precision == "int8" ? (sparsity > 0.5 ? "spmm_s8 (csr)" : "gemm_s8") : "gemm_f32";
    if (i == 4 && precision != "fp32") l.note = "float island: kept in fp32 by auto_exclude (most sensitive layer)";
    m.layers.push_back(l);
  }
  LayerReport relu;
  relu.name = "relu1";
  relu.op = "Relu";
  m.layers.push_back(relu);
  return m;
}

inline Report sample_report() {
  Report r;
  r.model = "fmnist-cnn.prunq";
  r.recipe = "sparse90-int8";
  r.recipe_source = "builtin:sparse90-int8";
  r.data = "fashion-mnist";
  r.cpu = "AMD EPYC 9R14";
  r.isa = "avx512_vnni";
  r.threads = 2;
  r.seed = 0;
  r.max_drop_points = 1.0;
  r.baseline = sample_measurement(0.9265, 6806000, 0.0, "fp32", 0.41, 9.8);
  const char* kinds[] = {"prune", "finetune", "quantize", "evaluate"};
  const double acc[] = {0.9190, 0.9221, 0.9212, 0.9212};
  const int64_t bytes[] = {1210000, 1210000, 158000, 158000};
  for (int i = 0; i < 4; ++i) {
    StageReport s;
    s.index = i + 1;
    s.kind = kinds[i];
    s.summary = i == 0 ? "global magnitude to 95.3 % (searched), gradual, 2 epochs" : "";
    s.seconds = 40.0 - 8 * i;
    s.after = sample_measurement(acc[i], bytes[i], 0.953, i >= 2 ? "int8" : "fp32", i >= 2 ? 0.12 : 0.3,
                                 i >= 2 ? 2.9 : 7.5);
    r.stages.push_back(s);
  }
  const double tried[] = {0.94, 0.98, 0.96, 0.95, 0.955};
  const double tacc[] = {0.9230, 0.9011, 0.9150, 0.9201, 0.9190};
  for (int i = 0; i < 5; ++i) {
    TrialReport t;
    t.id = i + 1;
    t.knob = "stage 1 'prune' sparsity";
    t.value = tried[i];
    t.accuracy = tacc[i];
    t.drop_points = 100 * (r.baseline.accuracy - tacc[i]);
    t.file_bytes = static_cast<int64_t>(6806000 * (1 - tried[i]) * 0.45);
    t.latency_ms = 3.4 - tried[i];
    t.within_budget = t.drop_points <= r.max_drop_points;
    t.chosen = i == 4;
    t.seconds = 30;
    r.trials.push_back(t);
  }
  const char* layers[] = {"conv2", "conv3", "fc1"};
  for (int l = 0; l < 3; ++l) {
    SensitivityCurve c;
    c.layer = layers[l];
    for (double s : {0.0, 0.5, 0.8, 0.9, 0.95, 0.98}) {
      c.sparsity.push_back(s);
      c.accuracy.push_back(0.9265 - (0.02 + 0.05 * l) * s * s * s);
    }
    r.sensitivity.push_back(c);
  }
  r.within_budget = true;
  r.verdict = "kept trial 5: 95.5 % sparse, int8, 0.75 pt below the input (budget 1 pt), 43.1x smaller";
  return r;
}

}  // namespace prunq::compress
