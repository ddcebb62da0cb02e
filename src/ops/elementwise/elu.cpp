// Elu (alpha = 1), Selu (alpha, gamma: the self-normalising constants) and Softplus.
// Elu/Selu derivatives on the negative side come from the output: d/dx alpha (e^x - 1) = y + alpha.
// Softplus = log(1 + e^x), computed without overflow; its derivative is sigmoid(x).
#include <cmath>

#include "ops/elementwise/pointwise.h"

namespace prunq {
namespace {

struct EluFn {
  static constexpr std::string_view kName = "Elu";
  float alpha;
  explicit EluFn(const Node& n) : alpha(n.attrs.get_float("alpha", 1.f)) {}
  float value(float x) const { return x > 0.f ? x : alpha * std::expm1(x); }
  float derivative(float x, float y) const { return x > 0.f ? 1.f : y + alpha; }
};

struct SeluFn {
  static constexpr std::string_view kName = "Selu";
  float alpha, gamma;
  explicit SeluFn(const Node& n)
      : alpha(n.attrs.get_float("alpha", 1.67326319217681884765625f)),
        gamma(n.attrs.get_float("gamma", 1.05070102214813232421875f)) {}
  float value(float x) const { return x > 0.f ? gamma * x : gamma * alpha * std::expm1(x); }
  float derivative(float x, float y) const { return x > 0.f ? gamma : y + gamma * alpha; }
};

struct SoftplusFn {
  static constexpr std::string_view kName = "Softplus";
  explicit SoftplusFn(const Node&) {}
  float value(float x) const { return x > 0.f ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }
  float derivative(float x, float) const { return 1.f / (1.f + std::exp(-x)); }
};

}  // namespace

const Op& op_Elu() {
  static const PointwiseOp<EluFn> op;
  return op;
}
const Op& op_Selu() {
  static const PointwiseOp<SeluFn> op;
  return op;
}
const Op& op_Softplus() {
  static const PointwiseOp<SoftplusFn> op;
  return op;
}

}  // namespace prunq
