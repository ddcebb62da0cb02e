#include "io/onnx/onnx_types.h"

#include "io/onnx/tensor_proto.h"

namespace prunq::onnx_io {

ValueType value_type_from_onnx(const onnx::TypeProto& tp, const std::string& name) {
  PRUNQ_CHECK(tp.has_tensor_type(), "ONNX value '", name,
              "' is not a tensor (sequences, maps and optionals are not supported)");
  const auto& tt = tp.tensor_type();
  ValueType vt;
  vt.type.dtype = dtype_from_onnx(tt.elem_type(), name);
  if (!tt.has_shape()) {
    vt.type.rank_known = false;
    return vt;
  }
  for (int i = 0; i < tt.shape().dim_size(); ++i) {
    const auto& d = tt.shape().dim(i);
    SymDim s;
    if (d.has_dim_value() && d.dim_value() >= 0) {
      s.value = d.dim_value();
    } else {
      s.symbol = d.has_dim_param() && !d.dim_param().empty() ? d.dim_param() : name + ":" + std::to_string(i);
    }
    vt.type.shape.push_back(s.value);
    vt.dims.push_back(s);
  }
  return vt;
}

void value_type_to_onnx(const TensorType& type, onnx::TypeProto* out) {
  auto* tt = out->mutable_tensor_type();
  tt->set_elem_type(dtype_to_onnx(type.dtype));
  if (!type.rank_known) return;
  auto* shape = tt->mutable_shape();
  for (size_t i = 0; i < type.shape.size(); ++i) {
    auto* d = shape->add_dim();
    // An unknown leading dim is the batch by prunq's convention, shared by inputs and outputs
    // ("N"); other unknown dims stay anonymous so no two of them are claimed equal.
    if (type.shape[i] >= 0) d->set_dim_value(type.shape[i]);
    else if (i == 0) d->set_dim_param("N");
  }
}

Attributes attributes_from_onnx(const onnx::NodeProto& node) {
  Attributes attrs;
  for (const auto& a : node.attribute()) {
    const std::string where = "node '" + node.name() + "' (" + node.op_type() + "): attribute '" + a.name() + "'";
    PRUNQ_CHECK(a.ref_attr_name().empty(), where, " refers to a function attribute; not supported");
    switch (a.type()) {
      case onnx::AttributeProto::INT: attrs.set(a.name(), static_cast<int64_t>(a.i())); break;
      case onnx::AttributeProto::FLOAT: attrs.set(a.name(), a.f()); break;
      case onnx::AttributeProto::STRING: attrs.set(a.name(), a.s()); break;
      case onnx::AttributeProto::INTS:
        attrs.set(a.name(), std::vector<int64_t>(a.ints().begin(), a.ints().end()));
        break;
      case onnx::AttributeProto::FLOATS:
        attrs.set(a.name(), std::vector<float>(a.floats().begin(), a.floats().end()));
        break;
      case onnx::AttributeProto::TENSOR: attrs.set(a.name(), tensor_from_proto(a.t(), a.name())); break;
      default:
        fail(where, " has type ", onnx::AttributeProto::AttributeType_Name(a.type()),
             "; prunq supports INT, FLOAT, STRING, INTS, FLOATS and TENSOR attributes");
    }
  }
  return attrs;
}

void attribute_to_onnx(const std::string& key, const Attribute& value, onnx::AttributeProto* out) {
  out->set_name(key);
  if (auto* i = std::get_if<int64_t>(&value)) {
    out->set_type(onnx::AttributeProto::INT);
    out->set_i(*i);
  } else if (auto* f = std::get_if<float>(&value)) {
    out->set_type(onnx::AttributeProto::FLOAT);
    out->set_f(*f);
  } else if (auto* s = std::get_if<std::string>(&value)) {
    out->set_type(onnx::AttributeProto::STRING);
    out->set_s(*s);
  } else if (auto* is = std::get_if<std::vector<int64_t>>(&value)) {
    out->set_type(onnx::AttributeProto::INTS);
    for (int64_t v : *is) out->add_ints(v);
  } else if (auto* fs = std::get_if<std::vector<float>>(&value)) {
    out->set_type(onnx::AttributeProto::FLOATS);
    for (float v : *fs) out->add_floats(v);
  } else {
    out->set_type(onnx::AttributeProto::TENSOR);
    encode_raw(std::get<Tensor>(value), key, out->mutable_t());
  }
}

}  // namespace prunq::onnx_io
