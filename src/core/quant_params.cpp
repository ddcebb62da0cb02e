#include "core/quant_params.h"

#include <cmath>
#include <sstream>

#include "core/error.h"

namespace prunq {

std::string QuantParams::str() const {
  std::ostringstream os;
  os.precision(6);
  if (per_tensor()) {
    os << "scale=" << (scales.empty() ? 0.f : scales[0]) << " zp=" << zero_point(0);
    return os.str();
  }
  os << "axis " << axis;
  if (group_size > 0) os << ", groups of " << group_size << " on axis " << group_axis;
  os << ": " << scales.size() << " scales, ";
  if (symmetric()) os << "symmetric";
  else os << zero_points.size() << " zero points";
  return os.str();
}

QuantPtr make_quant(QuantParams p) { return std::make_shared<const QuantParams>(std::move(p)); }

QuantPtr per_tensor_quant(float scale, int32_t zero_point) {
  QuantParams p;
  p.scales = {scale};
  if (zero_point != 0) p.zero_points = {zero_point};
  return make_quant(std::move(p));
}

bool same_quant(const QuantPtr& a, const QuantPtr& b) {
  if (a == b) return true;
  return a && b && *a == *b;
}

std::string quant_str(const QuantPtr& q) { return q ? q->str() : std::string(); }

bool quantizable(DType t) { return t == DType::i8 || t == DType::u8 || t == DType::i4 || t == DType::i32; }

std::string quant_problem(const QuantParams& p, DType t, const std::vector<int64_t>& shape, bool rank_known) {
  auto problem = [](auto&&... parts) { return detail::concat(parts...); };
  if (!quantizable(t))
    return problem("quantization parameters on a ", dtype_name(t), " tensor (only i8, u8, i4 and i32 are quantized)");
  if (p.scales.empty()) return problem("no scales");
  const int64_t rank = static_cast<int64_t>(shape.size());
  int64_t expected = 1;  // -1: depends on an unknown dim
  if (p.axis < -1) return problem("axis ", p.axis, " (use -1 for per-tensor parameters)");
  if (p.group_size < 0) return problem("negative group size ", p.group_size);
  if (p.group_size > 0 && p.axis < 0) return problem("groups of ", p.group_size, " need a per-channel axis");
  if (p.group_size == 0 && p.group_axis != -1) return problem("group axis ", p.group_axis, " without a group size");
  if (p.axis >= 0) {
    if (rank_known && p.axis >= rank) return problem("axis ", p.axis, " is out of range for rank ", rank);
    if (p.group_size > 0 && (p.group_axis < 0 || p.group_axis == p.axis || (rank_known && p.group_axis >= rank)))
      return problem("group axis ", p.group_axis, " is not another axis of the rank-", rank, " tensor (channel axis ",
                     p.axis, ")");
    if (!rank_known) expected = -1;
    else {
      const int64_t channels = shape[static_cast<size_t>(p.axis)];
      expected = channels;
      if (p.group_size > 0) {
        const int64_t k = shape[static_cast<size_t>(p.group_axis)];
        expected = channels < 0 || k < 0 ? -1 : channels * ((k + p.group_size - 1) / p.group_size);
      }
    }
  }
  if (expected >= 0 && static_cast<int64_t>(p.scales.size()) != expected)
    return problem(p.scales.size(), " scales, expected ", expected);
  for (size_t i = 0; i < p.scales.size(); ++i)
    if (!(std::isfinite(p.scales[i]) && p.scales[i] > 0.f))
      return problem("scale ", i, " is ", p.scales[i], " (scales must be finite and > 0)");
  if (!p.zero_points.empty() && p.zero_points.size() != p.scales.size())
    return problem(p.zero_points.size(), " zero points for ", p.scales.size(), " scales");
  const int64_t lo = t == DType::i32 ? 0 : info(t).int_min, hi = t == DType::i32 ? 0 : info(t).int_max;
  for (size_t i = 0; i < p.zero_points.size(); ++i)
    if (p.zero_points[i] < lo || p.zero_points[i] > hi)
      return problem("zero point ", i, " is ", p.zero_points[i], ", outside ", dtype_name(t), "'s [", lo, ", ", hi,
                     "]", t == DType::i32 ? " (i32 tensors are biases: zero point 0)" : "");
  return "";
}

void check_quant(const QuantParams& p, DType t, const std::vector<int64_t>& shape, const std::string& what) {
  std::string why = quant_problem(p, t, shape);
  if (!why.empty()) fail(what, ": bad quantization parameters: ", why);
}

QuantIndex::QuantIndex(const QuantParams& p, const std::vector<int64_t>& shape) {
  if (p.per_tensor()) return;
  auto inner = [&](int32_t axis) {
    int64_t n = 1;
    for (size_t d = static_cast<size_t>(axis) + 1; d < shape.size(); ++d) n *= shape[d];
    return n;
  };
  axis_inner_ = inner(p.axis);
  axis_dim_ = shape[static_cast<size_t>(p.axis)];
  if (p.group_size > 0) {
    group_inner_ = inner(p.group_axis);
    group_dim_ = shape[static_cast<size_t>(p.group_axis)];
    group_size_ = static_cast<size_t>(p.group_size);
    groups_ = static_cast<size_t>((group_dim_ + p.group_size - 1) / p.group_size);
  }
}

std::optional<int64_t> reshaped_axis(const std::vector<int64_t>& from, const std::vector<int64_t>& to, int64_t axis) {
  auto inner = [](const std::vector<int64_t>& s, size_t after) -> int64_t {
    int64_t n = 1;
    for (size_t d = after + 1; d < s.size(); ++d) {
      if (s[d] < 0) return -1;
      n *= s[d];
    }
    return n;
  };
  if (axis < 0 || axis >= static_cast<int64_t>(from.size())) return std::nullopt;
  const int64_t dim = from[static_cast<size_t>(axis)];
  const int64_t want = inner(from, static_cast<size_t>(axis));
  if (dim < 0 || want < 0) return std::nullopt;
  for (size_t j = 0; j < to.size(); ++j)
    if (to[j] == dim && inner(to, j) == want) return static_cast<int64_t>(j);
  return std::nullopt;
}

QuantPtr quant_from_lists(std::vector<float> scales, std::vector<int32_t> zero_points, int32_t axis) {
  QuantParams p;
  bool all_zero = true;
  for (int32_t z : zero_points) all_zero = all_zero && z == 0;
  if (!all_zero) p.zero_points = std::move(zero_points);
  // One scale is per-tensor whatever the axis says (ONNX: a 1-element scale applies to all).
  p.axis = scales.size() == 1 ? -1 : axis;
  p.scales = std::move(scales);
  return make_quant(std::move(p));
}

}  // namespace prunq
