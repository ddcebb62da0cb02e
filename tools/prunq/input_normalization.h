// `prunq train` normalises images by the training set's mean and standard deviation. Rather
// than remembering those two numbers somewhere beside the model, they go into the model itself
// as a Sub and a Div node in front of its first layer: the saved model (native or ONNX) then
// takes raw [0, 1] pixels, so eval, run, export and any ONNX runtime need no extra knowledge.
#pragma once
#include "graph/graph.h"
#include "io/data/dataset.h"

namespace prunq::cli {

// Inserts x -> (x - mean) / std between graph input 0 and its consumers.
void prepend_input_normalization(Graph& graph, const Normalization& norm);

}  // namespace prunq::cli
