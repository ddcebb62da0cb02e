// Adam (L2 weight decay added to the gradient) and AdamW (decoupled decay p *= 1 - lr * wd),
// as torch.optim.Adam / AdamW:
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
#pragma once
#include "train/optimizer.h"

namespace prunq {

struct AdamOptions {
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
  float weight_decay = 0.f;
  bool decoupled = false;  // true: AdamW
};

class Adam : public Optimizer {
 public:
  Adam(Graph& graph, AdamOptions o);
  std::string name() const override { return o_.decoupled ? "AdamW" : "Adam"; }

 protected:
  void update(ValueId id, Tensor& param, const Tensor& grad, float lr, int64_t step) override;

 private:
  AdamOptions o_;
  std::map<ValueId, int64_t> param_steps_;  // per parameter, for bias correction (restarts with fresh moments)
};

}  // namespace prunq
