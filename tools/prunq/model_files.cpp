#include "prunq/model_files.h"

#include <filesystem>

#include "core/error.h"
#include "io/native/model_file.h"
#ifdef PRUNQ_HAVE_ONNX
#include "io/onnx/onnx_io.h"
#endif

namespace prunq::cli {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

#ifndef PRUNQ_HAVE_ONNX
[[noreturn]] void no_onnx(const std::string& path) {
  fail(path, ": this prunq was built without ONNX support (install libonnx-dev and rebuild)");
}
#endif

}  // namespace

bool onnx_available() {
#ifdef PRUNQ_HAVE_ONNX
  return true;
#else
  return false;
#endif
}

ModelFormat model_format_of(const std::string& path) {
  if (ends_with(path, ".prunq")) return ModelFormat::native;
  if (ends_with(path, ".onnx")) return ModelFormat::onnx;
  fail("model file '", path, "': unknown format (expected a .prunq or .onnx file name)");
}

Graph load_model_file(const std::string& path) {
  const ModelFormat format = model_format_of(path);
  // Checked here so the message is the same for both formats. Only regular files: reading a
  // FIFO or a device (/dev/zero) would block or never end.
  std::error_code ec;
  PRUNQ_CHECK(std::filesystem::exists(path, ec), "model file '", path, "' does not exist");
  PRUNQ_CHECK(std::filesystem::is_regular_file(path, ec), "model file '", path, "' is not a regular file");
  if (format == ModelFormat::native) return load_model(path);
#ifdef PRUNQ_HAVE_ONNX
  return load_onnx(path);
#else
  no_onnx(path);
#endif
}

void save_model_file(const Graph& graph, const std::string& path) {
  if (model_format_of(path) == ModelFormat::native) {
    save_model(graph, path);
    return;
  }
#ifdef PRUNQ_HAVE_ONNX
  save_onnx(graph, path);
#else
  no_onnx(path);
#endif
}

}  // namespace prunq::cli
