// prunq import / prunq export: format conversion. Both are the same operation (load by the
// input's extension, save by the output's); the two names exist because users think of ONNX
// as coming in and going out, and each checks that its direction makes sense.
#include <iostream>

#include "core/error.h"
#include "prunq/commands.h"
#include "prunq/model_files.h"

namespace prunq::cli {
namespace {

int convert(CommandLine& cl, const std::string& summary, ModelFormat expect_in, ModelFormat expect_out) {
  const char* in_ext = expect_in == ModelFormat::onnx ? ".onnx" : ".prunq";
  const char* out_ext = expect_out == ModelFormat::onnx ? ".onnx" : ".prunq";
  std::string in, out;
  cl.describe(summary).synopsis(std::string("MODEL") + in_ext + " -o OUT" + out_ext);
  cl.positional("MODEL", in, std::string("model to convert (") + in_ext + ")");
  cl.option("-o", out, "OUT", std::string("where to write the converted model (") + out_ext + ")")->required();
  cl.parse();
  if (model_format_of(out) != expect_out)
    cl.usage_error("the output of 'prunq " + cl.command() + "' must be a " + out_ext + " file, got '" + out + "'");
  Graph g = load_model_file(in);
  save_model_file(g, out);
  std::cerr << "prunq: wrote " << out << " (" << g.nodes().size() << " nodes, " << g.num_parameters(false)
            << " parameters)\n";
  return 0;
}

}  // namespace

int cmd_import(CommandLine& cl) {
  return convert(cl,
                 "Converts an ONNX model into prunq's native .prunq file (checked by onnx::checker,\n"
                 "normalised to opset-13 forms). Also accepts a .prunq input (a plain copy).",
                 ModelFormat::onnx, ModelFormat::native);
}

int cmd_export(CommandLine& cl) {
  return convert(cl,
                 "Writes a model (.prunq or .onnx) as an ONNX file (opset 17, fp32) that passes\n"
                 "onnx.checker. Pruning masks are not written: pruned weights are already zeros.",
                 ModelFormat::native, ModelFormat::onnx);
}

}  // namespace prunq::cli
