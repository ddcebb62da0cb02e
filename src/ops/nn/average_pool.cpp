// ONNX AveragePool (1-D and 2-D): kernel_shape, strides, pads, dilations, auto_pad, ceil_mode,
// count_include_pad. The divisor counts the window positions inside the input (count_include_pad
// 0) or inside input + pads (1); a ceil_mode overhang past the trailing pad is never counted
// (PyTorch's rule).
#include <algorithm>

#include "core/error.h"
#include "core/thread_pool.h"
#include "ops/nn/nn_util.h"
#include "ops/nn/pool_shape.h"
#include "ops/op.h"

namespace prunq {
namespace {
using namespace nn;

// Taps of one window along one axis: how many read the input, and how many read input or pad.
struct AxisCount {
  int64_t valid, with_pad;
};

AxisCount count_axis(int64_t start, int64_t k, int64_t dil, int64_t in, int64_t pad_begin, int64_t pad_end) {
  AxisCount c{0, 0};
  for (int64_t i = 0; i < k; ++i) {
    const int64_t pos = start + i * dil;
    if (pos >= 0 && pos < in) ++c.valid;
    if (pos >= -pad_begin && pos < in + pad_end) ++c.with_pad;
  }
  return c;
}

// Calls fn(out_index, in_index, 1/divisor) for every (output, input) pair of the windows of
// planes [p0, p1).
template <typename Fn>
void for_each_window(const PoolRun& r, bool include_pad, int64_t p0, int64_t p1, Fn&& fn) {
  const Window2d& w = r.w;
  const int64_t plane = w.ih * w.iw, out_plane = w.oh * w.ow;
  for (int64_t p = p0; p < p1; ++p)
    for (int64_t oy = 0; oy < w.oh; ++oy) {
      const int64_t y0 = oy * w.sh - w.pt;
      const AxisCount cy = count_axis(y0, w.kh, w.dh, w.ih, w.pt, w.pb);
      for (int64_t ox = 0; ox < w.ow; ++ox) {
        const int64_t x0 = ox * w.sw - w.pl;
        const AxisCount cx = count_axis(x0, w.kw, w.dw, w.iw, w.pl, w.pr);
        const int64_t divisor = include_pad ? cy.with_pad * cx.with_pad : cy.valid * cx.valid;
        const float inv = divisor > 0 ? 1.f / float(divisor) : 0.f;
        const int64_t o = p * out_plane + oy * w.ow + ox;
        for (int64_t i = 0; i < w.kh; ++i) {
          const int64_t iy = y0 + i * w.dh;
          if (iy < 0 || iy >= w.ih) continue;
          for (int64_t j = 0; j < w.kw; ++j) {
            const int64_t ix = x0 + j * w.dw;
            if (ix < 0 || ix >= w.iw) continue;
            fn(o, p * plane + iy * w.iw + ix, inv);
          }
        }
      }
    }
}

class AveragePoolOp final : public Op {
 public:
  std::string_view name() const override { return "AveragePool"; }

  void infer(InferContext& ctx) const override {
    const TensorType& x = ctx.inputs.at(0);
    check_f32_type(ctx.node, x, "input X");
    ctx.outputs.at(0) = x.rank_known ? TensorType{DType::f32, pool_shape(ctx.node, x.shape).output, true}
                                     : TensorType{DType::f32, {}, false};
  }

  void forward(ForwardContext& ctx) const override {
    const Tensor x = f32_input(ctx.node, ctx.in(0), "input X");
    const PoolRun r = plan_pool(ctx.node, x.shape());
    const bool include_pad = ctx.attrs().get_int("count_include_pad", 0) != 0;
    Tensor y = Tensor::zeros(DType::f32, r.output);
    const float* src = x.f32();
    float* dst = y.f32();
    parallel_for(r.planes, [&](int64_t p0, int64_t p1) {
      for_each_window(r, include_pad, p0, p1, [&](int64_t o, int64_t i, float inv) { dst[o] += src[i] * inv; });
    });
    ctx.outputs.at(0) = y;
  }

  bool has_backward() const override { return true; }

  void backward(BackwardContext& ctx) const override {
    const Tensor& x = ctx.in(0);
    const PoolRun r = plan_pool(ctx.node, x.shape());
    if (!(ctx.need_grad.size() > 0 && ctx.need_grad[0])) return;
    const bool include_pad = ctx.attrs().get_int("count_include_pad", 0) != 0;
    Tensor dx = Tensor::zeros(DType::f32, x.shape());
    if (ctx.grad_outputs.at(0)) {
      const Tensor dy = f32_input(ctx.node, *ctx.grad_outputs[0], "output gradient");
      PRUNQ_CHECK(dy.shape() == r.output, where(ctx.node), ": output gradient ", dy.desc(), " does not match output ",
                  shape_str(r.output));
      const float* g = dy.f32();
      float* d = dx.f32();
      parallel_for(r.planes, [&](int64_t p0, int64_t p1) {
        for_each_window(r, include_pad, p0, p1, [&](int64_t o, int64_t i, float inv) { d[i] += g[o] * inv; });
      });
    }
    ctx.grad_inputs.at(0) = dx;
  }
};

}  // namespace

const Op& op_AveragePool() {
  static const AveragePoolOp op;
  return op;
}

}  // namespace prunq
