// ONNX MaxPool (1-D and 2-D): kernel_shape, strides, pads, dilations, auto_pad, ceil_mode and
// the optional Indices output (flattened NCHW index, or column-major per plane with
// storage_order 1). Backward routes each output gradient to the input element that won.
// f32, i8 and u8 (ONNX allows both integer types); a quantized input keeps its parameters (per
// tensor, per N or per channel): scales are positive, so the largest integer is the largest real
// value. Integers have a forward only.
#include <limits>

#include "core/error.h"
#include "core/thread_pool.h"
#include "ops/nn/nn_util.h"
#include "ops/nn/pool_shape.h"
#include "ops/op.h"
#include "ops/quant/element_moves.h"

namespace prunq {
namespace {
using namespace nn;

// y[p, o] = max over the window; argmax[p, o] = index within the input plane (-1 when the window
// lies entirely in padding, in which case y is -inf, or the lowest integer).
template <class T>
void max_pool_2d(const PoolRun& r, const T* x, T* y, int32_t* argmax) {
  const Window2d& w = r.w;
  const int64_t plane = w.ih * w.iw, out_plane = w.oh * w.ow;
  parallel_for(r.planes, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const T* src = x + p * plane;
      for (int64_t oy = 0; oy < w.oh; ++oy)
        for (int64_t ox = 0; ox < w.ow; ++ox) {
          T best = std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity()
                                                        : std::numeric_limits<T>::lowest();
          int64_t arg = -1;
          for (int64_t i = 0; i < w.kh; ++i) {
            const int64_t iy = oy * w.sh - w.pt + i * w.dh;
            if (iy < 0 || iy >= w.ih) continue;
            for (int64_t j = 0; j < w.kw; ++j) {
              const int64_t ix = ox * w.sw - w.pl + j * w.dw;
              if (ix < 0 || ix >= w.iw) continue;
              const T v = src[iy * w.iw + ix];
              if (arg < 0 || v > best) {
                best = v;
                arg = iy * w.iw + ix;
              }
            }
          }
          const int64_t o = p * out_plane + oy * w.ow + ox;
          y[o] = best;
          argmax[o] = static_cast<int32_t>(arg);
        }
    }
  });
}

class MaxPoolOp final : public Op {
 public:
  std::string_view name() const override { return "MaxPool"; }

  void infer(InferContext& ctx) const override {
    const TensorType& x = ctx.inputs.at(0);
    check_moves_dtype(ctx.node, x.dtype, "input X");
    const QuantPtr q = pooled_quant(ctx.node, x.quant);
    if (!x.rank_known) {
      ctx.outputs.at(0) = TensorType{x.dtype, {}, false, q};
      if (ctx.outputs.size() > 1) ctx.outputs[1] = TensorType{DType::i64, {}, false};
      return;
    }
    const Shape out = pool_shape(ctx.node, x.shape).output;
    ctx.outputs.at(0) = TensorType{x.dtype, out, true, q};
    if (ctx.outputs.size() > 1) ctx.outputs[1] = TensorType{DType::i64, out, true};
  }

  void forward(ForwardContext& ctx) const override {
    const Tensor x = ctx.in(0).contiguous();
    check_moves_dtype(ctx.node, x.dtype(), "input X");
    const PoolRun r = plan_pool(ctx.node, x.shape());
    Tensor y(x.dtype(), r.output);
    Tensor argmax(DType::i32, r.output);
    switch (x.dtype()) {
      case DType::i8: max_pool_2d(r, x.data<int8_t>(), y.data<int8_t>(), argmax.data<int32_t>()); break;
      case DType::u8: max_pool_2d(r, x.data<uint8_t>(), y.data<uint8_t>(), argmax.data<int32_t>()); break;
      default: max_pool_2d(r, x.f32(), y.f32(), argmax.data<int32_t>()); break;
    }
    if (x.quantized()) y.set_quant(pooled_quant(ctx.node, x.quant()));
    ctx.outputs.at(0) = y;
    if (ctx.outputs.size() > 1 && ctx.node.outputs.size() > 1 && ctx.node.outputs[1] != kNoValue)
      ctx.outputs[1] = indices_output(ctx.node, r, argmax);
    if (ctx.training)
      ctx.state.saved = {argmax};
    else
      ctx.state.saved.clear();
  }

  bool has_backward() const override { return true; }

  void backward(BackwardContext& ctx) const override {
    const Tensor x = f32_input(ctx.node, ctx.in(0), "input X");
    const PoolRun r = plan_pool(ctx.node, x.shape());
    if (!(ctx.need_grad.size() > 0 && ctx.need_grad[0])) return;
    Tensor dx = Tensor::zeros(DType::f32, x.shape());
    if (ctx.grad_outputs.at(0)) {
      const Tensor dy = f32_input(ctx.node, *ctx.grad_outputs[0], "output gradient");
      PRUNQ_CHECK(dy.shape() == r.output, where(ctx.node), ": output gradient ", dy.desc(), " does not match output ",
                  shape_str(r.output));
      Tensor argmax;
      if (ctx.state.saved.size() == 1 && ctx.state.saved[0].shape() == r.output) {
        argmax = ctx.state.saved[0];
      } else {  // forward ran without training: find the winners again
        argmax = Tensor(DType::i32, r.output);
        Tensor scratch_y(DType::f32, r.output);
        max_pool_2d(r, x.f32(), scratch_y.f32(), argmax.data<int32_t>());
      }
      const int64_t plane = r.w.ih * r.w.iw, out_plane = r.w.oh * r.w.ow;
      const int32_t* arg = argmax.data<int32_t>();
      const float* pdy = dy.f32();
      float* pdx = dx.f32();
      parallel_for(r.planes, [&](int64_t p0, int64_t p1) {
        for (int64_t p = p0; p < p1; ++p)
          for (int64_t o = p * out_plane; o < (p + 1) * out_plane; ++o)
            if (arg[o] >= 0) pdx[p * plane + arg[o]] += pdy[o];
      });
    }
    ctx.grad_inputs.at(0) = dx;
  }

 private:
  // Windows stay within one (n, c) plane: parameters along N or C survive, spatial ones do not.
  static QuantPtr pooled_quant(const Node& node, const QuantPtr& q) {
    return moved_quant(node, q, [](int64_t axis) { return axis <= 1 ? std::optional<int64_t>(axis) : std::nullopt; });
  }

  static Tensor indices_output(const Node& node, const PoolRun& r, const Tensor& argmax) {
    const int64_t storage_order = node.attrs.get_int("storage_order", 0);
    PRUNQ_CHECK(storage_order == 0 || storage_order == 1, where(node), ": storage_order must be 0 or 1, got ",
                storage_order);
    const int64_t plane = r.w.ih * r.w.iw, out_plane = r.w.oh * r.w.ow;
    Tensor idx(DType::i64, r.output);
    const int32_t* a = argmax.data<int32_t>();
    int64_t* out = idx.data<int64_t>();
    for (int64_t p = 0; p < r.planes; ++p)
      for (int64_t o = 0; o < out_plane; ++o) {
        const int64_t k = a[p * out_plane + o];
        const int64_t in_plane = storage_order == 0 ? k : (k % r.w.iw) * r.w.ih + k / r.w.iw;
        out[p * out_plane + o] = k < 0 ? -1 : p * plane + in_plane;
      }
    return idx;
  }
};

}  // namespace

const Op& op_MaxPool() {
  static const MaxPoolOp op;
  return op;
}

}  // namespace prunq
