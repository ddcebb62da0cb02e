#include "ops/shape/shape_util.h"

#include <algorithm>

namespace prunq {

std::string node_desc(const Node& node) { return "node '" + node.name + "' (" + node.op + ")"; }

int64_t normalize_axis(int64_t axis, int64_t rank, const Node& node, const char* what) {
  PRUNQ_CHECK(axis >= -rank && axis < rank, node_desc(node), ": ", what, " ", axis, " is out of range for rank ",
              rank);
  return axis < 0 ? axis + rank : axis;
}

std::vector<int64_t> read_int_list(const Tensor& t, const Node& node, const char* what) {
  PRUNQ_CHECK(t.rank() <= 1, node_desc(node), ": ", what, " must be a 0-d or 1-d tensor, got ", t.desc());
  Tensor c = t.contiguous();
  std::vector<int64_t> v(static_cast<size_t>(c.numel()));
  if (c.dtype() == DType::i64) {
    std::copy(c.data<int64_t>(), c.data<int64_t>() + c.numel(), v.begin());
  } else if (c.dtype() == DType::i32) {
    std::copy(c.data<int32_t>(), c.data<int32_t>() + c.numel(), v.begin());
  } else {
    fail(node_desc(node), ": ", what, " must be an int64 tensor, got ", c.desc());
  }
  return v;
}

float read_float_scalar(const Tensor& t, const Node& node, const char* what) {
  PRUNQ_CHECK(t.numel() == 1, node_desc(node), ": ", what, " must hold exactly one value, got ", t.desc());
  Tensor c = t.contiguous();
  switch (c.dtype()) {
    case DType::f32: return c.f32()[0];
    case DType::i64: return static_cast<float>(c.data<int64_t>()[0]);
    case DType::i32: return static_cast<float>(c.data<int32_t>()[0]);
    default: return c.to(DType::f32).f32()[0];
  }
}

int64_t dims_product(const Shape& s, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end; ++i) {
    if (s[i] < 0) return -1;
    p *= s[i];
  }
  return p;
}

std::vector<int64_t> normalize_axes(const std::vector<int64_t>& axes, int64_t rank, const Node& node,
                                    const char* what) {
  std::vector<int64_t> out;
  out.reserve(axes.size());
  for (int64_t a : axes) out.push_back(normalize_axis(a, rank, node, what));
  std::sort(out.begin(), out.end());
  PRUNQ_CHECK(std::adjacent_find(out.begin(), out.end()) == out.end(), node_desc(node), ": ", what,
              " contains a repeated axis");
  return out;
}

}  // namespace prunq
