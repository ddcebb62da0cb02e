// Relu: y = max(x, 0). NaN passes through (x < 0 is false for NaN), as in PyTorch.
#include "ops/elementwise/pointwise.h"

namespace prunq {
namespace {
struct ReluFn {
  static constexpr std::string_view kName = "Relu";
  explicit ReluFn(const Node&) {}
  float value(float x) const { return x < 0.f ? 0.f : x; }
  float derivative(float x, float) const { return x > 0.f ? 1.f : 0.f; }
};
}  // namespace

const Op& op_Relu() {
  static const PointwiseOp<ReluFn> op;
  return op;
}

}  // namespace prunq
