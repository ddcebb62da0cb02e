// ONNX GlobalAveragePool: X [N, C, spatial...] -> [N, C, 1, ...] (mean over all spatial dims).
#include "core/error.h"
#include "core/thread_pool.h"
#include "ops/nn/nn_util.h"
#include "ops/op.h"

namespace prunq {
namespace {
using namespace nn;

Shape pooled_shape(const Node& node, const Shape& x) {
  PRUNQ_CHECK(x.size() >= 3, where(node), ": input X must be [N, C, spatial...], got ", shape_str(x));
  Shape out(x.size(), 1);
  out[0] = x[0];
  out[1] = x[1];
  return out;
}

class GlobalAveragePoolOp final : public Op {
 public:
  std::string_view name() const override { return "GlobalAveragePool"; }

  void infer(InferContext& ctx) const override {
    const TensorType& x = ctx.inputs.at(0);
    check_f32_type(ctx.node, x, "input X");
    ctx.outputs.at(0) = x.rank_known ? TensorType{DType::f32, pooled_shape(ctx.node, x.shape), true}
                                     : TensorType{DType::f32, {}, false};
  }

  void forward(ForwardContext& ctx) const override {
    const Tensor x = f32_input(ctx.node, ctx.in(0), "input X");
    Tensor y(DType::f32, pooled_shape(ctx.node, x.shape()));
    const int64_t planes = x.dim(0) * x.dim(1), spatial = dims_product(x.shape(), 2, x.shape().size());
    PRUNQ_CHECK(spatial > 0, where(ctx.node), ": input X ", x.desc(), " has no spatial elements");
    const float* px = x.f32();
    float* py = y.f32();
    parallel_for(planes, [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; ++p) {
        double s = 0;
        for (int64_t i = 0; i < spatial; ++i) s += px[p * spatial + i];
        py[p] = float(s / double(spatial));
      }
    });
    ctx.outputs.at(0) = y;
  }

  bool has_backward() const override { return true; }

  void backward(BackwardContext& ctx) const override {
    const Tensor& x = ctx.in(0);
    if (!(ctx.need_grad.size() > 0 && ctx.need_grad[0])) return;
    const Shape out = pooled_shape(ctx.node, x.shape());
    const int64_t planes = x.dim(0) * x.dim(1), spatial = dims_product(x.shape(), 2, x.shape().size());
    Tensor dx = Tensor::zeros(DType::f32, x.shape());
    if (ctx.grad_outputs.at(0)) {
      const Tensor dy = f32_input(ctx.node, *ctx.grad_outputs[0], "output gradient");
      PRUNQ_CHECK(dy.shape() == out, where(ctx.node), ": output gradient ", dy.desc(), " does not match output ",
                  shape_str(out));
      const float* pdy = dy.f32();
      float* pdx = dx.f32();
      parallel_for(planes, [&](int64_t p0, int64_t p1) {
        for (int64_t p = p0; p < p1; ++p) {
          const float g = pdy[p] / float(spatial);
          for (int64_t i = 0; i < spatial; ++i) pdx[p * spatial + i] = g;
        }
      });
    }
    ctx.grad_inputs.at(0) = dx;
  }
};

}  // namespace

const Op& op_GlobalAveragePool() {
  static const GlobalAveragePoolOp op;
  return op;
}

}  // namespace prunq
