// Gelu (ONNX opset 20; accepted at any opset): approximate = "none" uses the exact
// x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)); "tanh" uses 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
#include <cmath>

#include "ops/elementwise/pointwise.h"

namespace prunq {
namespace {
constexpr float kInvSqrt2 = 0.70710678118654752f;
constexpr float kInvSqrt2Pi = 0.39894228040143268f;  // 1 / sqrt(2 pi): the normal density at 0
constexpr float kSqrt2OverPi = 0.79788456080286536f;
constexpr float kCubic = 0.044715f;

struct GeluFn {
  static constexpr std::string_view kName = "Gelu";
  bool tanh_approx;
  explicit GeluFn(const Node& n) {
    std::string mode = n.attrs.get_string("approximate", "none");
    PRUNQ_CHECK(mode == "none" || mode == "tanh", node_desc(n), ": approximate must be 'none' or 'tanh', got '",
                mode, "'");
    tanh_approx = mode == "tanh";
  }
  float value(float x) const {
    if (tanh_approx) return 0.5f * x * (1.f + std::tanh(kSqrt2OverPi * (x + kCubic * x * x * x)));
    return 0.5f * x * (1.f + std::erf(x * kInvSqrt2));
  }
  float derivative(float x, float) const {
    if (tanh_approx) {
      float t = std::tanh(kSqrt2OverPi * (x + kCubic * x * x * x));
      float dt = (1.f - t * t) * kSqrt2OverPi * (1.f + 3.f * kCubic * x * x);
      return 0.5f * (1.f + t) + 0.5f * x * dt;
    }
    return 0.5f * (1.f + std::erf(x * kInvSqrt2)) + x * kInvSqrt2Pi * std::exp(-0.5f * x * x);
  }
};
}  // namespace

const Op& op_Gelu() {
  static const PointwiseOp<GeluFn> op;
  return op;
}

}  // namespace prunq
