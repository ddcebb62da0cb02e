#include "io/onnx/import_rules.h"

namespace prunq::onnx_io {

namespace {
// Graph::add_initializer wants a name nobody uses yet.
std::string fresh_name(const Graph& g, const std::string& base) {
  if (g.find_value(base) == kNoValue) return base;
  for (int i = 1;; ++i)
    if (g.find_value(base + "_" + std::to_string(i)) == kNoValue) return base + "_" + std::to_string(i);
}
}  // namespace

ValueId ImportEmitter::constant_i64(const std::string& name, const std::vector<int64_t>& v, bool scalar) {
  Shape shape = scalar ? Shape{} : Shape{static_cast<int64_t>(v.size())};
  return g_.add_initializer(fresh_name(g_, name), Tensor::from_vector_i64(shape, v), false);
}

ValueId ImportEmitter::constant_f32(const std::string& name, float v) {
  return g_.add_initializer(fresh_name(g_, name), Tensor::scalar(v), false);
}

ValueId ImportEmitter::intermediate(const std::string& name) {
  TensorType t;
  t.rank_known = false;
  return g_.add_value(name, t);
}

void ImportEmitter::node(const std::string& op, const std::string& name, std::vector<ValueId> inputs,
                         std::vector<ValueId> outputs, Attributes attrs) {
  // Unused trailing optional outputs (Dropout's mask, MaxPool's indices) are dropped; unused ones
  // in the middle get a placeholder value so output positions keep their meaning.
  while (!outputs.empty() && outputs.back() == kNoValue) outputs.pop_back();
  for (ValueId& v : outputs)
    if (v == kNoValue) v = intermediate(name + "_unused");
  while (!inputs.empty() && inputs.back() == kNoValue) inputs.pop_back();
  Node n;
  n.op = op;
  n.name = name;
  n.inputs = std::move(inputs);
  n.outputs = std::move(outputs);
  n.attrs = std::move(attrs);
  g_.add_node(std::move(n));
}

namespace {

void emit_same(ImportNode& n, ImportEmitter& e) {
  // Opset < 6 bookkeeping attribute with no meaning for inference.
  n.attrs.erase("consumed_inputs");
  e.node(n.proto.op_type(), n.name, n.inputs, n.outputs, n.attrs);
}

void set_input(std::vector<ValueId>& inputs, size_t i, ValueId v) {
  if (inputs.size() <= i) inputs.resize(i + 1, kNoValue);
  inputs[i] = v;
}

// Opset < 13 Squeeze/Unsqueeze carry axes as an attribute; 13+ as an int64 input.
void import_axes_op(ImportNode& n, ImportEmitter& e) {
  if (n.opset < 13 && n.attrs.has("axes")) {
    set_input(n.inputs, 1, e.constant_i64(n.name + "_axes", n.attrs.get_ints("axes")));
    n.attrs.erase("axes");
  }
  emit_same(n, e);
}

// Opset < 11 Clip has min/max attributes; 11+ optional scalar inputs.
void import_clip(ImportNode& n, ImportEmitter& e) {
  if (n.opset < 11) {
    if (n.attrs.has("min")) set_input(n.inputs, 1, e.constant_f32(n.name + "_min", n.attrs.get_float("min", 0)));
    if (n.attrs.has("max")) set_input(n.inputs, 2, e.constant_f32(n.name + "_max", n.attrs.get_float("max", 0)));
    n.attrs.erase("min");
    n.attrs.erase("max");
  }
  emit_same(n, e);
}

// Opset < 12 Dropout: ratio attribute (default 0.5), is_test attribute; 12+: ratio and
// training_mode inputs. Imported models run in inference mode unless the executor trains them.
void import_dropout(ImportNode& n, ImportEmitter& e) {
  if (n.opset < 12) {
    set_input(n.inputs, 1, e.constant_f32(n.name + "_ratio", n.attrs.get_float("ratio", 0.5f)));
    n.attrs.erase("ratio");
    n.attrs.erase("is_test");
  }
  emit_same(n, e);
}

void import_batchnorm(ImportNode& n, ImportEmitter& e) {
  PRUNQ_CHECK(n.attrs.get_int("training_mode", 0) == 0, n.where(),
              ": training_mode=1 is not supported; export the model in eval mode");
  PRUNQ_CHECK(n.attrs.get_int("spatial", 1) == 1, n.where(), ": spatial=0 (per-element statistics) is not supported");
  for (size_t i = 1; i < n.outputs.size(); ++i)
    PRUNQ_CHECK(n.outputs[i] == kNoValue, n.where(), ": the running-statistics outputs (training mode) are not supported");
  n.attrs.erase("training_mode");
  n.attrs.erase("spatial");
  n.attrs.erase("is_test");
  n.attrs.erase("consumed_inputs");
  emit_same(n, e);
}

// Opset < 13 Softmax/LogSoftmax flatten the input to 2-D at `axis` (default 1) and normalise
// each row; 13+ normalise along one axis. Same thing when axis is the last one; otherwise made
// explicit as Flatten -> Softmax(axis=1) -> Reshape back.
void import_softmax(ImportNode& n, ImportEmitter& e) {
  if (n.opset >= 13) {
    emit_same(n, e);
    return;
  }
  const ValueType* t = n.input_types.empty() ? nullptr : n.input_types[0];
  PRUNQ_CHECK(t && t->type.rank_known, n.where(), ": opset ", n.opset,
              " Softmax needs the input rank to be known (its semantics depend on it)");
  int64_t rank = static_cast<int64_t>(t->type.shape.size());
  int64_t axis = n.attrs.get_int("axis", 1);
  if (axis < 0) axis += rank;
  PRUNQ_CHECK(axis >= 0 && axis < std::max<int64_t>(rank, 1), n.where(), ": axis ", n.attrs.get_int("axis", 1),
              " out of range for rank ", rank);
  Attributes a;
  if (axis == rank - 1 || rank <= 1) {
    a.set("axis", rank <= 1 ? int64_t{-1} : axis);
    e.node(n.proto.op_type(), n.name, n.inputs, n.outputs, a);
    return;
  }
  std::vector<int64_t> back = t->type.shape;
  int unknown = 0;
  for (int64_t& d : back)
    if (d < 0) {
      d = -1;
      ++unknown;
    }
  PRUNQ_CHECK(unknown <= 1, n.where(), ": opset ", n.opset, " Softmax over axis ", axis, " of ", t->type.str(),
              " needs all but one dim to be known");
  const std::string base = n.name.empty() ? "softmax" : n.name;
  ValueId flat = e.intermediate(base + "_2d");
  ValueId soft = e.intermediate(base + "_2d_softmax");
  Attributes fa;
  fa.set("axis", axis);
  e.node("Flatten", base + "_flatten", {n.inputs[0]}, {flat}, fa);
  Attributes sa;
  sa.set("axis", int64_t{1});
  e.node(n.proto.op_type(), base, {flat}, {soft}, sa);
  e.node("Reshape", base + "_reshape", {soft, e.constant_i64(base + "_shape", back)}, {n.outputs[0]}, {});
}

// Opset < 11 Pad: pads and value attributes; 11+: pads and constant_value inputs.
void import_pad(ImportNode& n, ImportEmitter& e) {
  if (n.opset < 11) {
    set_input(n.inputs, 1, e.constant_i64(n.name + "_pads", n.attrs.get_ints("pads")));
    set_input(n.inputs, 2, e.constant_f32(n.name + "_value", n.attrs.get_float("value", 0.f)));
    n.attrs.erase("pads");
    n.attrs.erase("value");
  }
  emit_same(n, e);
}

// Opset < 7 arithmetic had its own broadcasting (broadcast=1 with an axis); 7+ uses numpy rules.
void import_arith(ImportNode& n, ImportEmitter& e) {
  PRUNQ_CHECK(n.attrs.get_int("broadcast", 0) == 0, n.where(), ": opset ", n.opset,
              " legacy broadcasting (broadcast=1) is not supported; convert the model to opset 7+");
  n.attrs.erase("broadcast");
  n.attrs.erase("axis");
  emit_same(n, e);
}

// Opset < 13 ReduceSum has its axes as an attribute; 13+ as an optional input.
void import_reduce_sum(ImportNode& n, ImportEmitter& e) {
  if (n.opset < 13 && n.attrs.has("axes")) {
    set_input(n.inputs, 1, e.constant_i64(n.name + "_axes", n.attrs.get_ints("axes")));
    n.attrs.erase("axes");
  }
  emit_same(n, e);
}

// Opset < 5 Reshape has the target shape as an attribute; 5+ as an input.
void import_reshape(ImportNode& n, ImportEmitter& e) {
  if (n.opset < 5 && n.attrs.has("shape")) {
    set_input(n.inputs, 1, e.constant_i64(n.name + "_shape", n.attrs.get_ints("shape")));
    n.attrs.erase("shape");
  }
  emit_same(n, e);
}

ImportRule same(const std::string& op) { return {op, {op}, emit_same}; }

}  // namespace

const std::vector<ImportRule>& import_rules() {
  static const std::vector<ImportRule> rules = [] {
    std::vector<ImportRule> r;
    // Ops whose ONNX semantics are the same in every opset 7..17 as in prunq's IR.
    for (const char* op :
         {"Conv", "Gemm", "MatMul", "Relu", "LeakyRelu", "Sigmoid", "Tanh", "HardSwish",
          "HardSigmoid", "Erf", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Flatten",
          "Transpose", "Concat", "Identity", "Shape", "Gather", "Slice", "Cast", "Exp", "Log", "Sqrt", "Neg", "Abs",
          "Reciprocal", "Pow", "Elu", "Selu", "Softplus", "PRelu", "Floor", "Ceil", "Sum", "Max", "Min",
          "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceSumSquare",
          "ReduceLogSum", "ReduceLogSumExp"})
      r.push_back(same(op));
    // QDQ: opset 10's forms have no axis attribute (per tensor only) and read the same.
    for (const char* op : {"QuantizeLinear", "DequantizeLinear"}) r.push_back(same(op));
    r.push_back({"ReduceSum", {"ReduceSum"}, import_reduce_sum});
    for (const char* op : {"Add", "Sub", "Mul", "Div"}) r.push_back({op, {op}, import_arith});
    r.push_back({"Reshape", {"Reshape"}, import_reshape});
    r.push_back({"Squeeze", {"Squeeze"}, import_axes_op});
    r.push_back({"Unsqueeze", {"Unsqueeze"}, import_axes_op});
    r.push_back({"Clip", {"Clip"}, import_clip});
    r.push_back({"Dropout", {"Dropout"}, import_dropout});
    r.push_back({"BatchNormalization", {"BatchNormalization"}, import_batchnorm});
    r.push_back({"Softmax", {"Softmax", "Flatten", "Reshape"}, import_softmax});
    r.push_back({"LogSoftmax", {"LogSoftmax", "Flatten", "Reshape"}, import_softmax});
    r.push_back({"Pad", {"Pad"}, import_pad});
    return r;
  }();
  return rules;
}

const ImportRule* find_import_rule(const std::string& onnx_op) {
  for (const ImportRule& r : import_rules())
    if (r.onnx_op == onnx_op) return &r;
  return nullptr;
}

}  // namespace prunq::onnx_io
