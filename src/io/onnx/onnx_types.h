// Conversions between ONNX's type/attribute protos and the IR's TensorType/Attributes.
#pragma once
#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

#include "graph/graph.h"

namespace prunq::onnx_io {

// One dimension as ONNX shape inference knows it: a number, or a symbol. Unnamed unknown dims get
// the symbol "<value>:<axis>" so that two reads of the same tensor's dim compare equal.
struct SymDim {
  int64_t value = -1;
  std::string symbol;  // empty when value is known
  bool known() const { return symbol.empty(); }
};

struct ValueType {
  TensorType type;               // dims -1 where unknown
  std::vector<SymDim> dims;      // same rank, with symbols
};

// Reads a TypeProto of a tensor value. `name` is used for unnamed-dim symbols and errors.
ValueType value_type_from_onnx(const onnx::TypeProto& tp, const std::string& name);
void value_type_to_onnx(const TensorType& type, onnx::TypeProto* out);

Attributes attributes_from_onnx(const onnx::NodeProto& node);
void attribute_to_onnx(const std::string& key, const Attribute& value, onnx::AttributeProto* out);

}  // namespace prunq::onnx_io
