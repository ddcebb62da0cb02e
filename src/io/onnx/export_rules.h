// The IR -> ONNX op mapping table used by the exporter. Most IR ops are ONNX ops already and
// are written as they are; ops without an ONNX counterpart in the target opset (prunq's Gelu,
// later quantized/fused ops) have a rule that expands them into standard ONNX nodes.
#pragma once
#include <onnx/onnx_pb.h>

#include <functional>
#include <string>

#include "graph/graph.h"

namespace prunq::onnx_io {

inline constexpr int kExportOpset = 17;

// What a rule uses to write ONNX.
class ExportWriter {
 public:
  ExportWriter(const Graph& g, onnx::GraphProto* out) : g_(g), out_(out) {}
  const Graph& graph() const { return g_; }
  const std::string& name_of(ValueId v) const { return g_.value(v).name; }
  // A fresh value name (for intermediates of expansions), unique in the exported graph.
  std::string fresh(const std::string& base);
  std::string constant_f32(const std::string& base, float v);  // scalar initializer
  onnx::NodeProto* node(const std::string& op, const std::string& name, const std::vector<std::string>& inputs,
                        const std::vector<std::string>& outputs);
  onnx::GraphProto* proto() { return out_; }

 private:
  const Graph& g_;
  onnx::GraphProto* out_;
  int counter_ = 0;
};

using ExportRule = std::function<void(const Node&, ExportWriter&)>;

// The rule for an IR node; nullptr when the op cannot be exported.
const ExportRule* find_export_rule(const Node& node);

}  // namespace prunq::onnx_io
