// prunq run MODEL --input [NAME=]FILE ... --output-dir DIR: one inference on user tensors.
// Inputs are .npy files or ONNX TensorProto .pb files; each graph output is written as
// DIR/<output name>.npy. Inputs without NAME= fill the graph inputs in their declared order.
#include <filesystem>
#include <iostream>

#include "core/error.h"
#include "core/thread_pool.h"
#include "io/data/npy.h"
#include "prunq/commands.h"
#include "prunq/model_files.h"
#include "runtime/executor.h"
#ifdef PRUNQ_HAVE_ONNX
#include "io/onnx/onnx_io.h"
#endif

namespace prunq::cli {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Tensor read_input_tensor(const std::string& path) {
  std::error_code ec;
  PRUNQ_CHECK(std::filesystem::exists(path, ec), "input file '", path, "' does not exist");
  // Devices and FIFOs would block or never end.
  PRUNQ_CHECK(std::filesystem::is_regular_file(path, ec), "input file '", path, "' is not a regular file");
  if (ends_with(path, ".npy")) return read_npy(path);
  if (ends_with(path, ".pb")) {
#ifdef PRUNQ_HAVE_ONNX
    return read_tensor_pb(path);
#else
    fail("input file '", path, "': reading ONNX .pb tensors needs a prunq built with ONNX support");
#endif
  }
  fail("input file '", path, "': unknown format (expected .npy or an ONNX TensorProto .pb)");
}

// Output names are graph value names, which may hold '/' or ':' (ONNX exporters love them);
// keep file names to a safe alphabet so an output can never escape the output folder.
std::string file_name_for(const std::string& value_name) {
  std::string s;
  for (char c : value_name) {
    bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                c == '_' || c == '.';
    s += safe ? c : '_';
  }
  if (s.empty() || s == "." || s == "..") s = "output" + s;
  return s + ".npy";
}

// Binds each --input to a graph input slot: "NAME=FILE" when NAME is a graph input, otherwise the
// whole argument is a file for the next unbound slot (so paths with '=' still work).
std::vector<std::string> bind_inputs(const Graph& g, const std::vector<std::string>& specs,
                                     const CommandLine& cl) {
  const size_t n = g.inputs().size();
  std::vector<std::string> files(n);
  std::vector<std::string> unnamed;
  for (const std::string& spec : specs) {
    size_t eq = spec.find('=');
    ValueId v = eq == std::string::npos ? kNoValue : g.find_value(spec.substr(0, eq));
    size_t slot = n;
    for (size_t i = 0; i < n && v != kNoValue; ++i)
      if (g.inputs()[i] == v) slot = i;
    const std::string file = slot == n ? spec : spec.substr(eq + 1);
    if (file.empty()) cl.usage_error("--input '" + spec + "' names no file");
    if (slot == n) {
      unnamed.push_back(spec);
      continue;
    }
    if (!files[slot].empty()) cl.usage_error("input '" + g.value(v).name + "' given twice");
    files[slot] = file;
  }
  size_t next = 0;
  for (const std::string& f : unnamed) {
    while (next < n && !files[next].empty()) ++next;
    if (next == n) {
      cl.usage_error("too many inputs: the model has " + std::to_string(n) + " input(s); '" + f +
                     "' is left over (or NAME= does not name a graph input)");
    }
    files[next] = f;
  }
  for (size_t i = 0; i < n; ++i)
    if (files[i].empty())
      cl.usage_error("missing input '" + g.value(g.inputs()[i]).name + "' (" + g.value(g.inputs()[i]).type.str() +
                     "): give it with --input " + g.value(g.inputs()[i]).name + "=FILE");
  return files;
}

}  // namespace

int cmd_run(CommandLine& cl) {
  std::string model_path, output_dir;
  std::vector<std::string> input_specs;
  int threads = 0;
  cl.describe(
        "Runs a model once on the given input tensors and writes every graph output as\n"
        "DIR/<output name>.npy. Inputs are NumPy .npy or ONNX TensorProto .pb files.")
      .synopsis("MODEL --input [NAME=]FILE ... --output-dir DIR")
      .epilog(
          "Output files are named after the graph outputs; characters other than letters, digits,\n"
          "'-', '_' and '.' become '_' (an ONNX output 'out/0' is written as out_0.npy).\n\n"
          "example:\n  prunq run model.prunq --input input=image.npy --output-dir out/");
  cl.positional("MODEL", model_path, "model file (.prunq or .onnx)");
  cl.repeated("--input", input_specs, "[NAME=]FILE",
              "a graph input; repeat for each. Without NAME=, inputs fill the graph\n"
              "inputs in order");
  cl.option("--output-dir", output_dir, "DIR", "folder for the outputs (created if missing)")->required();
  cl.option("--threads", threads, "T", "worker threads (default: PRUNQ_NUM_THREADS or all cores)", 1, 1024);
  cl.parse();
  if (threads > 0) set_num_threads(threads);
  Graph g = load_model_file(model_path);
  std::vector<std::string> files = bind_inputs(g, input_specs, cl);

  std::vector<Tensor> inputs;
  for (const std::string& f : files) inputs.push_back(read_input_tensor(f));
  Executor exec(g);
  std::vector<Tensor> outputs = exec.run(inputs);

  const std::filesystem::path dir = output_dir;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  PRUNQ_CHECK(!ec && std::filesystem::is_directory(dir), "cannot create output folder '", dir.string(),
              "': ", ec ? ec.message() : "a file of that name exists");
  for (size_t i = 0; i < outputs.size(); ++i) {
    const std::string path = (dir / file_name_for(g.value(g.outputs()[i]).name)).string();
    write_npy(path, outputs[i]);
    std::cout << g.value(g.outputs()[i]).name << " " << outputs[i].desc() << " -> " << path << "\n";
  }
  return 0;
}

}  // namespace prunq::cli
