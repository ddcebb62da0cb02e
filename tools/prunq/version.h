// `prunq --version`: the version and what this binary can do on this machine (ONNX support,
// GEMM backend, the kernel ISA level chosen at run time), so bug reports carry the facts.
#pragma once
#include <string>

namespace prunq::cli {

std::string version_text();

}  // namespace prunq::cli
