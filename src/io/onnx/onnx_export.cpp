// Graph -> ONNX ModelProto (opset 17, fp32), verified by onnx::checker before it is returned.
#include <onnx/checker.h>

#include "io/onnx/export_rules.h"
#include "io/onnx/file_io.h"
#include "io/onnx/onnx_io.h"
#include "io/onnx/onnx_types.h"
#include "io/onnx/tensor_proto.h"

namespace prunq {

namespace {

void add_value_info(const Graph& g, ValueId v, google::protobuf::RepeatedPtrField<onnx::ValueInfoProto>* out) {
  onnx::ValueInfoProto* vi = out->Add();
  vi->set_name(g.value(v).name);
  onnx_io::value_type_to_onnx(g.value(v).type, vi->mutable_type());
}

onnx::ModelProto export_model(const Graph& g) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("prunq");
  model.set_producer_version("0.1.0");
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(onnx_io::kExportOpset);
  onnx::GraphProto* gp = model.mutable_graph();
  gp->set_name(g.name);

  std::string unsupported;
  for (const Node& n : g.nodes())
    if (!onnx_io::find_export_rule(n))
      unsupported += "\n  " + n.op + (n.domain.empty() ? "" : " (domain " + n.domain + ")") + " (node '" + n.name + "')";
  PRUNQ_CHECK(unsupported.empty(), "ONNX export of graph '", g.name, "': ops without an ONNX mapping:", unsupported);

  for (ValueId v : g.inputs()) add_value_info(g, v, gp->mutable_input());
  // Weights keep their encoding (fp32 today); pruning masks are not part of ONNX.
  for (const auto& [v, init] : g.initializers()) onnx_io::encode_raw(init.data, g.value(v).name, gp->add_initializer());

  onnx_io::ExportWriter writer(g, gp);
  for (NodeId id : g.topo_order()) {
    const Node& n = g.node(id);
    (*onnx_io::find_export_rule(n))(n, writer);
  }
  // ONNX wants graph outputs produced by nodes; an output that is an input or a constant gets
  // an Identity under the output's name.
  for (ValueId v : g.outputs()) {
    bool produced = false;
    for (const Node& n : g.nodes())
      for (ValueId o : n.outputs) produced |= o == v;
    onnx::ValueInfoProto* vi = gp->add_output();
    onnx_io::value_type_to_onnx(g.value(v).type, vi->mutable_type());
    if (produced) {
      vi->set_name(g.value(v).name);
    } else {
      std::string out = writer.fresh(g.value(v).name + "_out");
      writer.node("Identity", out, {g.value(v).name}, {out});
      vi->set_name(out);
    }
  }
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception& e) {
    fail("ONNX export of graph '", g.name, "' does not pass onnx.checker: ", e.what());
  }
  return model;
}

}  // namespace

std::string export_onnx_bytes(const Graph& graph) {
  std::string bytes;
  PRUNQ_CHECK(export_model(graph).SerializeToString(&bytes), "ONNX export of graph '", graph.name,
              "': serialization failed (model over 2 GiB?)");
  return bytes;
}

void save_onnx(const Graph& graph, const std::string& path) {
  onnx_io::write_file_atomic(path, export_onnx_bytes(graph));
}

}  // namespace prunq
