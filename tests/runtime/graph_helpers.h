// Small graph-building helpers shared by the runtime tests.
#pragma once
#include <random>
#include <vector>

#include "graph/builder.h"

namespace prunq::testing {

// sum(v) as a [1, 1] value using only MatMul/Reshape: reshape to [1, n] and multiply by ones[n, 1].
inline ValueId sum_all(GraphBuilder& b, ValueId v, int64_t n) {
  ValueId row_shape = b.constant(b.graph().value(v).name + ".row_shape", Tensor::from_vector_i64({2}, {1, n}));
  ValueId ones = b.constant(b.graph().value(v).name + ".ones", Tensor::full({n, 1}, 1.0f));
  return b.op1("MatMul", {b.op1("Reshape", {v, row_shape}), ones});
}

inline Tensor random_f32(Shape shape, uint64_t seed, float lo = -1.f, float hi = 1.f) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  Tensor t(DType::f32, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t.f32()[i] = d(rng);
  return t;
}

}  // namespace prunq::testing
