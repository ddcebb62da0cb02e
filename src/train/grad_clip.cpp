#include "train/grad_clip.h"

#include <cmath>

namespace prunq {

double global_grad_norm(const std::map<ValueId, Tensor>& grads) {
  double sq = 0;
  for (const auto& [id, g] : grads) {
    Tensor c = g.contiguous();
    const float* p = c.f32();
    for (int64_t i = 0, n = c.numel(); i < n; ++i) sq += double(p[i]) * p[i];
  }
  return std::sqrt(sq);
}

double clip_grad_norm(std::map<ValueId, Tensor>& grads, double max_norm) {
  PRUNQ_CHECK(max_norm > 0, "gradient clipping: max_norm must be positive, got ", max_norm);
  const double norm = global_grad_norm(grads);
  PRUNQ_CHECK(std::isfinite(norm), "gradient clipping: the gradient norm is not finite (", norm,
              "); the loss diverged - lower the learning rate");
  const double coef = max_norm / (norm + 1e-6);
  if (coef >= 1.0) return norm;
  for (auto& [id, g] : grads) {
    if (!g.is_contiguous()) g = g.contiguous();
    float* p = g.f32();
    for (int64_t i = 0, n = g.numel(); i < n; ++i) p[i] = float(p[i] * coef);
  }
  return norm;
}

}  // namespace prunq
