// ModelProto -> Graph. Internal to src/io/onnx (exposes protobuf types).
#pragma once
#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

#include "graph/graph.h"

namespace prunq::onnx_io {

// Newest ai.onnx opset libonnx 1.12 (Debian 12) knows; newer models fail its checker.
inline constexpr int kMaxImportOpset = 17;
// Old opsets are accepted for the ops whose rules normalise them (ONNX's own node tests still use
// opset 1..6 models for some ops); legacy forms the rules cannot express are refused by name.
inline constexpr int kMinImportOpset = 1;

// Parses bytes into a ModelProto; a corrupt or truncated file is an Error naming `what`.
onnx::ModelProto parse_model(const std::string& bytes, const std::string& what);

// Checks (onnx::checker), infers shapes (strict) and imports. `what` names the model in errors.
Graph import_model(onnx::ModelProto model, const std::string& what);

}  // namespace prunq::onnx_io
