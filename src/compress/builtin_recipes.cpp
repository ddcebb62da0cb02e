#include "compress/builtin_recipes.h"

namespace prunq::compress {

const std::vector<BuiltinRecipe>& builtin_recipes() {
  static const std::vector<BuiltinRecipe> recipes = {
      {"edge-int8", R"(name: edge-int8
description: full-integer int8 (per-channel weights, entropy-calibrated activations), no pruning
max_drop: 0.1
stages:
  - quantize:
      mode: int8
      per_channel: true
      calib_method: entropy
      calib_samples: 512
  - evaluate
  - export:
      formats: [prunq, onnx]
)"},
      {"sparse90-int8", R"(name: sparse90-int8
description: 90 % or more unstructured sparsity (as much as the budget allows), then full-integer int8 on sparse int8 kernels
max_drop: 1.0
search:
  max_trials: 6
  finetune_epochs: 1
stages:
  - prune:
      method: global-magnitude
      sparsity: {search: [0.9, 0.98]}
      schedule: gradual
      epochs: 2
  - finetune:
      epochs: 1
      lr: 0.0002
  - quantize:
      mode: int8
      per_channel: true
      calib_method: entropy
  - evaluate
  - export:
      formats: [prunq, onnx]
)"},
      {"channel50-int8", R"(name: channel50-int8
description: half of the conv channels removed (L1 filter ranking, a smaller dense model), fine-tuned, then full-integer int8
max_drop: 1.0
stages:
  - prune:
      method: channel
      criterion: l1
      sparsity: 0.5
      schedule: oneshot
      epochs: 2
  - finetune:
      epochs: 1
      lr: 0.0002
  - quantize:
      mode: int8
      per_channel: true
      calib_method: entropy
  - evaluate
  - export:
      formats: [prunq, onnx]
)"},
      {"int4-tiny", R"(name: int4-tiny
description: the smallest file - pruned as far as the budget allows, int4 weights per group of 32 (AdaRound), one epoch of QAT
max_drop: 1.0
stages:
  - prune:
      method: global-magnitude
      sparsity: {search: [0.5, 0.9]}
      schedule: gradual
      epochs: 2
  - quantize:
      mode: weight-int4
      group_size: 32
      adaround: true
  - qat:
      epochs: 1
      lr: 0.00005
  - evaluate
  - export:
      formats: [prunq, onnx]
)"},
      {"fp16", R"(name: fp16
description: half-precision weights (half the file, accuracy unchanged)
max_drop: 0.05
stages:
  - quantize:
      mode: fp16
  - evaluate
  - export:
      formats: [prunq, onnx]
)"},
  };
  return recipes;
}

const BuiltinRecipe* find_builtin_recipe(const std::string& name) {
  for (const BuiltinRecipe& r : builtin_recipes())
    if (r.name == name) return &r;
  return nullptr;
}

const char* default_recipe_name() { return "sparse90-int8"; }

}  // namespace prunq::compress
