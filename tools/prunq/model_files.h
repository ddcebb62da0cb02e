// Loading and saving models by file extension, the one place the CLI decides between prunq's
// native format and ONNX:  *.prunq -> native file (src/io/native),  *.onnx -> ONNX (src/io/onnx,
// only when this binary was built with ONNX support).
#pragma once
#include <string>

#include "graph/graph.h"

namespace prunq::cli {

enum class ModelFormat { native, onnx };

// By extension; anything else is an Error naming the path and the accepted extensions.
ModelFormat model_format_of(const std::string& path);

// A missing file, an unknown extension or a corrupt file is an Error naming the file.
Graph load_model_file(const std::string& path);
// Written atomically (temporary file + rename) in either format.
void save_model_file(const Graph& graph, const std::string& path);

// Was this binary built with the ONNX importer/exporter?
bool onnx_available();

}  // namespace prunq::cli
