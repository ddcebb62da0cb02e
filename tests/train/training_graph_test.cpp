#include <gtest/gtest.h>

#include "models/zoo.h"
#include "runtime/executor.h"
#include "train/training_graph.h"

namespace prunq {
namespace {

TEST(TrainTrainingGraph, AddsLabelsAndMeanLossWithoutCopyingWeights) {
  Graph model = build_model("mlp");
  TrainingGraph t = make_training_graph(model);
  EXPECT_EQ(t.graph.inputs(), (std::vector<ValueId>{t.input, t.labels}));
  EXPECT_EQ(t.graph.outputs(), (std::vector<ValueId>{t.loss, t.logits}));
  EXPECT_EQ(t.graph.value(t.labels).type.dtype, DType::i64);
  const Node& loss = t.graph.nodes().back();
  EXPECT_EQ(loss.op, "SoftmaxCrossEntropyLoss");
  EXPECT_EQ(loss.attrs.get_string("reduction", ""), "mean");
  // Same ValueIds, same storage: updating the model's weights is updating the training graph's.
  for (const auto& [id, init] : model.initializers())
    EXPECT_TRUE(t.graph.initializer(id)->data.shares_storage(init.data)) << model.value(id).name;
  EXPECT_EQ(model.nodes().size() + 1, t.graph.nodes().size());  // the model itself is untouched
}

TEST(TrainTrainingGraph, LossMatchesTheUniformPredictionBound) {
  // With every weight zeroed, logits are 0 and the mean cross-entropy is exactly ln(10).
  Graph model = build_model("mlp");
  for (auto& [id, init] : model.initializers()) init.data.zero();
  TrainingGraph t = make_training_graph(model);
  Executor e(t.graph);
  auto out = e.run({Tensor::full({4, 1, 28, 28}, 0.5f), Tensor::from_vector_i64({4}, {0, 1, 2, 9})}, true);
  EXPECT_NEAR(out[0].f32()[0], std::log(10.f), 1e-5);
}

TEST(TrainTrainingGraph, RejectsModelsWithoutASingleLogitsOutput) {
  Graph two;
  ValueId a = two.add_input("a", {DType::f32, {-1, 3}, true});
  ValueId b = two.add_input("b", {DType::f32, {-1, 3}, true});
  two.add_output(a);
  two.add_output(b);
  EXPECT_THROW(make_training_graph(two), Error);
}

}  // namespace
}  // namespace prunq
