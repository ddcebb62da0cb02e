// Whole-file reads and atomic writes for the ONNX layer. Errors name the path.
#pragma once
#include <string>

namespace prunq::onnx_io {

std::string read_file_bytes(const std::string& path);
// Writes to "<path>.tmp.<pid>" then renames over `path`: readers see the old or the new file.
void write_file_atomic(const std::string& path, const std::string& bytes);

}  // namespace prunq::onnx_io
