// prunq's ONNX front door (toolkit layer): load an ONNX model into the graph IR, save the IR
// as ONNX, read ONNX TensorProto files. This header has no ONNX/protobuf includes so the CLI
// and tests can use it without knowing about protobuf.
//
// Import accepts the ONNX opsets that Debian's libonnx 1.12 knows (7..17; checked and shape-
// inferred by libonnx first) and normalises every node to prunq's opset-13+ forms. Export writes
// ai.onnx opset 17 (fp32), verified by onnx::checker before the file is written.
#pragma once
#include <string>
#include <vector>

#include "core/tensor.h"
#include "graph/graph.h"

namespace prunq {

// Reads, checks (onnx::checker + strict shape inference) and imports an ONNX model. Errors
// (missing/corrupt/truncated file, checker failure, unsupported ops listed all at once,
// dynamic shapes that cannot be folded) are prunq::Error naming the file.
Graph load_onnx(const std::string& path);
// Same from bytes already in memory (`what` names the source in error messages).
Graph load_onnx_bytes(const std::string& bytes, const std::string& what);

// Writes `graph` as an ONNX model (opset 17). The file is written to a temporary name next to
// `path` and renamed, so readers never see half a model. Pruning masks are not written
// (pruned weights are already zeros).
void save_onnx(const Graph& graph, const std::string& path);
std::string export_onnx_bytes(const Graph& graph);

// Reads one serialized onnx.TensorProto (the test_data_set_*/input_*.pb files).
Tensor read_tensor_pb(const std::string& path);
// Writes one tensor as an onnx.TensorProto file (raw_data encoding).
void write_tensor_pb(const Tensor& t, const std::string& name, const std::string& path);

// Loads a model by file extension: ".onnx" via load_onnx, ".prunq" via the native loader
// (prunq::load_model in io/native/model_file.h). Any other extension is an Error.
Graph load_any_model(const std::string& path);

// ONNX op types the importer can bring into the IR with the ops built into this binary.
std::vector<std::string> onnx_supported_ops();

}  // namespace prunq
