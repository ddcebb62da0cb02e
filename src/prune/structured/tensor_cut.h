// Tensor slicing for structured surgery: a dense copy of a tensor with some indices along one
// axis left out. Works on any dtype (bytes are moved, values never converted).
#pragma once
#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace prunq::structured {

// Copy of t with only the indices `keep` (ascending, in range) along `axis`.
Tensor keep_along_axis(const Tensor& t, int axis, const std::vector<int64_t>& keep);

}  // namespace prunq::structured
