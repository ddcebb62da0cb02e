// ONNX TensorProto <-> prunq Tensor. One function per tensor encoding so the exporter can grow
// new encodings (fp16 weights, int8 QDQ weights with per-channel scales) without touching the
// others. Only dense tensors stored inside the proto are accepted: external data is rejected with
// an error naming the tensor (prunq never follows file references written into a model).
#pragma once
#include <onnx/onnx_pb.h>

#include <string>

#include "core/tensor.h"

namespace prunq::onnx_io {

// ONNX element type <-> prunq dtype. Unsupported ONNX types (double, bool, string, ...) throw,
// naming `what` (a tensor or value name) and the ONNX type. Opset 17 (libonnx 1.12) has no int4:
// prunq's packed i4 is written as INT8, one value per byte (same values; read back as i8).
DType dtype_from_onnx(int32_t onnx_type, const std::string& what);
int32_t dtype_to_onnx(DType dtype);
std::string onnx_type_name(int32_t onnx_type);

// Decodes raw_data or the typed repeated fields (float_data, int32_data, int64_data).
Tensor tensor_from_proto(const onnx::TensorProto& proto, const std::string& what);

// Encodings used by the exporter. Each fills name, dims, data_type and the payload.
void encode_raw(const Tensor& t, const std::string& name, onnx::TensorProto* out);  // any dtype (i4 widened), raw_data
void encode_f32_as_f16(const Tensor& t, const std::string& name, onnx::TensorProto* out);  // narrowing

}  // namespace prunq::onnx_io
