// prunq import / prunq export: format conversion. Both are the same operation (load by the
// input's extension, save by the output's); the two names exist because users think of ONNX
// as coming in and going out, and each checks that its direction makes sense.
#include <iostream>

#include "core/error.h"
#include "prunq/args.h"
#include "prunq/commands.h"
#include "prunq/model_files.h"

namespace prunq::cli {
namespace {

int convert(const Args& args, const std::string& command, const std::string& summary, ModelFormat expect_in,
            ModelFormat expect_out) {
  const char* in_ext = expect_in == ModelFormat::onnx ? ".onnx" : ".prunq";
  const char* out_ext = expect_out == ModelFormat::onnx ? ".onnx" : ".prunq";
  ArgParser parser(command, std::string("MODEL") + in_ext + " -o OUT" + out_ext, summary);
  parser.positional("MODEL", std::string("model to convert (") + in_ext + ")")
      .option("o", "OUT", std::string("where to write the converted model (") + out_ext + "; required)");
  if (ArgParser::wants_help(args)) {
    std::cout << parser.help();
    return 0;
  }
  ParsedArgs a = parser.parse(args);
  if (!a.has("o")) throw UsageError("missing -o OUT (the output file)", parser.short_usage());
  const std::string in = a.positionals()[0], out = a.get("o");
  if (model_format_of(out) != expect_out)
    throw UsageError("the output of 'prunq " + command + "' must be a " + out_ext + " file, got '" + out + "'",
                     parser.short_usage());
  Graph g = load_model_file(in);
  save_model_file(g, out);
  std::cerr << "prunq: wrote " << out << " (" << g.nodes().size() << " nodes, " << g.num_parameters(false)
            << " parameters)\n";
  return 0;
}

}  // namespace

int cmd_import(const Args& args) {
  return convert(args, "import",
                 "Converts an ONNX model into prunq's native .prunq file (checked by onnx::checker,\n"
                 "normalised to opset-13 forms). Also accepts a .prunq input (a plain copy).",
                 ModelFormat::onnx, ModelFormat::native);
}

int cmd_export(const Args& args) {
  return convert(args, "export",
                 "Writes a model (.prunq or .onnx) as an ONNX file (opset 17, fp32) that passes\n"
                 "onnx.checker. Pruning masks are not written: pruned weights are already zeros.",
                 ModelFormat::native, ModelFormat::onnx);
}

}  // namespace prunq::cli
