#include "ops/nn/nn_util.h"

#include <array>

#include "core/error.h"

namespace prunq::nn {

Tensor f32_input(const Node& n, const Tensor& t, const char* what) {
  PRUNQ_CHECK(t.dtype() == DType::f32, where(n), ": ", what, " must be f32, got ", t.desc());
  return t.contiguous();
}

void check_f32_type(const Node& n, const TensorType& t, const char* what) {
  PRUNQ_CHECK(t.dtype == DType::f32, where(n), ": ", what, " must be f32, got ", t.str());
}

float* scratch(int slot, size_t count) {
  thread_local std::array<std::vector<float>, 4> buffers;
  PRUNQ_CHECK(slot >= 0 && slot < static_cast<int>(buffers.size()), "nn scratch slot ", slot, " out of range");
  std::vector<float>& b = buffers[static_cast<size_t>(slot)];
  if (b.size() < count) b.resize(count);
  return b.data();
}

int64_t dims_product(const Shape& s, size_t from, size_t to) {
  int64_t p = 1;
  for (size_t i = from; i < to && i < s.size(); ++i) p *= s[i];
  return p;
}

}  // namespace prunq::nn
