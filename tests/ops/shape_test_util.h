// Helpers for the elementwise and shape op tests: static shape inference with unknown (-1) dims
// and optional constant inputs (the op harness only infers from concrete tensors), and inputs
// kept away from an activation's kinks so finite differences stay valid.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <initializer_list>
#include <string>
#include <vector>

#include "support/op_harness.h"

namespace prunq::testing {

struct InferInput {
  TensorType type;
  const Tensor* constant = nullptr;  // known value (e.g. a shape initializer), else unknown
  bool present = true;
};

inline InferInput known(DType t, Shape s) { return {TensorType{t, std::move(s), true}}; }
inline InferInput constant_input(const Tensor& v) { return {TensorType{v.dtype(), v.shape(), true}, &v}; }
inline InferInput absent() { return {TensorType{}, nullptr, false}; }

inline std::vector<TensorType> infer_static(const std::string& op, const Attributes& attrs,
                                            const std::vector<InferInput>& inputs, int num_outputs = 1) {
  Node n;
  n.op = op;
  n.name = "test_" + op;
  n.attrs = attrs;
  for (size_t i = 0; i < inputs.size(); ++i) n.inputs.push_back(inputs[i].present ? ValueId(i) : kNoValue);
  for (int i = 0; i < num_outputs; ++i) n.outputs.push_back(ValueId(inputs.size() + size_t(i)));
  InferContext ctx{n, {}, {}, {}, {}};
  for (const InferInput& in : inputs) {
    ctx.inputs.push_back(in.type);
    ctx.present.push_back(in.present);
    ctx.constants.push_back(in.constant);
  }
  ctx.outputs.resize(size_t(num_outputs));
  get_op(n).infer(ctx);
  return ctx.outputs;
}

// Uniform values in [-hi, -margin] U [margin, hi] shifted by `center`: no value within `margin`
// of the kink at `center`, so central differences with eps < margin see one smooth piece.
inline Tensor random_away_from(Shape shape, uint64_t seed, float center, float margin = 0.1f, float hi = 2.f) {
  Tensor t = random_tensor(std::move(shape), seed, -1.f, 1.f);
  for (int64_t i = 0; i < t.numel(); ++i) {
    float u = t.f32()[i];
    float mag = margin + std::fabs(u) * (hi - margin);
    t.f32()[i] = center + (u < 0 ? -mag : mag);
  }
  return t;
}

// Expects fn() to throw prunq::Error whose message contains every string in `parts`.
template <class F>
void expect_error(F&& fn, std::initializer_list<std::string> parts) {
  try {
    fn();
    ADD_FAILURE() << "expected a prunq::Error";
  } catch (const Error& e) {
    std::string msg = e.what();
    for (const std::string& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
  }
}

inline void expect_values(const Tensor& t, const std::vector<float>& want, float tol = 1e-6f) {
  ASSERT_EQ(t.numel(), int64_t(want.size())) << t.desc();
  Tensor c = t.contiguous();
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(c.f32()[i], want[i], tol) << "element " << i;
}

}  // namespace prunq::testing
