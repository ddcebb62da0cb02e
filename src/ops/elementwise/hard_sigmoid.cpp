// HardSigmoid: y = max(0, min(1, alpha * x + beta)), ONNX defaults alpha = 0.2, beta = 0.5.
// The derivative is alpha inside the linear segment and 0 on the flat parts.
#include "ops/elementwise/pointwise.h"

namespace prunq {
namespace {
struct HardSigmoidFn {
  static constexpr std::string_view kName = "HardSigmoid";
  float alpha, beta;
  explicit HardSigmoidFn(const Node& n)
      : alpha(n.attrs.get_float("alpha", 0.2f)), beta(n.attrs.get_float("beta", 0.5f)) {}
  float value(float x) const {
    float t = alpha * x + beta;
    return t < 0.f ? 0.f : (t > 1.f ? 1.f : t);
  }
  float derivative(float x, float) const {
    float t = alpha * x + beta;
    return (t > 0.f && t < 1.f) ? alpha : 0.f;
  }
};
}  // namespace

const Op& op_HardSigmoid() {
  static const PointwiseOp<HardSigmoidFn> op;
  return op;
}

}  // namespace prunq
