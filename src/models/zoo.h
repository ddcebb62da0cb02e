// The model zoo: small classifiers for 28x28-class inputs, built with GraphBuilder so every
// model is an ordinary Graph (prunable, quantizable, exportable like an imported one).
//   mlp             Flatten, FC 256, ReLU, FC 128, ReLU, FC classes (rank-2 inputs skip Flatten)
//   lenet5          LeNet-5 with ReLU and max pooling
//   fmnist-cnn      3x(Conv3x3+BN+ReLU) 32/64/128, MaxPool after the 2nd and 3rd, FC 256, FC classes
//   mobilenet-tiny  stem + depthwise-separable blocks (BN + ReLU6, strides), global avg pool, FC
//   resnet8         stem + 3 basic residual blocks (16/32/64, 1x1 projection shortcuts), GAP, FC
// Every model has one input "input" [-1, C, H, W] and one output "logits" [-1, classes].
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace prunq {

struct ModelOptions {
  Shape input_shape{-1, 1, 28, 28};  // batch may be -1; C, H, W must be known
  int64_t num_classes = 10;
  uint64_t seed = 0;  // parameter initialisation (PyTorch-style, see GraphBuilder)
};

// Unknown names are an Error listing the known ones.
Graph build_model(const std::string& arch, const ModelOptions& options = {});
std::vector<std::string> model_names();

}  // namespace prunq
