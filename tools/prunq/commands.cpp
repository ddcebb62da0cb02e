#include "prunq/commands.h"

namespace prunq::cli {

const std::vector<Command>& all_commands() {
  static const std::vector<Command> commands = {
      {"train", "train a model from the zoo (or fine-tune a model file) on a dataset", cmd_train},
      {"eval", "evaluate a model's accuracy and loss on a dataset's test split", cmd_eval},
      {"inspect", "show a model's layers: op, output shape, parameters, MACs, bytes", cmd_inspect},
      {"prune", "prune a model (unstructured, N:M, channels, units, blocks), fine-tune; per-layer before/after", cmd_prune},
      {"sensitivity", "accuracy vs sparsity of each layer pruned alone, and a per-layer allocation of a target",
       cmd_sensitivity},
      {"run", "run a model on input tensors (.npy / ONNX .pb) and write its outputs as .npy", cmd_run},
      {"import", "convert an ONNX model to prunq's native .prunq file", cmd_import},
      {"export", "convert a model to ONNX", cmd_export},
      {"recipes", "list the built-in compression recipes, print one, or check a recipe file", cmd_recipes},
  };
  return commands;
}

}  // namespace prunq::cli
