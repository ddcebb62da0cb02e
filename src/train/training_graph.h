// A training graph: the model plus a labels input and a SoftmaxCrossEntropyLoss (mean) node.
// It is a copy of the model Graph, and Graph copies share initializer storage, so training it
// updates the model's weights without copying them. ValueIds of the model carry over unchanged.
#pragma once
#include <string>

#include "graph/graph.h"

namespace prunq {

struct TrainingGraph {
  Graph graph;
  ValueId input = kNoValue;   // the model's input (graph input 0)
  ValueId labels = kNoValue;  // i64 [N] class indices (graph input 1)
  ValueId logits = kNoValue;  // the model's output (graph output 1)
  ValueId loss = kNoValue;    // scalar mean cross-entropy (graph output 0)
};

// The model must have one input and one [N, classes] output (the logits).
TrainingGraph make_training_graph(const Graph& model);

}  // namespace prunq
