// Sigmoid: y = 1 / (1 + exp(-x)); dy/dx = y (1 - y), taken from the saved output.
#include <cmath>

#include "ops/elementwise/pointwise.h"

namespace prunq {
namespace {
struct SigmoidFn {
  static constexpr std::string_view kName = "Sigmoid";
  explicit SigmoidFn(const Node&) {}
  float value(float x) const { return 1.f / (1.f + std::exp(-x)); }
  float derivative(float, float y) const { return y * (1.f - y); }
};
}  // namespace

const Op& op_Sigmoid() {
  static const PointwiseOp<SigmoidFn> op;
  return op;
}

}  // namespace prunq
