// SGD with momentum, dampening, Nesterov momentum and L2 weight decay, as torch.optim.SGD:
//   g = grad + wd * p
//   buf = g (first step) | momentum * buf + (1 - dampening) * g
//   g = g + momentum * buf (Nesterov) | buf (momentum > 0)
//   p -= lr * g
#pragma once
#include "train/optimizer.h"

namespace prunq {

struct SgdOptions {
  float momentum = 0.f;
  float dampening = 0.f;
  bool nesterov = false;
  float weight_decay = 0.f;
};

class Sgd : public Optimizer {
 public:
  Sgd(Graph& graph, SgdOptions o);
  std::string name() const override { return "SGD"; }

 protected:
  void update(ValueId id, Tensor& param, const Tensor& grad, float lr, int64_t step) override;

 private:
  SgdOptions o_;
};

}  // namespace prunq
