#include "prune/mask.h"

namespace prunq {

Tensor mask_or_ones(const Initializer& init) {
  return init.mask.defined() ? init.mask.contiguous() : Tensor::full(init.data.shape(), 1.f);
}

void tighten_mask(Graph& graph, ValueId weight, const Tensor& keep) {
  Initializer* init = graph.initializer(weight);
  PRUNQ_CHECK(init, "prune: '", graph.value(weight).name, "' is not an initializer");
  PRUNQ_CHECK(init->data.dtype() == DType::f32 && init->data.is_contiguous(), "prune: weight '",
              graph.value(weight).name, "' must be contiguous f32, is ", init->data.desc());
  PRUNQ_CHECK(keep.dtype() == DType::f32 && keep.shape() == init->data.shape(), "prune: mask for '",
              graph.value(weight).name, "' is ", keep.desc(), ", the weight is ", init->data.desc());
  PRUNQ_CHECK(!init->mask.defined() || init->mask.shape() == init->data.shape(), "prune: existing mask of '",
              graph.value(weight).name, "' is ", init->mask.desc(), ", the weight is ", init->data.desc());
  Tensor mask = mask_or_ones(*init).clone();
  const Tensor k = keep.contiguous();
  float* m = mask.f32();
  float* w = init->data.f32();
  const float* kp = k.f32();
  for (int64_t i = 0, n = mask.numel(); i < n; ++i) {
    m[i] = (m[i] != 0.f && kp[i] != 0.f) ? 1.f : 0.f;
    if (m[i] == 0.f) w[i] = 0.f;
  }
  init->mask = mask;
}

int64_t pruned_count(const Initializer& init) {
  const Tensor t = init.mask.defined() ? init.mask.contiguous() : init.data.contiguous();
  if (t.dtype() != DType::f32) return 0;
  const float* p = t.f32();
  int64_t n = 0;
  for (int64_t i = 0, e = t.numel(); i < e; ++i) n += p[i] == 0.f;
  return n;
}

}  // namespace prunq
