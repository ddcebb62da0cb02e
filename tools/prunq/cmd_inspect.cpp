// prunq inspect MODEL [--json] [--batch B]: the model's interface and, per layer, op, output
// shape, parameters (and how many are non-zero, which shows pruning), weight bytes and MACs.
#include <cstdio>
#include <iostream>

#include "graph/model_stats.h"
#include "prunq/args.h"
#include "prunq/commands.h"
#include "prunq/json_writer.h"
#include "prunq/model_files.h"

namespace prunq::cli {
namespace {

ArgParser make_parser() {
  ArgParser p("inspect", "MODEL [--json] [--batch B]",
              "Shows a model's inputs and outputs and, for every layer: op, name, output shape,\n"
              "parameters (total and non-zero), weight bytes and multiply-accumulates (MACs).");
  p.positional("MODEL", "model file (.prunq or .onnx)")
      .flag("json", "print one JSON object instead of a table")
      .option("batch", "B", "batch size used for unknown (-1) dims when counting MACs (default 1)");
  return p;
}

void write_value_list(JsonWriter& j, const Graph& g, const std::vector<ValueId>& ids) {
  j.begin_array();
  for (ValueId v : ids) {
    const Value& val = g.value(v);
    j.begin_object().key("name").value(val.name).key("dtype").value(std::string(dtype_name(val.type.dtype)));
    j.key("shape");
    if (val.type.rank_known) {
      j.int_array(val.type.shape);
    } else {
      j.value("unknown");
    }
    j.end_object();
  }
  j.end_array();
}

std::string to_json(const std::string& path, const Graph& g, const ModelStats& s) {
  JsonWriter j;
  j.begin_object().key("model").value(path).key("name").value(g.name);
  j.key("inputs");
  write_value_list(j, g, g.inputs());
  j.key("outputs");
  write_value_list(j, g, g.outputs());
  j.key("layers").begin_array();
  for (const NodeStats& n : s.nodes) {
    j.begin_object().key("op").value(n.op).key("name").value(n.name).key("output_shape");
    if (n.output.rank_known) {
      j.int_array(n.output.shape);
    } else {
      j.value("unknown");
    }
    j.key("params").value(n.params).key("nonzero_params").value(n.nonzero_params);
    j.key("macs").value(n.macs).key("bytes").value(n.weight_bytes).end_object();
  }
  j.end_array();
  j.key("totals").begin_object();
  j.key("layers").value(static_cast<int64_t>(s.nodes.size())).key("params").value(s.params);
  j.key("nonzero_params").value(s.nonzero_params).key("macs").value(s.macs).key("bytes").value(s.weight_bytes);
  j.end_object().end_object();
  return j.str();
}

void print_values(const char* what, const Graph& g, const std::vector<ValueId>& ids) {
  for (ValueId v : ids) std::cout << what << g.value(v).name << "  " << g.value(v).type.str() << "\n";
}

}  // namespace

int cmd_inspect(const Args& args) {
  ArgParser parser = make_parser();
  if (ArgParser::wants_help(args)) {
    std::cout << parser.help();
    return 0;
  }
  ParsedArgs a = parser.parse(args);
  const std::string path = a.positionals()[0];
  const int64_t batch = a.get_int("batch", 1, 1, 1 << 20);
  Graph g = load_model_file(path);
  ModelStats stats = compute_model_stats(g, batch);
  if (a.has("json")) {
    std::cout << to_json(path, g, stats) << "\n";
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
