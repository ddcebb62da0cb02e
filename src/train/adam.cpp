#include "train/adam.h"

#include <cmath>

#include "core/thread_pool.h"

namespace prunq {

Adam::Adam(Graph& graph, AdamOptions o) : Optimizer(graph), o_(o) {
  PRUNQ_CHECK(o.beta1 >= 0 && o.beta1 < 1 && o.beta2 >= 0 && o.beta2 < 1, "Adam: betas must be in [0, 1), got ",
              o.beta1, ", ", o.beta2);
  PRUNQ_CHECK(o.eps > 0, "Adam: eps must be positive, got ", o.eps);
}

void Adam::update(ValueId id, Tensor& param, const Tensor& grad, float lr, int64_t) {
  bool fresh = false;
  Tensor& m_t = state(id, 0, param.shape(), &fresh);
  Tensor& v_t = state(id, 1, param.shape());
  int64_t& t = param_steps_[id];
  if (fresh) t = 0;  // new (or reshaped) parameter: its moments start over, so does bias correction
  ++t;
  const double bc1 = 1.0 - std::pow(double(o_.beta1), double(t));
  const double bc2 = 1.0 - std::pow(double(o_.beta2), double(t));
  const float step_size = float(lr / bc1);
  const float inv_sqrt_bc2 = float(1.0 / std::sqrt(bc2));
  const float b1 = o_.beta1, b2 = o_.beta2, eps = o_.eps;
  const float l2 = o_.decoupled ? 0.f : o_.weight_decay;
  const float decay = o_.decoupled ? 1.f - lr * o_.weight_decay : 1.f;
  float* p = param.f32();
  const float* g = grad.f32();
  float* m = m_t.f32();
  float* v = v_t.f32();
  parallel_for(param.numel(), [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const float gi = g[i] + l2 * p[i];
      m[i] = b1 * m[i] + (1.f - b1) * gi;
      v[i] = b2 * v[i] + (1.f - b2) * gi * gi;
      p[i] = p[i] * decay - step_size * m[i] / (std::sqrt(v[i]) * inv_sqrt_bc2 + eps);
    }
  }, 1 << 14);
}

}  // namespace prunq
