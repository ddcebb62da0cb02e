// The ONNX -> IR op mapping table. Each rule turns one ONNX node (any opset the importer accepts)
// into IR nodes in prunq's opset-13+ form: attributes that later opsets turned into inputs
// become constant inputs, old Softmax's 2-D coercion is made explicit, and so on. An ONNX op is
// supported when it has a rule and every IR op the rule emits is registered (src/ops).
#pragma once
#include <onnx/onnx_pb.h>

#include <functional>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "io/onnx/onnx_types.h"

namespace prunq::onnx_io {

// One ONNX node being imported, with its inputs/outputs already mapped to IR values.
struct ImportNode {
  const onnx::NodeProto& proto;
  std::string name;                   // node name (the op type when the ONNX node has none)
  int opset;                          // ai.onnx opset of the model
  std::vector<ValueId> inputs;        // kNoValue for omitted optional inputs
  std::vector<ValueId> outputs;
  Attributes attrs;                   // converted ONNX attributes
  std::vector<const ValueType*> input_types;  // statically inferred, nullptr when unknown
  std::string where() const { return "node '" + name + "' (" + proto.op_type() + ")"; }
};

// What rules use to build IR.
class ImportEmitter {
 public:
  explicit ImportEmitter(Graph& g) : g_(g) {}
  Graph& graph() { return g_; }
  ValueId constant_i64(const std::string& name, const std::vector<int64_t>& v, bool scalar = false);
  ValueId constant_f32(const std::string& name, float v);  // scalar
  ValueId intermediate(const std::string& name);            // type unknown until inference
  void node(const std::string& op, const std::string& name, std::vector<ValueId> inputs,
            std::vector<ValueId> outputs, Attributes attrs);

 private:
  Graph& g_;
};

struct ImportRule {
  std::string onnx_op;
  std::vector<std::string> ir_ops;  // IR ops the rule may emit
  std::function<void(ImportNode&, ImportEmitter&)> convert;
};

// nullptr when there is no rule for the op type.
const ImportRule* find_import_rule(const std::string& onnx_op);
const std::vector<ImportRule>& import_rules();

}  // namespace prunq::onnx_io
