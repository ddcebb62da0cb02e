#include "prunq/version.h"

#include "core/cpu_features.h"
#include "core/thread_pool.h"
#include "kernels/gemm_f32/gemm_f32.h"
#include "prunq/model_files.h"

#ifndef PRUNQ_VERSION
#define PRUNQ_VERSION "unknown"
#endif

namespace prunq::cli {

std::string version_text() {
  std::string s = "prunq " PRUNQ_VERSION "\n";
  s += std::string("onnx: ") + (onnx_available() ? "yes" : "no") + "\n";
  s += std::string("gemm_f32: ") + gemm_f32_backend() + "\n";
  s += "isa: " + std::string(isa_name(active_isa())) + "\n";
  s += "threads: " + std::to_string(num_threads()) + "\n";
  return s;
}

}  // namespace prunq::cli
