// Erf: y = erf(x); dy/dx = 2 / sqrt(pi) * exp(-x^2).
#include <cmath>

#include "ops/elementwise/pointwise.h"

namespace prunq {
namespace {
struct ErfFn {
  static constexpr std::string_view kName = "Erf";
  explicit ErfFn(const Node&) {}
  float value(float x) const { return std::erf(x); }
  float derivative(float x, float) const { return 1.1283791670955126f * std::exp(-x * x); }
};
}  // namespace

const Op& op_Erf() {
  static const PointwiseOp<ErfFn> op;
  return op;
}

}  // namespace prunq
