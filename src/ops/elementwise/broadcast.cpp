#include "ops/elementwise/broadcast.h"

#include <vector>

namespace prunq {

Shape broadcast_shapes(const Shape& a, const Shape& b, const Node& node) {
  size_t r = std::max(a.size(), b.size());
  Shape out(r);
  for (size_t i = 0; i < r; ++i) {
    // Align from the right; missing leading dims act as 1.
    int64_t da = i + a.size() >= r ? a[i + a.size() - r] : 1;
    int64_t db = i + b.size() >= r ? b[i + b.size() - r] : 1;
    if (da == db || db == 1) {
      out[i] = da;
    } else if (da == 1) {
      out[i] = db;
    } else if (da < 0 || db < 0) {
      out[i] = std::max(da, db);  // the unknown side must equal the known one (or be 1)
    } else {
      fail(node_desc(node), ": cannot broadcast shapes ", shape_str(a), " and ", shape_str(b), " (dim ", i,
           ": ", da, " vs ", db, ")");
    }
  }
  return out;
}

BroadcastPlan make_broadcast_plan(const Shape& a, const Shape& b, const Node& node) {
  BroadcastPlan p;
  p.out_shape = broadcast_shapes(a, b, node);
  const size_t r = p.out_shape.size();
  // Per output dim: its size and whether each operand really spans it (else it is broadcast).
  // Size-1 output dims are dropped; neighbouring dims with the same pattern are merged.
  std::vector<int64_t> dims;
  std::vector<bool> a_full, b_full;
  for (size_t i = 0; i < r; ++i) {
    int64_t d = p.out_shape[i];
    if (d == 1) continue;
    bool af = i + a.size() >= r && a[i + a.size() - r] == d;
    bool bf = i + b.size() >= r && b[i + b.size() - r] == d;
    if (!dims.empty() && a_full.back() == af && b_full.back() == bf) {
      dims.back() *= d;
    } else {
      dims.push_back(d);
      a_full.push_back(af);
      b_full.push_back(bf);
    }
  }
  if (dims.empty()) {  // a one-element output
    dims.push_back(1);
    a_full.push_back(true);
    b_full.push_back(true);
  }
  // Contiguous strides of each operand over the collapsed dims (broadcast dims take 0).
  const size_t n = dims.size();
  std::vector<int64_t> sa(n), sb(n);
  int64_t acc_a = 1, acc_b = 1;
  for (size_t i = n; i-- > 0;) {
    sa[i] = a_full[i] ? acc_a : 0;
    sb[i] = b_full[i] ? acc_b : 0;
    if (a_full[i]) acc_a *= dims[i];
    if (b_full[i]) acc_b *= dims[i];
  }
  p.inner = dims.back();
  p.a_inner_stride = sa.back();
  p.b_inner_stride = sb.back();
  p.outer_dims.assign(dims.begin(), dims.end() - 1);
  p.a_outer_strides.assign(sa.begin(), sa.end() - 1);
  p.b_outer_strides.assign(sb.begin(), sb.end() - 1);
  p.rows = 1;
  for (int64_t d : p.outer_dims) p.rows *= d;
  return p;
}

Tensor reduce_to_shape(const Tensor& g, const Shape& target, const Node& node) {
  Tensor gc = require_f32(g, node, "gradient");
  if (gc.shape() == target) return gc;
  Tensor out = Tensor::zeros(DType::f32, target);
  if (gc.numel() == 0 || out.numel() == 0) return out;
  BroadcastPlan p = make_broadcast_plan(gc.shape(), target, node);
  PRUNQ_CHECK(p.out_shape == gc.shape(), node_desc(node), ": cannot reduce gradient ", gc.desc(), " to ",
              shape_str(target));
  const float* pg = gc.f32();
  float* po = out.f32();
  const int64_t inner = p.inner;
  if (p.b_inner_stride == 1) {
    // Each row adds a whole vector into the target (e.g. the bias gradient of [N, C] + [C]).
    for (int64_t r = 0; r < p.rows; ++r) {
      int64_t og, ot;
      p.row_offsets(r, &og, &ot);
      for (int64_t i = 0; i < inner; ++i) po[ot + i] += pg[og + i];
    }
    return out;
  }
  // Each row collapses to one target element: row sums in parallel, then a serial scatter,
  // because different rows may share a target element.
  if (p.rows == 1) {
    const int64_t parts = std::max<int64_t>(1, std::min<int64_t>(num_threads(), inner / kElementwiseGrain));
    std::vector<double> partial(static_cast<size_t>(parts), 0.0);
    parallel_for(parts, [&](int64_t b, int64_t e) {
      for (int64_t k = b; k < e; ++k) {
        const int64_t begin = inner * k / parts, end = inner * (k + 1) / parts;
        partial[size_t(k)] = sum_f32(pg + begin, end - begin);
      }
    });
    double s = 0;
    for (double v : partial) s += v;
    po[0] = static_cast<float>(s);
    return out;
  }
  std::vector<double> sums(static_cast<size_t>(p.rows));
  parallel_for(p.rows, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) sums[size_t(r)] = sum_f32(pg + r * inner, inner);
  }, std::max<int64_t>(1, kElementwiseGrain / inner));
  for (int64_t r = 0; r < p.rows; ++r) {
    int64_t og, ot;
    p.row_offsets(r, &og, &ot);
    po[ot] += static_cast<float>(sums[size_t(r)]);
  }
  return out;
}

}  // namespace prunq
