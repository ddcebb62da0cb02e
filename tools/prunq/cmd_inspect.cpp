// prunq inspect MODEL [--json] [--batch B]: the model's interface and, per layer, op, output
// shape, parameters (and how many are non-zero, which shows pruning), weight bytes and MACs.
#include <cstdio>
#include <iostream>

#include "graph/model_stats.h"
#include "prunq/commands.h"
#include "io/json/json_file.h"
#include "prunq/model_files.h"

namespace prunq::cli {
namespace {

Json value_list(const Graph& g, const std::vector<ValueId>& ids) {
  Json list = Json::array();
  for (ValueId v : ids) {
    const Value& val = g.value(v);
    Json shape = val.type.rank_known ? Json(val.type.shape) : Json("unknown");
    list.push_back({{"name", val.name}, {"dtype", std::string(dtype_name(val.type.dtype))}, {"shape", shape}});
  }
  return list;
}

Json to_json(const std::string& path, const Graph& g, const ModelStats& s) {
  Json layers = Json::array();
  for (const NodeStats& n : s.nodes) {
    layers.push_back({{"op", n.op},
                      {"name", n.name},
                      {"output_shape", n.output.rank_known ? Json(n.output.shape) : Json("unknown")},
                      {"params", n.params},
                      {"nonzero_params", n.nonzero_params},
                      {"macs", n.macs},
                      {"bytes", n.weight_bytes}});
  }
  Json totals = {{"layers", static_cast<int64_t>(s.nodes.size())},
                 {"params", s.params},
                 {"nonzero_params", s.nonzero_params},
                 {"macs", s.macs},
                 {"bytes", s.weight_bytes}};
  return {{"model", path},
          {"name", g.name},
          {"inputs", value_list(g, g.inputs())},
          {"outputs", value_list(g, g.outputs())},
          {"layers", layers},
          {"totals", totals}};
}

void print_values(const char* what, const Graph& g, const std::vector<ValueId>& ids) {
  for (ValueId v : ids) std::cout << what << g.value(v).name << "  " << g.value(v).type.str() << "\n";
}

}  // namespace

int cmd_inspect(CommandLine& cl) {
  std::string path;
  int64_t batch = 1;
  bool json = false;
  cl.describe(
      "Shows a model's inputs and outputs and, for every layer: op, name, output shape,\n"
      "parameters (total and non-zero), weight bytes and multiply-accumulates (MACs).");
  cl.positional("MODEL", path, "model file (.prunq or .onnx)");
  cl.flag("--json", json, "print one JSON object instead of a table");
  cl.option("--batch", batch, "B", "batch size used for unknown (-1) dims when counting MACs", 1, 1 << 20)
      ->capture_default_str();
  cl.parse();
  Graph g = load_model_file(path);
  ModelStats stats = compute_model_stats(g, batch);
  if (json) {
    std::cout << json_text(to_json(path, g, stats)) << "\n";
    return 0;
  }
  std::cout << "model: " << path << " (graph '" << g.name << "', " << stats.nodes.size() << " layers)\n";
  print_values("input:  ", g, g.inputs());
  print_values("output: ", g, g.outputs());
  if (batch != 1) std::cout << "MACs counted for batch " << batch << "\n";
  std::cout << "\n" << format_model_stats(stats);
  return 0;
}

}  // namespace prunq::cli
