#include "models/architectures.h"

namespace prunq::models {

// LeNet-5 as usually trained today: ReLU instead of tanh, max pooling instead of subsampling.
// conv1 pads by 2 so a 28x28 input gives the classic 32x32 geometry (16x5x5 before the FCs).
Graph build_lenet5(const ModelOptions& o) {
  GraphBuilder b("lenet5", o.seed);
  FeatureMap x = image_input(b, "lenet5", o, 12);
  int64_t h = x.height, w = x.width;
  ValueId y = b.relu(b.conv2d(x.value, x.channels, 6, 5, 1, 2, 1, true, "conv1"), "relu1");
  y = b.maxpool(y, 2, 2, "pool1");
  h = window_out(h, 2, 2, 0), w = window_out(w, 2, 2, 0);
  y = b.relu(b.conv2d(y, 6, 16, 5, 1, 0, 1, true, "conv2"), "relu2");
  h = window_out(h, 5, 1, 0), w = window_out(w, 5, 1, 0);
  y = b.maxpool(y, 2, 2, "pool2");
  h = window_out(h, 2, 2, 0), w = window_out(w, 2, 2, 0);
  y = b.flatten(y, "flatten");
  y = b.relu(b.linear(y, 16 * h * w, 120, true, "fc1"), "relu3");
  y = b.relu(b.linear(y, 120, 84, true, "fc2"), "relu4");
  return finish_classifier(b, b.linear(y, 84, o.num_classes, true, "fc3"));
}

}  // namespace prunq::models
