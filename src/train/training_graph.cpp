#include "train/training_graph.h"

#include "graph/shape_inference.h"

namespace prunq {

TrainingGraph make_training_graph(const Graph& model) {
  PRUNQ_CHECK(model.inputs().size() == 1, "training graph: model '", model.name, "' must have exactly one input, has ",
              model.inputs().size());
  PRUNQ_CHECK(model.outputs().size() == 1, "training graph: model '", model.name,
              "' must have exactly one output (the logits), has ", model.outputs().size());
  TrainingGraph t;
  t.graph = model;  // shares every initializer's storage with the model
  t.graph.name = model.name + ".train";
  t.input = model.inputs()[0];
  t.logits = model.outputs()[0];
  const TensorType& logits_type = model.value(t.logits).type;
  PRUNQ_CHECK(!logits_type.rank_known || logits_type.shape.size() == 2, "training graph: model output '",
              model.value(t.logits).name, "' must be logits [N, classes], is ", logits_type.str());
  const Shape& in_shape = model.value(t.input).type.shape;
  const int64_t batch = in_shape.empty() ? -1 : in_shape[0];
  t.labels = t.graph.add_input(t.graph.find_value("labels") == kNoValue ? "labels" : "train.labels",
                               TensorType{DType::i64, {batch}, true});
  t.loss = t.graph.add_value("train.loss", TensorType{DType::f32, {}, true});
  Node loss;
  loss.op = "SoftmaxCrossEntropyLoss";
  loss.name = "train.loss";
  loss.inputs = {t.logits, t.labels};
  loss.outputs = {t.loss};
  loss.attrs.set("reduction", std::string("mean"));
  t.graph.add_node(std::move(loss));
  t.graph.outputs() = {t.loss, t.logits};
  infer_shapes(t.graph);
  return t;
}

}  // namespace prunq
