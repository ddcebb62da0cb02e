// Elementary math: Exp, Log, Sqrt, Neg, Abs, Reciprocal, Floor, Ceil (f32). Derivatives reuse the
// output where that is cheaper (exp, sqrt, 1/x). Floor and Ceil are flat almost everywhere, so
// their gradient is zero, as in PyTorch. Abs uses sign(x) with 0 at 0.
#include <cmath>

#include "ops/elementwise/pointwise.h"

namespace prunq {
namespace {

struct ExpFn {
  static constexpr std::string_view kName = "Exp";
  explicit ExpFn(const Node&) {}
  float value(float x) const { return std::exp(x); }
  float derivative(float, float y) const { return y; }
};

struct LogFn {
  static constexpr std::string_view kName = "Log";
  explicit LogFn(const Node&) {}
  float value(float x) const { return std::log(x); }
  float derivative(float x, float) const { return 1.f / x; }
};

struct SqrtFn {
  static constexpr std::string_view kName = "Sqrt";
  explicit SqrtFn(const Node&) {}
  float value(float x) const { return std::sqrt(x); }
  float derivative(float, float y) const { return 0.5f / y; }
};

struct NegFn {
  static constexpr std::string_view kName = "Neg";
  explicit NegFn(const Node&) {}
  float value(float x) const { return -x; }
  float derivative(float, float) const { return -1.f; }
};

struct AbsFn {
  static constexpr std::string_view kName = "Abs";
  explicit AbsFn(const Node&) {}
  float value(float x) const { return std::fabs(x); }
  float derivative(float x, float) const { return x > 0.f ? 1.f : (x < 0.f ? -1.f : 0.f); }
};

struct ReciprocalFn {
  static constexpr std::string_view kName = "Reciprocal";
  explicit ReciprocalFn(const Node&) {}
  float value(float x) const { return 1.f / x; }
  float derivative(float, float y) const { return -y * y; }
};

struct FloorFn {
  static constexpr std::string_view kName = "Floor";
  explicit FloorFn(const Node&) {}
  float value(float x) const { return std::floor(x); }
  float derivative(float, float) const { return 0.f; }
};

struct CeilFn {
  static constexpr std::string_view kName = "Ceil";
  explicit CeilFn(const Node&) {}
  float value(float x) const { return std::ceil(x); }
  float derivative(float, float) const { return 0.f; }
};

}  // namespace

#define PRUNQ_DEFINE_POINTWISE(Name)           \
  const Op& op_##Name() {                      \
    static const PointwiseOp<Name##Fn> op;     \
    return op;                                 \
  }
PRUNQ_DEFINE_POINTWISE(Exp)
PRUNQ_DEFINE_POINTWISE(Log)
PRUNQ_DEFINE_POINTWISE(Sqrt)
PRUNQ_DEFINE_POINTWISE(Neg)
PRUNQ_DEFINE_POINTWISE(Abs)
PRUNQ_DEFINE_POINTWISE(Reciprocal)
PRUNQ_DEFINE_POINTWISE(Floor)
PRUNQ_DEFINE_POINTWISE(Ceil)
#undef PRUNQ_DEFINE_POINTWISE

}  // namespace prunq
