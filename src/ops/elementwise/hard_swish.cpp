// HardSwish (MobileNetV3): y = x * max(0, min(1, x / 6 + 1/2)).
// dy/dx = 0 for x <= -3, 1 for x >= 3 and (2x + 3) / 6 in between.
#include "ops/elementwise/pointwise.h"

namespace prunq {
namespace {
struct HardSwishFn {
  static constexpr std::string_view kName = "HardSwish";
  explicit HardSwishFn(const Node&) {}
  float value(float x) const {
    float t = x * (1.f / 6.f) + 0.5f;
    return x * (t < 0.f ? 0.f : (t > 1.f ? 1.f : t));
  }
  float derivative(float x, float) const {
    // Selects rather than early returns, so the backward loop vectorises.
    float d = (2.f * x + 3.f) * (1.f / 6.f);
    d = x <= -3.f ? 0.f : d;
    return x >= 3.f ? 1.f : d;
  }
};
}  // namespace

const Op& op_HardSwish() {
  static const PointwiseOp<HardSwishFn> op;
  return op;
}

}  // namespace prunq
