#include "models/architectures.h"

namespace prunq::models {
namespace {

// Basic residual block: conv3x3(s)-BN-ReLU-conv3x3-BN, plus the input (through a 1x1 conv + BN
// projection when the stride or the channel count changes), then ReLU.
FeatureMap basic_block(GraphBuilder& b, const FeatureMap& x, int64_t out_ch, int64_t stride, const std::string& name) {
  FeatureMap y = conv_bn(b, x, out_ch, 3, stride, 1, name + ".conv1");
  y.value = b.relu(y.value, name + ".relu1");
  y = conv_bn(b, y, out_ch, 3, 1, 1, name + ".conv2");
  ValueId shortcut = x.value;
  if (stride != 1 || out_ch != x.channels) shortcut = conv_bn(b, x, out_ch, 1, stride, 1, name + ".shortcut").value;
  y.value = b.relu(b.add(y.value, shortcut, name + ".add"), name + ".relu2");
  return y;
}

}  // namespace

// 8 weight layers: stem conv, 3 blocks x 2 convs, the classifier (projections not counted).
Graph build_resnet8(const ModelOptions& o) {
  GraphBuilder b("resnet8", o.seed);
  FeatureMap x = image_input(b, "resnet8", o, 4);
  x = conv_bn(b, x, 16, 3, 1, 1, "stem");
  x.value = b.relu(x.value, "stem.relu");
  x = basic_block(b, x, 16, 1, "layer1");
  x = basic_block(b, x, 32, 2, "layer2");
  x = basic_block(b, x, 64, 2, "layer3");
  ValueId y = b.flatten(b.global_avgpool(x.value, "pool"), "flatten");
  return finish_classifier(b, b.linear(y, x.channels, o.num_classes, true, "fc"));
}

}  // namespace prunq::models
