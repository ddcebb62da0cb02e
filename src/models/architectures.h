// One builder per zoo architecture (each in its own file), and the small shape bookkeeping they
// share: layer sizes such as a Linear layer's in_features follow from the input shape.
#pragma once
#include <cstdint>
#include <string>

#include "graph/builder.h"
#include "models/zoo.h"

namespace prunq::models {

// Channels and spatial size of an NCHW activation, tracked while a model is being built.
struct FeatureMap {
  ValueId value;
  int64_t channels, height, width;
};

// Declares the NCHW input "input" and checks C, H, W are known and at least min_hw.
FeatureMap image_input(GraphBuilder& b, const std::string& arch, const ModelOptions& o, int64_t min_hw);
// Output size of a convolution / pooling window along one axis.
int64_t window_out(int64_t size, int64_t kernel, int64_t stride, int64_t pad);
// Conv (no bias) + BatchNorm, the building block of the BN-based models.
FeatureMap conv_bn(GraphBuilder& b, const FeatureMap& x, int64_t out_ch, int64_t kernel, int64_t stride,
                   int64_t groups, const std::string& name);
// Marks v as the model output "logits" and finishes the graph.
Graph finish_classifier(GraphBuilder& b, ValueId logits);

Graph build_mlp(const ModelOptions& o);
Graph build_lenet5(const ModelOptions& o);
Graph build_fmnist_cnn(const ModelOptions& o);
Graph build_mobilenet_tiny(const ModelOptions& o);
Graph build_resnet8(const ModelOptions& o);

}  // namespace prunq::models
