#include "prune/structured/tensor_cut.h"

#include <cstring>

namespace prunq::structured {

Tensor keep_along_axis(const Tensor& t, int axis, const std::vector<int64_t>& keep) {
  PRUNQ_CHECK(axis >= 0 && axis < t.rank(), "structured pruning: axis ", axis, " out of range for ", t.desc());
  // Quantization parameters may be per channel and packed elements share bytes: cutting those is
  // not a byte copy, and structured pruning belongs before quantization anyway.
  PRUNQ_CHECK(!t.quantized() && !is_packed(t.dtype()), "structured pruning: tensor ", t.desc(),
              " is quantized; prune the float model, then quantize it");
  const Tensor src = t.contiguous();
  const int64_t n = src.dim(axis);
  for (size_t i = 0; i < keep.size(); ++i)
    PRUNQ_CHECK(keep[i] >= 0 && keep[i] < n && (i == 0 || keep[i] > keep[i - 1]),
                "structured pruning: bad kept index ", keep[i], " along axis ", axis, " of ", t.desc());
  Shape shape = src.shape();
  shape[axis] = static_cast<int64_t>(keep.size());
  Tensor out(src.dtype(), shape);
  // View both as [outer, n, inner] and copy whole inner rows.
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < axis; ++i) outer *= src.dim(i);
  for (int i = axis + 1; i < src.rank(); ++i) inner *= src.dim(i);
  const size_t row = static_cast<size_t>(inner) * dtype_size(src.dtype());
  const char* from = static_cast<const char*>(src.raw());
  char* to = static_cast<char*>(out.raw());
  for (int64_t o = 0; o < outer; ++o)
    for (size_t k = 0; k < keep.size(); ++k)
      std::memcpy(to + (o * static_cast<int64_t>(keep.size()) + static_cast<int64_t>(k)) * row,
                  from + (o * n + keep[k]) * row, row);
  return out;
}

}  // namespace prunq::structured
