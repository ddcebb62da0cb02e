// LeakyRelu: y = x for x >= 0, alpha * x otherwise (alpha defaults to 0.01 as in ONNX).
#include "ops/elementwise/pointwise.h"

namespace prunq {
namespace {
struct LeakyReluFn {
  static constexpr std::string_view kName = "LeakyRelu";
  float alpha;
  explicit LeakyReluFn(const Node& n) : alpha(n.attrs.get_float("alpha", 0.01f)) {}
  float value(float x) const { return x < 0.f ? alpha * x : x; }
  float derivative(float x, float) const { return x < 0.f ? alpha : 1.f; }
};
}  // namespace

const Op& op_LeakyRelu() {
  static const PointwiseOp<LeakyReluFn> op;
  return op;
}

}  // namespace prunq
