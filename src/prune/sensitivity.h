// Sensitivity analysis: how much accuracy each layer loses when it alone is pruned (magnitude,
// within the layer) to a range of sparsities, the rest of the model left as it is. Layers that
// tolerate much pruning can take more of a global target; allocate_sparsity turns the curves
// into per-layer sparsities for a global target (see below).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "io/data/dataset.h"
#include "train/trainer.h"

namespace prunq {

struct SensitivityOptions {
  std::vector<double> sparsities{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98};
  std::vector<std::string> keep_dense;  // layers not analysed (and never allocated any sparsity)
  int64_t eval_batch_size = 512;
};

struct SensitivityPoint {
  double sparsity = 0;
  double accuracy = 0;  // fraction
  double loss = 0;
};

struct LayerSensitivity {
  std::string layer;
  std::string weight_name;
  int64_t numel = 0;
  std::vector<SensitivityPoint> points;  // in increasing sparsity
};

struct SensitivityReport {
  EvalResult dense;  // the model as given
  std::vector<LayerSensitivity> layers;
};

// Sparsities must be increasing, in (0, 1]; the data must fit the model. The model is not changed.
SensitivityReport analyze_sensitivity(const Graph& model, const Dataset& data, const SensitivityOptions& options);

// Accuracy (%) per layer (rows) and sparsity (columns), the dense accuracy on top.
std::string format_sensitivity_table(const SensitivityReport& r);

// Allocation of a global target: every layer gets the largest sparsity at which its measured
// accuracy drop (made non-decreasing in sparsity, interpolated linearly between the measured
// points) stays within one tolerance; the tolerance is found by bisection so that the
// weights removed over all analysed layers make `target` of their total. So the least sensitive
// layers are pruned most, and no layer beyond its largest measured sparsity (or `max_layer_sparsity`).
// When even a zero tolerance gives more than the target, every layer's zero-drop sparsity is
// scaled down alike. An unreachable target is an Error naming the largest reachable one.
struct LayerAllocation {
  std::string layer;
  int64_t numel = 0;
  double sparsity = 0;
  double expected_drop = 0;  // accuracy drop (fraction) its curve predicts at that sparsity
};

struct SparsityAllocation {
  double target = 0;
  double achieved = 0;   // weighted by the layers' sizes
  double tolerance = 0;  // the common accuracy-drop tolerance (fraction)
  std::vector<LayerAllocation> layers;
};

SparsityAllocation allocate_sparsity(const SensitivityReport& r, double target, double max_layer_sparsity = 1.0);

std::string format_allocation(const SparsityAllocation& a);

}  // namespace prunq
