// Tanh: y = tanh(x); dy/dx = 1 - y^2, taken from the saved output.
#include <cmath>

#include "ops/elementwise/pointwise.h"

namespace prunq {
namespace {
struct TanhFn {
  static constexpr std::string_view kName = "Tanh";
  explicit TanhFn(const Node&) {}
  float value(float x) const { return std::tanh(x); }
  float derivative(float, float y) const { return 1.f - y * y; }
};
}  // namespace

const Op& op_Tanh() {
  static const PointwiseOp<TanhFn> op;
  return op;
}

}  // namespace prunq
