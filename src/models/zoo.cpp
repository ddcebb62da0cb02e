#include "models/zoo.h"

#include "models/architectures.h"

namespace prunq {
namespace {

struct ZooEntry {
  const char* name;
  Graph (*build)(const ModelOptions&);
};

constexpr ZooEntry kZoo[] = {
    {"mlp", models::build_mlp},
    {"lenet5", models::build_lenet5},
    {"fmnist-cnn", models::build_fmnist_cnn},
    {"mobilenet-tiny", models::build_mobilenet_tiny},
    {"resnet8", models::build_resnet8},
};

}  // namespace

std::vector<std::string> model_names() {
  std::vector<std::string> names;
  for (const ZooEntry& e : kZoo) names.emplace_back(e.name);
  return names;
}

Graph build_model(const std::string& arch, const ModelOptions& options) {
  PRUNQ_CHECK(options.num_classes >= 2, "model '", arch, "': num_classes must be at least 2, got ",
              options.num_classes);
  for (const ZooEntry& e : kZoo)
    if (arch == e.name) return e.build(options);
  std::string known;
  for (const ZooEntry& e : kZoo) known += (known.empty() ? "" : ", ") + std::string(e.name);
  fail("unknown model architecture '", arch, "' (known: ", known, ")");
}

namespace models {

FeatureMap image_input(GraphBuilder& b, const std::string& arch, const ModelOptions& o, int64_t min_hw) {
  const Shape& s = o.input_shape;
  PRUNQ_CHECK(s.size() == 4 && s[1] > 0 && s[2] > 0 && s[3] > 0 && (s[0] > 0 || s[0] == -1), "model '", arch,
              "': input shape must be [N or -1, C, H, W] with known C, H, W; got ", shape_str(s));
  PRUNQ_CHECK(s[2] >= min_hw && s[3] >= min_hw, "model '", arch, "': input ", shape_str(s), " is too small (needs H, W >= ",
              min_hw, ")");
  return {b.input("input", DType::f32, s), s[1], s[2], s[3]};
}

int64_t window_out(int64_t size, int64_t kernel, int64_t stride, int64_t pad) {
  return (size + 2 * pad - kernel) / stride + 1;
}

FeatureMap conv_bn(GraphBuilder& b, const FeatureMap& x, int64_t out_ch, int64_t kernel, int64_t stride,
                   int64_t groups, const std::string& name) {
  // No conv bias: the BatchNorm shift that follows makes it redundant (as in torchvision).
  const int64_t pad = kernel / 2;
  ValueId y = b.conv2d(x.value, x.channels, out_ch, kernel, stride, pad, groups, false, name + ".conv");
  y = b.batchnorm(y, out_ch, name + ".bn");
  return {y, out_ch, window_out(x.height, kernel, stride, pad), window_out(x.width, kernel, stride, pad)};
}

Graph finish_classifier(GraphBuilder& b, ValueId logits) {
  b.output(logits, "logits");
  return b.finish();
}

}  // namespace models
}  // namespace prunq
