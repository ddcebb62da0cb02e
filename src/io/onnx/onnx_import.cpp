#include "io/onnx/onnx_import.h"

#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>

#include <map>
#include <optional>
#include <set>

#include "io/onnx/graph_rewrites.h"
#include "io/onnx/import_rules.h"
#include "io/onnx/onnx_types.h"
#include "io/onnx/shape_folding.h"
#include "io/onnx/tensor_proto.h"
#include "graph/shape_inference.h"
#include "ops/op.h"

namespace prunq::onnx_io {

namespace {

int model_opset(const onnx::ModelProto& m, const std::string& what) {
  for (const auto& o : m.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") return static_cast<int>(o.version());
  fail(what, ": the model imports no ai.onnx opset");
}

bool is_standard_domain(const std::string& d) { return d.empty() || d == "ai.onnx"; }

// Why a non-folded node cannot be imported, or "" when it can.
std::string unsupported_reason(const onnx::NodeProto& n) {
  if (!is_standard_domain(n.domain())) return "domain '" + n.domain() + "'";
  const ImportRule* rule = find_import_rule(n.op_type());
  if (!rule) return "no importer rule";
  for (const std::string& ir : rule->ir_ops)
    if (!find_op(ir)) return "IR op " + ir + " not built in";
  return "";
}

class Importer {
 public:
  Importer(const onnx::ModelProto& m, const std::string& what) : g_proto_(m.graph()), what_(what) {
    opset_ = model_opset(m, what);
  }

  // Pass 1: decide which nodes fold away; list every node that cannot be imported.
  std::vector<std::string> plan() {
    collect_types();
    for (const auto& init : g_proto_.initializer()) {
      Tensor t = tensor_from_proto(init, init.name());
      initializers_[init.name()] = t;
      if (t.dtype() == DType::i64 && t.rank() <= 1) folded_[init.name()] = Folded::from_tensor(t);
    }
    std::vector<std::string> bad;
    for (const auto& n : g_proto_.node()) {
      if (is_standard_domain(n.domain()) && is_foldable_op(n.op_type())) {
        std::vector<const Folded*> in;
        for (const std::string& name : n.input()) in.push_back(name.empty() ? &omitted_ : find_folded(name));
        auto out = try_fold(n, opset_, in, [&](const std::string& v) { return type_of(v); });
        if (out) {
          for (int i = 0; i < n.output_size() && i < static_cast<int>(out->size()); ++i)
            folded_[n.output(i)] = (*out)[size_t(i)];
          continue;
        }
      }
      std::string why = unsupported_reason(n);
      if (!why.empty()) bad.push_back(n.op_type() + " (node '" + n.name() + "': " + why + ")");
    }
    return bad;
  }

  // Pass 2: build the IR.
  Graph build() {
    Graph g;
    g.name = g_proto_.name().empty() ? "model" : g_proto_.name();
    std::map<std::string, int> uses;
    for (const auto& n : g_proto_.node())
      for (const std::string& i : n.input()) ++uses[i];
    for (const auto& o : g_proto_.output()) ++uses[o.name()];

    // Initializers that something outside the folded shape arithmetic still reads.
    std::set<std::string> needed;
    for (const auto& n : g_proto_.node())
      if (!folded_all_outputs(n))
        for (const std::string& i : n.input()) needed.insert(i);
    for (const auto& o : g_proto_.output()) needed.insert(o.name());
    for (const auto& init : g_proto_.initializer())
      if (needed.count(init.name())) ids_[init.name()] = g.add_initializer(init.name(), initializers_[init.name()], false);

    for (const auto& in : g_proto_.input()) {
      if (initializers_.count(in.name())) continue;  // IR < 4 models list initializers as inputs too
      ValueType vt = value_type_from_onnx(in.type(), in.name());
      ids_[in.name()] = g.add_input(in.name(), vt.type);
    }

    ImportEmitter emit(g);
    for (const auto& n : g_proto_.node()) {
      if (folded_all_outputs(n)) continue;
      ImportNode node{n, n.name().empty() ? n.op_type() : n.name(), opset_, {}, {}, attributes_from_onnx(n), {}};
      for (int i = 0; i < n.input_size(); ++i) {
        node.inputs.push_back(resolve_input(g, n, i));
        node.input_types.push_back(n.input(i).empty() ? nullptr : type_of(n.input(i)));
      }
      for (int i = 0; i < n.output_size(); ++i) {
        const std::string& name = n.output(i);
        if (name.empty() || (i > 0 && uses[name] == 0)) {
          node.outputs.push_back(kNoValue);
          continue;
        }
        PRUNQ_CHECK(!ids_.count(name), what_, ": value '", name, "' is produced twice");
        const ValueType* t = type_of(name);
        TensorType tt;
        if (t) tt = t->type;
        else tt.rank_known = false;
        ids_[name] = g.add_value(name, tt);
        PRUNQ_CHECK(g.value(ids_[name]).name == name, what_, ": value name '", name, "' is used twice");
        node.outputs.push_back(ids_[name]);
      }
      find_import_rule(n.op_type())->convert(node, emit);
    }
    for (const auto& o : g_proto_.output()) g.add_output(value_for(g, o.name(), "graph output"));
    fuse_gelu(g);
    fuse_hardswish(g);
    mark_trainable_parameters(g);
    attach_dequantize_params(g);
    infer_shapes(g);  // value types as the IR's own ops see them (replaces ONNX's inference)
    return g;
  }

 private:
  void collect_types() {
    auto add = [&](const onnx::ValueInfoProto& vi) {
      if (vi.has_type() && vi.type().has_tensor_type() && vi.type().tensor_type().elem_type() != 0) {
        try {
          types_[vi.name()] = value_type_from_onnx(vi.type(), vi.name());
        } catch (const Error&) {
          // An unsupported element type only matters if a node actually uses the value; the
          // node's own conversion then reports it.
        }
      }
    };
    for (const auto& v : g_proto_.input()) add(v);
    for (const auto& v : g_proto_.output()) add(v);
    for (const auto& v : g_proto_.value_info()) add(v);
    for (const auto& init : g_proto_.initializer()) {
      if (types_.count(init.name())) continue;
      ValueType vt;
      vt.type.dtype = DType::f32;
      try {
        vt.type.dtype = dtype_from_onnx(init.data_type(), init.name());
      } catch (const Error&) {
      }
      for (int64_t d : init.dims()) {
        vt.type.shape.push_back(d);
        vt.dims.push_back(SymDim{d, ""});
      }
      types_[init.name()] = vt;
    }
  }

  const ValueType* type_of(const std::string& name) const {
    auto it = types_.find(name);
    return it == types_.end() ? nullptr : &it->second;
  }
  const Folded* find_folded(const std::string& name) const {
    auto it = folded_.find(name);
    return it == folded_.end() ? nullptr : &it->second;
  }
  bool folded_all_outputs(const onnx::NodeProto& n) const {
    if (n.output_size() == 0) return false;
    for (const std::string& o : n.output())
      if (!o.empty() && !folded_.count(o)) return false;
    return true;
  }

  // A value by name; folded values that are fully known become (non-trainable) initializers.
  ValueId value_for(Graph& g, const std::string& name, const std::string& user) {
    auto it = ids_.find(name);
    if (it != ids_.end()) return it->second;
    const Folded* f = find_folded(name);
    PRUNQ_CHECK(f, what_, ": ", user, " uses value '", name, "' which no node, input or initializer defines");
    PRUNQ_CHECK(f->fully_known(), what_, ": ", user, " needs value '", name, "' = ", f->describe(),
                " at import time, but it depends on dynamic dims; prunq needs static shapes here "
                "(only the batch may be dynamic, and only where a Reshape copies it)");
    return ids_[name] = g.add_initializer(name, f->tensor, false);
  }

  ValueId resolve_input(Graph& g, const onnx::NodeProto& n, int i) {
    const std::string& name = n.input(i);
    if (name.empty()) return kNoValue;
    const std::string user = "node '" + n.name() + "' (" + n.op_type() + ")";
    const Folded* f = ids_.count(name) ? nullptr : find_folded(name);
    if (f && !f->fully_known() && n.op_type() == "Reshape" && i == 1) return reshape_target(g, n, *f);
    return value_for(g, name, user);
  }

  // Reshape target with symbolic entries: an entry equal to the data's own dim at that position
  // becomes 0 ("copy"), one remaining unknown becomes -1 ("infer").
  ValueId reshape_target(Graph& g, const onnx::NodeProto& n, const Folded& f) {
    const ValueType* data = type_of(n.input(0));
    bool allowzero = false;
    for (const auto& a : n.attribute())
      if (a.name() == "allowzero") allowzero = a.i() != 0;
    std::vector<int64_t> target;
    int inferred = 0;
    for (size_t j = 0; j < f.elems.size(); ++j) {
      const SymDim& d = f.elems[j];
      if (d.known()) {
        target.push_back(d.value);
        inferred += d.value == -1;
      } else if (!allowzero && data && j < data->dims.size() && data->dims[j].symbol == d.symbol) {
        target.push_back(0);
      } else {
        target.push_back(-1);
        ++inferred;
      }
    }
    PRUNQ_CHECK(inferred <= 1, what_, ": node '", n.name(), "' (Reshape): target shape ", f.describe(),
                " has more than one dim that is only known at run time");
    std::string name = n.input(1);
    if (g.find_value(name) != kNoValue) name += "_static";
    return g.add_initializer(name, Tensor::from_vector_i64({static_cast<int64_t>(target.size())}, target), false);
  }

  const onnx::GraphProto& g_proto_;
  std::string what_;
  int opset_ = 0;
  std::map<std::string, ValueType> types_;
  std::map<std::string, Tensor> initializers_;
  std::map<std::string, Folded> folded_;
  std::map<std::string, ValueId> ids_;
  Folded omitted_;
};

void check_and_infer(onnx::ModelProto& model, const std::string& what) {
  int opset = model_opset(model, what);
  PRUNQ_CHECK(opset <= kMaxImportOpset, what, ": ai.onnx opset ", opset, " is newer than the ONNX library prunq "
              "is built with knows (libonnx 1.12: opsets up to ", kMaxImportOpset, ")");
  PRUNQ_CHECK(opset >= kMinImportOpset, what, ": ai.onnx opset ", opset, " is older than prunq supports (",
              kMinImportOpset, "+)");
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception& e) {
    fail(what, ": ONNX checker rejected the model: ", e.what());
  }
  try {
    onnx::ShapeInferenceOptions opts(/*check_type=*/true, /*strict_mode=*/1, /*data_prop=*/false);
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), opts);
  } catch (const std::exception& e) {
    fail(what, ": ONNX shape inference failed: ", e.what());
  }
}

}  // namespace

onnx::ModelProto parse_model(const std::string& bytes, const std::string& what) {
  onnx::ModelProto model;
  PRUNQ_CHECK(!bytes.empty(), what, ": empty file, not an ONNX model");
  PRUNQ_CHECK(model.ParseFromString(bytes), what, ": not a valid ONNX model (protobuf parse failed; file corrupt or "
              "truncated?)");
  PRUNQ_CHECK(model.has_graph(), what, ": ONNX model has no graph (file corrupt or truncated?)");
  return model;
}

Graph import_model(onnx::ModelProto model, const std::string& what) {
  check_and_infer(model, what);
  Importer imp(model, what);
  std::vector<std::string> bad = imp.plan();
  if (!bad.empty()) {
    std::string list;
    for (const std::string& b : bad) list += "\n  " + b;
    fail(what, ": ", bad.size(), " node(s) use ops prunq cannot import:", list);
  }
  return imp.build();
}

}  // namespace prunq::onnx_io
