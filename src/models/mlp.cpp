#include "models/architectures.h"

namespace prunq::models {

Graph build_mlp(const ModelOptions& o) {
  GraphBuilder b("mlp", o.seed);
  const Shape& s = o.input_shape;
  ValueId x;
  int64_t features = 1;
  if (s.size() == 2) {
    // Tabular data ([N, F], e.g. from CSV) goes straight into the first layer.
    PRUNQ_CHECK(s[1] > 0, "model 'mlp': input shape ", shape_str(s), " needs a known feature count");
    x = b.input("input", DType::f32, s);
    features = s[1];
  } else {
    FeatureMap in = image_input(b, "mlp", o, 1);
    x = b.flatten(in.value, "flatten");
    features = in.channels * in.height * in.width;
  }
  ValueId h = b.relu(b.linear(x, features, 256, true, "fc1"), "relu1");
  h = b.relu(b.linear(h, 256, 128, true, "fc2"), "relu2");
  return finish_classifier(b, b.linear(h, 128, o.num_classes, true, "fc3"));
}

}  // namespace prunq::models
