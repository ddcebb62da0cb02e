#include "models/architectures.h"

namespace prunq::models {
namespace {

// Depthwise 3x3 (stride s) -> BN -> ReLU6 -> pointwise 1x1 -> BN -> ReLU6 (MobileNet v1 block).
FeatureMap separable_block(GraphBuilder& b, FeatureMap x, int64_t out_ch, int64_t stride, const std::string& name) {
  x = conv_bn(b, x, x.channels, 3, stride, x.channels, name + ".dw");
  x.value = b.relu6(x.value, name + ".dw.relu6");
  x = conv_bn(b, x, out_ch, 1, 1, 1, name + ".pw");
  x.value = b.relu6(x.value, name + ".pw.relu6");
  return x;
}

}  // namespace

Graph build_mobilenet_tiny(const ModelOptions& o) {
  GraphBuilder b("mobilenet-tiny", o.seed);
  FeatureMap x = image_input(b, "mobilenet-tiny", o, 4);
  x = conv_bn(b, x, 16, 3, 1, 1, "stem");
  x.value = b.relu6(x.value, "stem.relu6");
  struct BlockSpec {
    int64_t out_ch, stride;
  };
  // 28x28 -> 28 -> 14 -> 14 -> 7 -> 7: two downsamplings, channels doubling at each.
  const BlockSpec blocks[] = {{32, 1}, {64, 2}, {64, 1}, {128, 2}, {128, 1}};
  int i = 1;
  for (const BlockSpec& s : blocks) x = separable_block(b, x, s.out_ch, s.stride, "block" + std::to_string(i++));
  ValueId y = b.flatten(b.global_avgpool(x.value, "pool"), "flatten");
  return finish_classifier(b, b.linear(y, x.channels, o.num_classes, true, "fc"));
}

}  // namespace prunq::models
