#include "io/onnx/export_rules.h"

#include <cmath>
#include <map>
#include <set>

#include "io/onnx/onnx_types.h"
#include "io/onnx/tensor_proto.h"

namespace prunq::onnx_io {

std::string ExportWriter::fresh(const std::string& base) {
  for (;;) {
    std::string n = base + "_" + std::to_string(++counter_);
    if (g_.find_value(n) == kNoValue) return n;
  }
}

std::string ExportWriter::constant_f32(const std::string& base, float v) {
  std::string name = fresh(base);
  encode_raw(Tensor::scalar(v), name, out_->add_initializer());
  return name;
}

onnx::NodeProto* ExportWriter::node(const std::string& op, const std::string& name,
                                    const std::vector<std::string>& inputs, const std::vector<std::string>& outputs) {
  onnx::NodeProto* n = out_->add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (const auto& i : inputs) n->add_input(i);
  for (const auto& o : outputs) n->add_output(o);
  return n;
}

namespace {

std::vector<std::string> names(const std::vector<ValueId>& ids, ExportWriter& w) {
  std::vector<std::string> v;
  for (ValueId id : ids) v.push_back(id == kNoValue ? std::string() : w.name_of(id));
  return v;
}

// Same op type, inputs, outputs and attributes in ai.onnx.
void export_same(const Node& n, ExportWriter& w) {
  onnx::NodeProto* p = w.node(n.op, n.name, names(n.inputs, w), names(n.outputs, w));
  for (const auto& [key, value] : n.attrs.all()) attribute_to_onnx(key, value, p->add_attribute());
}

// Gelu is ai.onnx only from opset 20: written as x * 0.5 * (1 + erf(x / sqrt(2))), the form the
// importer fuses back, so export -> import round-trips to the same IR.
void export_gelu(const Node& n, ExportWriter& w) {
  PRUNQ_CHECK(n.attrs.get_string("approximate", "none") == "none", "node '", n.name,
              "' (Gelu): only the exact (erf) form can be exported to opset ", kExportOpset);
  const std::string x = w.name_of(n.inputs[0]), y = w.name_of(n.outputs[0]);
  std::string scaled = w.fresh(n.name + "_scaled"), erf = w.fresh(n.name + "_erf"),
              one_plus = w.fresh(n.name + "_1p"), times_x = w.fresh(n.name + "_x");
  w.node("Div", n.name + "_div", {x, w.constant_f32(n.name + "_sqrt2", std::sqrt(2.f))}, {scaled});
  w.node("Erf", n.name + "_erf", {scaled}, {erf});
  w.node("Add", n.name + "_add", {erf, w.constant_f32(n.name + "_one", 1.f)}, {one_plus});
  w.node("Mul", n.name + "_mulx", {x, one_plus}, {times_x});
  w.node("Mul", n.name, {times_x, w.constant_f32(n.name + "_half", 0.5f)}, {y});
}

// IR ops whose ai.onnx opset-17 form is exactly the IR form.
const std::set<std::string>& same_in_onnx() {
  // Add an op here only once its IR attributes/inputs are checked to be the opset-17 ones;
  // ops that differ (Gelu, later QDQ/int8 forms) get a rule in find_export_rule instead.
  static const std::set<std::string> s = {
      "Conv", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "Clip", "LeakyRelu", "Sigmoid", "Tanh",
      "HardSwish", "HardSigmoid", "Erf", "BatchNormalization", "MaxPool", "AveragePool", "GlobalAveragePool",
      "GlobalMaxPool", "Flatten", "Reshape", "Transpose", "Squeeze", "Unsqueeze", "Concat", "Softmax",
      "LogSoftmax", "Identity", "Dropout", "Pad", "Shape", "Gather", "Slice", "Cast", "Exp", "Log", "Sqrt", "Neg",
      "Abs", "Reciprocal", "Pow", "Elu", "Selu", "Softplus", "PRelu", "Floor", "Ceil", "Sum", "Max", "Min",
      "ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceSumSquare",
      "ReduceLogSum", "ReduceLogSumExp"};
  return s;
}

// QuantizeLinear / DequantizeLinear are ONNX's own ops. Opset 17 has no int4 type: i4 weights
// are written widened to INT8 (exact for a DequantizeLinear of them), but a QuantizeLinear to i4
// would saturate at int8's range in ONNX, so it cannot be exported.
void export_qdq(const Node& n, ExportWriter& w) {
  if (n.op == "QuantizeLinear")
    for (ValueId v : n.outputs)
      PRUNQ_CHECK(w.graph().value(v).type.dtype != DType::i4, "node '", n.name,
                  "' (QuantizeLinear): quantizes to i4, which ONNX opset ", kExportOpset, " cannot express");
  export_same(n, w);
}

}  // namespace

const ExportRule* find_export_rule(const Node& node) {
  static const ExportRule same = export_same;
  static const std::map<std::string, ExportRule> special = {
      {"Gelu", export_gelu}, {"QuantizeLinear", export_qdq}, {"DequantizeLinear", export_qdq}};
  auto it = special.find(node.op);
  if (it != special.end()) return &it->second;
  if ((node.domain.empty() || node.domain == "ai.onnx") && same_in_onnx().count(node.op)) return &same;
  return nullptr;
}

}  // namespace prunq::onnx_io
