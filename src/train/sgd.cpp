#include "train/sgd.h"

#include "core/thread_pool.h"

namespace prunq {

Sgd::Sgd(Graph& graph, SgdOptions o) : Optimizer(graph), o_(o) {
  PRUNQ_CHECK(o.momentum >= 0 && o.momentum < 1, "SGD: momentum must be in [0, 1), got ", o.momentum);
  PRUNQ_CHECK(!o.nesterov || (o.momentum > 0 && o.dampening == 0), "SGD: Nesterov needs momentum > 0 and dampening 0");
}

void Sgd::update(ValueId id, Tensor& param, const Tensor& grad, float lr, int64_t) {
  float* p = param.f32();
  const float* g = grad.f32();
  const float wd = o_.weight_decay, mom = o_.momentum, damp = 1.f - o_.dampening;
  if (mom == 0.f) {
    parallel_for(param.numel(), [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) p[i] -= lr * (g[i] + wd * p[i]);
    }, 1 << 14);
    return;
  }
  // Like PyTorch, a new momentum buffer starts at the first gradient rather than at zero.
  bool first = false;
  Tensor& buf_t = state(id, 0, param.shape(), &first);
  float* buf = buf_t.f32();
  const bool nesterov = o_.nesterov;
  parallel_for(param.numel(), [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const float d = g[i] + wd * p[i];
      buf[i] = first ? d : mom * buf[i] + damp * d;
      p[i] -= lr * (nesterov ? d + mom * buf[i] : buf[i]);
    }
  }, 1 << 14);
}

}  // namespace prunq
