// Quantization parameters of an integer tensor (docs/design/quantized-ir.md, section 2):
//
//   real = scale * (q - zero_point)
//
// per tensor (one scale), per channel along `axis` (one scale per index of that dim), or, for
// int4 weights, also per group of `group_size` elements along `group_axis` (scales index =
// channel * groups + k / group_size, groups = ceil(dim(group_axis) / group_size)). A Tensor and a
// TensorType share them through a shared_ptr<const QuantParams>: immutable once made, so copies
// of a tensor or a type never need to copy the vectors.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/dtype.h"

namespace prunq {

struct QuantParams {
  std::vector<float> scales;         // 1 | dim(axis) | dim(axis) * groups
  std::vector<int32_t> zero_points;  // empty (all zero: symmetric) or as many as scales
  int32_t axis = -1;                 // -1 per tensor, else the per-channel axis
  int64_t group_size = 0;            // > 0: also blockwise along group_axis (int4 weights)
  int32_t group_axis = -1;

  bool per_tensor() const { return axis < 0; }
  bool symmetric() const { return zero_points.empty(); }
  int32_t zero_point(size_t i) const { return zero_points.empty() ? 0 : zero_points[i]; }
  bool operator==(const QuantParams& o) const = default;
  // "scale=0.05 zp=3", "axis 0: 64 scales, symmetric", "axis 0, groups of 32 on axis 1: ...".
  std::string str() const;
};

using QuantPtr = std::shared_ptr<const QuantParams>;

// Per-tensor parameters (zero point 0 is stored as symmetric).
QuantPtr per_tensor_quant(float scale, int32_t zero_point = 0);
QuantPtr make_quant(QuantParams p);

// Both absent, or both present with equal values.
bool same_quant(const QuantPtr& a, const QuantPtr& b);
std::string quant_str(const QuantPtr& q);  // "" when absent

// Integer dtypes that can carry quantization parameters: i8, u8, i4 and i32 (biases).
bool quantizable(DType t);

// What is wrong with `p` on a tensor of dtype `t` and shape `shape` (dims may be -1, unknown:
// counts that depend on them are not checked; rank_known=false skips the shape checks), or ""
// when nothing is. Checks: a quantizable dtype, axis and group axis in range, scale count, scales
// finite and > 0, zero point count and range (i32 zero points must be 0).
std::string quant_problem(const QuantParams& p, DType t, const std::vector<int64_t>& shape, bool rank_known = true);
// Throws an Error "<what>: <problem>" when quant_problem finds one.
void check_quant(const QuantParams& p, DType t, const std::vector<int64_t>& shape, const std::string& what);

// Maps a flat element index of a contiguous tensor to the index of its scale and zero point.
class QuantIndex {
 public:
  QuantIndex(const QuantParams& p, const std::vector<int64_t>& shape);  // shape fully known
  size_t operator()(int64_t i) const {
    if (axis_dim_ == 0) return 0;
    const size_t channel = static_cast<size_t>((i / axis_inner_) % axis_dim_);
    if (group_dim_ == 0) return channel;
    const size_t k = static_cast<size_t>((i / group_inner_) % group_dim_);
    return channel * groups_ + k / group_size_;
  }

 private:
  int64_t axis_inner_ = 1, axis_dim_ = 0;  // axis_dim_ 0: per tensor
  int64_t group_inner_ = 1, group_dim_ = 0;
  size_t groups_ = 0, group_size_ = 1;
};

// Where the quantized axes of a tensor go when an op changes its layout. `new_axis(a)` gives the
// output position of input axis a, or nullopt when that axis does not survive as one dim.
// Per-tensor parameters pass unchanged; per-axis ones get their axes renumbered; nullopt when
// an axis they depend on does not survive (the caller names the op in its error).
template <class F>
std::optional<QuantPtr> remap_quant_axes(const QuantPtr& q, F new_axis) {
  if (!q || q->per_tensor()) return q;
  std::optional<int64_t> a = new_axis(q->axis);
  if (!a) return std::nullopt;
  QuantParams p = *q;
  p.axis = static_cast<int32_t>(*a);
  if (p.group_size > 0) {
    std::optional<int64_t> g = new_axis(q->group_axis);
    if (!g) return std::nullopt;
    p.group_axis = static_cast<int32_t>(*g);
  }
  if (p == *q) return q;
  return make_quant(std::move(p));
}

// Output position of input axis `axis` when shape `from` is reshaped to `to` (same elements, same
// order): the dim j of `to` of the same size whose inner elements (product of the dims after it)
// equal those after `axis` in `from`. nullopt when the axis is split or merged, or when the inner
// products involve unknown (-1) dims.
std::optional<int64_t> reshaped_axis(const std::vector<int64_t>& from, const std::vector<int64_t>& to, int64_t axis);

// Parameters of an ONNX QuantizeLinear / DequantizeLinear: `scales` (one, or one per index of
// `axis`) and optional zero points. Symmetric when all zero points are 0.
QuantPtr quant_from_lists(std::vector<float> scales, std::vector<int32_t> zero_points, int32_t axis);

}  // namespace prunq
