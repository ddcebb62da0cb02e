#include "io/onnx/onnx_io.h"

#include <algorithm>

#include "io/native/model_file.h"
#include "io/onnx/file_io.h"
#include "io/onnx/import_rules.h"
#include "io/onnx/onnx_import.h"
#include "io/onnx/tensor_proto.h"
#include "ops/op.h"

namespace prunq {

Graph load_onnx_bytes(const std::string& bytes, const std::string& what) {
  return onnx_io::import_model(onnx_io::parse_model(bytes, what), what);
}

Graph load_onnx(const std::string& path) { return load_onnx_bytes(onnx_io::read_file_bytes(path), path); }

Tensor read_tensor_pb(const std::string& path) {
  std::string bytes = onnx_io::read_file_bytes(path);
  onnx::TensorProto proto;
  PRUNQ_CHECK(proto.ParseFromString(bytes), path, ": not a valid ONNX TensorProto (protobuf parse failed)");
  return onnx_io::tensor_from_proto(proto, path + (proto.name().empty() ? "" : " (" + proto.name() + ")"));
}

void write_tensor_pb(const Tensor& t, const std::string& name, const std::string& path) {
  onnx::TensorProto proto;
  onnx_io::encode_raw(t, name, &proto);
  std::string bytes;
  PRUNQ_CHECK(proto.SerializeToString(&bytes), "cannot serialize tensor '", name, "'");
  onnx_io::write_file_atomic(path, bytes);
}

Graph load_any_model(const std::string& path) {
  auto ends_with = [&](const std::string& ext) {
    return path.size() >= ext.size() && path.compare(path.size() - ext.size(), ext.size(), ext) == 0;
  };
  if (ends_with(".onnx")) return load_onnx(path);
  if (ends_with(".prunq")) return load_model(path);
  fail("'", path, "': unknown model file extension (expected .onnx or .prunq)");
}

std::vector<std::string> onnx_supported_ops() {
  std::vector<std::string> ops = {"Constant"};  // always folded into initializers
  for (const onnx_io::ImportRule& r : onnx_io::import_rules())
    if (std::all_of(r.ir_ops.begin(), r.ir_ops.end(), [](const std::string& o) { return find_op(o) != nullptr; }))
      ops.push_back(r.onnx_op);
  std::sort(ops.begin(), ops.end());
  return ops;
}

}  // namespace prunq
