#include "models/architectures.h"

namespace prunq::models {

// The reference Fashion-MNIST CNN (bench/train_pytorch_epoch.py builds the same network):
// Conv3x3 32 -> BN -> ReLU, Conv3x3 64 -> BN -> ReLU -> MaxPool 2, Conv3x3 128 -> BN -> ReLU ->
// MaxPool 2, Flatten, FC 256 -> ReLU, FC classes.
Graph build_fmnist_cnn(const ModelOptions& o) {
  GraphBuilder b("fmnist-cnn", o.seed);
  FeatureMap x = image_input(b, "fmnist-cnn", o, 4);
  x = conv_bn(b, x, 32, 3, 1, 1, "layer1");
  x.value = b.relu(x.value, "layer1.relu");
  x = conv_bn(b, x, 64, 3, 1, 1, "layer2");
  x.value = b.maxpool(b.relu(x.value, "layer2.relu"), 2, 2, "layer2.pool");
  x.height = window_out(x.height, 2, 2, 0), x.width = window_out(x.width, 2, 2, 0);
  x = conv_bn(b, x, 128, 3, 1, 1, "layer3");
  x.value = b.maxpool(b.relu(x.value, "layer3.relu"), 2, 2, "layer3.pool");
  x.height = window_out(x.height, 2, 2, 0), x.width = window_out(x.width, 2, 2, 0);
  ValueId y = b.flatten(x.value, "flatten");
  y = b.relu(b.linear(y, x.channels * x.height * x.width, 256, true, "fc1"), "fc1.relu");
  return finish_classifier(b, b.linear(y, 256, o.num_classes, true, "fc2"));
}

}  // namespace prunq::models
