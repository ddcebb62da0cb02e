#include "io/onnx/tensor_proto.h"

#include <cstring>
#include <limits>
#include <type_traits>

#include "core/half.h"
#include "core/quantize.h"

namespace prunq::onnx_io {

namespace {
using TP = onnx::TensorProto;

// The repeated typed field a dtype is stored in when raw_data is absent (ONNX's rules:
// 8/16-bit ints and halves are widened into int32_data, one element per entry). A widened entry
// that does not fit the element type is a corrupt file, not a value to wrap around.
template <typename Dst, typename Field>
void copy_widened(const Field& field, Tensor& t, const std::string& what) {
  Dst* dst = static_cast<Dst*>(t.raw());
  for (int i = 0; i < field.size(); ++i) {
    const auto v = field.Get(i);
    if constexpr (sizeof(Dst) < sizeof(v) && std::is_integral_v<decltype(v)>)
      PRUNQ_CHECK(v >= std::numeric_limits<Dst>::min() && v <= std::numeric_limits<Dst>::max(), "ONNX tensor '",
                  what, "': stored value ", v, " at ", i, " does not fit ", dtype_name(t.dtype()));
    dst[i] = static_cast<Dst>(v);
  }
}

// Number of values stored in the typed field that holds `dt` (see copy_widened's users).
int64_t typed_count(const TP& p, DType dt) {
  switch (dt) {
    case DType::f32: return p.float_data_size();
    case DType::i64: return p.int64_data_size();
    default: return p.int32_data_size();
  }
}

// Element count of `shape`, refusing negative dims and counts past 2^40 elements (4 TiB of f32:
// a corrupt header, not a model) before anything is allocated.
int64_t checked_numel(const Shape& shape, const std::string& what) {
  int64_t n = 1;
  for (int64_t d : shape) {
    PRUNQ_CHECK(d >= 0, "ONNX tensor '", what, "' has a negative dimension in ", shape_str(shape));
    PRUNQ_CHECK(d == 0 || n <= (int64_t{1} << 40) / d, "ONNX tensor '", what, "': shape ", shape_str(shape),
                " is implausibly large (corrupt file?)");
    n *= d;
  }
  return n;
}
}  // namespace

std::string onnx_type_name(int32_t onnx_type) {
  if (TP::DataType_IsValid(onnx_type)) return TP::DataType_Name(static_cast<TP::DataType>(onnx_type));
  return "type#" + std::to_string(onnx_type);
}

DType dtype_from_onnx(int32_t onnx_type, const std::string& what) {
  switch (onnx_type) {
    case TP::FLOAT: return DType::f32;
    case TP::FLOAT16: return DType::f16;
    case TP::BFLOAT16: return DType::bf16;
    case TP::INT8: return DType::i8;
    case TP::UINT8: return DType::u8;
    case TP::INT32: return DType::i32;
    case TP::INT64: return DType::i64;
    default:
      fail("ONNX tensor '", what, "': element type ", onnx_type_name(onnx_type),
           " is not supported by prunq (supported: FLOAT, FLOAT16, BFLOAT16, INT8, UINT8, INT32, INT64)");
  }
}

int32_t dtype_to_onnx(DType dtype) {
  switch (dtype) {
    case DType::f32: return TP::FLOAT;
    case DType::f16: return TP::FLOAT16;
    case DType::bf16: return TP::BFLOAT16;
    case DType::i8: return TP::INT8;
    case DType::u8: return TP::UINT8;
    case DType::i32: return TP::INT32;
    case DType::i64: return TP::INT64;
    case DType::i4: return TP::INT8;  // opset 17 has no INT4: written widened (see encode_raw)
    default: fail("dtype #", static_cast<int>(dtype), " has no ONNX element type");
  }
}

Tensor tensor_from_proto(const TP& proto, const std::string& what_in) {
  const std::string what = what_in.empty() ? proto.name() : what_in;
  PRUNQ_CHECK(proto.data_location() != TP::EXTERNAL && proto.external_data_size() == 0, "ONNX tensor '", what,
              "' stores its data in an external file; prunq only reads tensors embedded in the model");
  PRUNQ_CHECK(!proto.has_segment(), "ONNX tensor '", what, "' is segmented; not supported");
  DType dt = dtype_from_onnx(proto.data_type(), what);
  Shape shape(proto.dims().begin(), proto.dims().end());
  const int64_t numel = checked_numel(shape, what);
  // Sizes are checked against the shape before allocating, so a corrupt header cannot make us
  // allocate (or read) more than the file holds.
  if (proto.has_raw_data()) {
    const std::string& raw = proto.raw_data();
    const size_t need = static_cast<size_t>(numel) * dtype_size(dt);
    PRUNQ_CHECK(raw.size() == need, "ONNX tensor '", what, "': raw_data has ", raw.size(), " bytes, ", dtype_name(dt),
                shape_str(shape), " needs ", need);
    Tensor t(dt, shape);
    if (!raw.empty()) std::memcpy(t.raw(), raw.data(), raw.size());  // ONNX raw_data is little-endian
    return t;
  }
  PRUNQ_CHECK(typed_count(proto, dt) == numel, "ONNX tensor '", what, "': ", typed_count(proto, dt),
              " stored values for shape ", shape_str(shape), " (", numel, " expected)");
  Tensor t(dt, shape);
  switch (dt) {
    case DType::f32: copy_widened<float>(proto.float_data(), t, what); break;
    case DType::i64: copy_widened<int64_t>(proto.int64_data(), t, what); break;
    case DType::i32: copy_widened<int32_t>(proto.int32_data(), t, what); break;
    case DType::i8: copy_widened<int8_t>(proto.int32_data(), t, what); break;
    case DType::u8: copy_widened<uint8_t>(proto.int32_data(), t, what); break;
    case DType::f16:
    case DType::bf16: copy_widened<uint16_t>(proto.int32_data(), t, what); break;  // bit patterns
    default: fail("ONNX tensor '", what, "': cannot decode dtype #", static_cast<int>(dt));
  }
  return t;
}

void encode_raw(const Tensor& t_in, const std::string& name, TP* out) {
  Tensor t = t_in.dtype() == DType::i4 ? unpack_int4(t_in) : t_in.contiguous();
  out->set_name(name);
  out->set_data_type(dtype_to_onnx(t.dtype()));
  for (int64_t d : t.shape()) out->add_dims(d);
  out->set_raw_data(std::string(static_cast<const char*>(t.raw()), t.nbytes()));
}

void encode_f32_as_f16(const Tensor& t_in, const std::string& name, TP* out) {
  PRUNQ_CHECK(t_in.dtype() == DType::f32, "encode_f32_as_f16: tensor '", name, "' is ", t_in.desc());
  Tensor t = t_in.contiguous();
  Tensor h(DType::f16, t.shape());
  auto* dst = static_cast<uint16_t*>(h.raw());
  for (int64_t i = 0; i < t.numel(); ++i) dst[i] = f32_to_f16(t.f32()[i]);
  encode_raw(h, name, out);
}

}  // namespace prunq::onnx_io
