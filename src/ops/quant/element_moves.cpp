#include "ops/quant/element_moves.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/quantize.h"
#include "core/thread_pool.h"
#include "ops/shape/shape_util.h"

namespace prunq {

QuantPtr moved_quant(const Node& node, const QuantPtr& q, const std::function<std::optional<int64_t>(int64_t)>& new_axis) {
  std::optional<QuantPtr> out = remap_quant_axes(q, new_axis);
  PRUNQ_CHECK(out, node_desc(node), ": the input is quantized per channel (", quant_str(q),
              ") along an axis this op does not keep whole; quantize per tensor or requantize first");
  return *out;
}

QuantPtr reshaped_quant(const Node& node, const QuantPtr& q, const Shape& from, const Shape& to) {
  return moved_quant(node, q, [&](int64_t axis) { return reshaped_axis(from, to, axis); });
}

Tensor reshaped_view(const Node& node, const Tensor& x, const Shape& to) {
  const QuantPtr q = reshaped_quant(node, x.quant(), x.shape(), to);
  return x.contiguous().with_quant(nullptr).reshape(to).with_quant(q);
}

bool is_int8_dtype(DType t) { return t == DType::i8 || t == DType::u8; }

void check_moves_dtype(const Node& node, DType t, const char* what, bool allow_i4) {
  PRUNQ_CHECK(t == DType::f32 || is_int8_dtype(t) || (allow_i4 && t == DType::i4), node_desc(node), ": ", what,
              " must be f32, i8 or u8", allow_i4 ? " (or i4)" : "", ", got ", dtype_name(t));
}

namespace {

// Integer bounds per parameter index (one entry for plain or per-tensor inputs).
struct IntBounds {
  std::vector<int32_t> lo, hi;
};

IntBounds integer_bounds(const Tensor& x, float lo, float hi) {
  const int64_t tmin = info(x.dtype()).int_min, tmax = info(x.dtype()).int_max;
  IntBounds b;
  if (!x.quantized()) {
    auto clamp = [&](double v) {
      return static_cast<int32_t>(std::isnan(v) ? tmin : std::clamp(v, double(tmin), double(tmax)));
    };
    b.lo = {clamp(std::ceil(double(lo)))};
    b.hi = {clamp(std::floor(double(hi)))};
    return b;
  }
  const QuantParams& p = *x.quant();
  for (size_t k = 0; k < p.scales.size(); ++k) {
    b.lo.push_back(quantize_value(lo, p.scales[k], p.zero_point(k), tmin, tmax));
    b.hi.push_back(quantize_value(hi, p.scales[k], p.zero_point(k), tmin, tmax));
  }
  return b;
}

template <class T>
void clamp_loop(const T* src, T* dst, int64_t n, const IntBounds& b, const QuantIndex* index) {
  parallel_for(n, [&](int64_t s, int64_t e) {
    for (int64_t i = s; i < e; ++i) {
      const size_t k = index ? (*index)(i) : 0;
      const int32_t v = std::max<int32_t>(src[i], b.lo[k]);
      dst[i] = static_cast<T>(std::min<int32_t>(v, b.hi[k]));
    }
  }, 1 << 15);
}

}  // namespace

Tensor clamp_integers(const Tensor& x_in, float lo, float hi) {
  PRUNQ_CHECK(is_int8_dtype(x_in.dtype()), "clamp_integers: ", x_in.desc(), " is not i8 or u8");
  const Tensor x = x_in.contiguous();
  const IntBounds b = integer_bounds(x, lo, hi);
  std::optional<QuantIndex> index;
  if (b.lo.size() > 1) index.emplace(*x.quant(), x.shape());
  Tensor y(x.dtype(), x.shape());
  if (x.dtype() == DType::i8)
    clamp_loop(x.data<int8_t>(), y.data<int8_t>(), x.numel(), b, index ? &*index : nullptr);
  else
    clamp_loop(x.data<uint8_t>(), y.data<uint8_t>(), x.numel(), b, index ? &*index : nullptr);
  if (x.quantized()) y.set_quant(x.quant());
  return y;
}

}  // namespace prunq
