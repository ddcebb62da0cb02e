#include "ops/elementwise/pointwise.h"

namespace prunq {

Tensor require_f32(const Tensor& t, const Node& node, const char* role) {
  PRUNQ_CHECK(t.dtype() == DType::f32, node_desc(node), ": ", role, " must be f32, got ", t.desc());
  return t.contiguous();
}

void infer_like_input(InferContext& ctx, bool float_only) {
  PRUNQ_CHECK(ctx.has(0), node_desc(ctx.node), ": input 0 is missing");
  const TensorType& t = ctx.inputs[0];
  if (float_only)
    PRUNQ_CHECK(t.dtype == DType::f32, node_desc(ctx.node), ": input must be f32, got ", t.str());
  ctx.outputs[0] = TensorType{t.dtype, t.shape, t.rank_known};  // quantization is each op's call
}

double sum_f32(const float* p, int64_t n) {
  constexpr int64_t kLanes = 16;
  float lanes[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int64_t k = 0; k < kLanes; ++k) lanes[k] += p[i + k];
  double s = 0;
  for (; i < n; ++i) s += p[i];
  for (float l : lanes) s += l;
  return s;
}

Tensor grad_output_or_zeros(const BackwardContext& ctx, size_t i, const Shape& like) {
  if (i < ctx.grad_outputs.size() && ctx.grad_outputs[i]) {
    const Tensor& g = *ctx.grad_outputs[i];
    PRUNQ_CHECK(g.shape() == like, node_desc(ctx.node), ": gradient of output ", i, " has shape ",
                shape_str(g.shape()), ", expected ", shape_str(like));
    return require_f32(g, ctx.node, "output gradient");
  }
  return Tensor::zeros(DType::f32, like);
}

}  // namespace prunq
