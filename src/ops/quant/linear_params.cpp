#include "ops/quant/linear_params.h"

#include "ops/shape/shape_util.h"

namespace prunq {
namespace {

std::vector<int32_t> read_zero_points(const Tensor& zp_in) {
  const Tensor zp = zp_in.contiguous();
  std::vector<int32_t> v(static_cast<size_t>(zp.numel()));
  for (size_t i = 0; i < v.size(); ++i) {
    const int64_t k = static_cast<int64_t>(i);
    switch (zp.dtype()) {
      case DType::i8: v[i] = zp.data<int8_t>()[k]; break;
      case DType::u8: v[i] = zp.data<uint8_t>()[k]; break;
      case DType::i32: v[i] = zp.data<int32_t>()[k]; break;
      default: v[i] = i4_get(static_cast<const uint8_t*>(zp.raw()), k); break;
    }
  }
  return v;
}

}  // namespace

DType linear_quant_dtype(const Node& node, const Tensor* zero_point, const TensorType* zero_point_type, DType fallback,
                         bool allow_i32) {
  DType t = fallback;
  if (zero_point) t = zero_point->dtype();
  else if (zero_point_type) t = zero_point_type->dtype;
  PRUNQ_CHECK(t == DType::i8 || t == DType::u8 || t == DType::i4 || (allow_i32 && t == DType::i32), node_desc(node),
              ": the quantized type must be i8, u8 or i4", allow_i32 ? " (or i32)" : "", ", got ", dtype_name(t));
  return t;
}

QuantPtr linear_quant_params(const Node& node, const Tensor& scale_in, const Tensor* zero_point, DType q_dtype,
                             const Shape& shape, bool rank_known) {
  PRUNQ_CHECK(scale_in.dtype() == DType::f32, node_desc(node), ": the scale must be f32, got ", scale_in.desc());
  PRUNQ_CHECK(scale_in.rank() <= 1 && scale_in.numel() >= 1, node_desc(node),
              ": the scale must be a scalar or a 1-D tensor, got ", scale_in.desc());
  const Tensor scale = scale_in.contiguous();
  std::vector<float> scales(scale.f32(), scale.f32() + scale.numel());
  std::vector<int32_t> zps;
  if (zero_point) {
    PRUNQ_CHECK(zero_point->shape() == scale.shape(), node_desc(node), ": zero point ", zero_point->desc(),
                " does not match the scale ", scale.desc());
    PRUNQ_CHECK(zero_point->dtype() == q_dtype, node_desc(node), ": zero point ", zero_point->desc(), " is not ",
                dtype_name(q_dtype));
    zps = read_zero_points(*zero_point);
  }
  // One scale is per tensor (whatever `axis` says); several lie along `axis` (ONNX's default 1).
  int32_t axis = -1;
  if (scales.size() > 1) {
    PRUNQ_CHECK(rank_known, node_desc(node), ": per-axis scales need the input's rank");
    axis = static_cast<int32_t>(normalize_axis(node.attrs.get_int("axis", 1), static_cast<int64_t>(shape.size()), node));
  }
  QuantPtr q = quant_from_lists(std::move(scales), std::move(zps), axis);
  std::string why = quant_problem(*q, q_dtype, shape, rank_known);
  PRUNQ_CHECK(why.empty(), node_desc(node), ": bad quantization parameters: ", why);
  return q;
}

}  // namespace prunq
