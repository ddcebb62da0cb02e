// ONNX Conv (1-D and 2-D): X [N, C, spatial...], W [M, C/group, k...], optional B [M].
// Depthwise forwards with one output channel per input channel run the dwconv2d_f32 kernels
// (3x the ops' direct loop, which stays for channel multipliers > 1 and for the backward pass);
// 3x3 stride-1 convs run Winograd F(2x2, 3x3) (forward and input gradient); everything else
// im2col + gemm_f32 over chunks of images. (conv2d_f32, the per-image implicit-GEMM kernel, was
// measured 1.4-2.4x slower than the chunked im2col path at batch 128 on the zoo's layers.)
#include "core/error.h"
#include "kernels/dwconv_f32/dwconv_f32.h"
#include "ops/nn/conv_gemm.h"
#include "ops/nn/conv_shape.h"
#include "ops/nn/depthwise_conv.h"
#include "ops/nn/nn_util.h"
#include "ops/nn/winograd_conv.h"
#include "ops/op.h"

namespace prunq {
namespace {
using namespace nn;

struct ConvRun {
  ConvShape shape;
  Window2d w;
};

// Winograd F(2x2, 3x3) pays off for 3x3 / stride 1 / undilated / single-group convs with more
// than a handful of channels; its input-gradient form needs pads <= 2.
bool use_winograd(const ConvRun& r) {
  const Window2d& w = r.w;
  return r.shape.group == 1 && w.kh == 3 && w.kw == 3 && w.sh == 1 && w.sw == 1 && w.dh == 1 && w.dw == 1 &&
         w.pt <= 2 && w.pl <= 2 && w.pb <= 2 && w.pr <= 2 && r.shape.in_channels >= 8 && r.shape.out_channels >= 8;
}

WinogradShape winograd_shape(const ConvRun& r) {
  return WinogradShape{r.shape.batch, r.shape.in_channels, r.shape.out_channels, r.w.ih, r.w.iw,
                       r.w.pt,        r.w.pl,              r.w.oh,               r.w.ow};
}

// The kernels' description of the same convolution (1-D convs as H = 1).
Conv2dParams kernel_params(const ConvRun& r) {
  Conv2dParams p;
  p.batch = r.shape.batch;
  p.in_channels = r.shape.in_channels;
  p.out_channels = r.shape.out_channels;
  p.groups = r.shape.group;
  p.in_h = r.w.ih, p.in_w = r.w.iw;
  p.kernel_h = r.w.kh, p.kernel_w = r.w.kw;
  p.stride_h = r.w.sh, p.stride_w = r.w.sw;
  p.dilation_h = r.w.dh, p.dilation_w = r.w.dw;
  p.pad_top = r.w.pt, p.pad_left = r.w.pl, p.pad_bottom = r.w.pb, p.pad_right = r.w.pr;
  return p;
}

ConvRun plan_conv(const Node& node, const Tensor& x, const Tensor& w, const Tensor* b) {
  ConvRun r;
  r.shape = conv_shape(node, x.shape(), w.shape(), b ? &b->shape() : nullptr);
  r.w = to_2d(node, r.shape.geo);
  return r;
}

class ConvOp final : public Op {
 public:
  std::string_view name() const override { return "Conv"; }

  void infer(InferContext& ctx) const override {
    const TensorType& x = ctx.inputs.at(0);
    const TensorType& w = ctx.inputs.at(1);
    check_f32_type(ctx.node, x, "input X");
    check_f32_type(ctx.node, w, "weight W");
    if (!x.rank_known) {
      ctx.outputs.at(0) = TensorType{DType::f32, {}, false};
      return;
    }
    Shape ws = w.rank_known ? w.shape : Shape(x.shape.size(), -1);
    const Shape* bs = ctx.has(2) && ctx.inputs[2].rank_known ? &ctx.inputs[2].shape : nullptr;
    ctx.outputs.at(0) = TensorType{DType::f32, conv_shape(ctx.node, x.shape, ws, bs).output, true};
  }

  void forward(ForwardContext& ctx) const override {
    const Tensor x = f32_input(ctx.node, ctx.in(0), "input X");
    const Tensor w = f32_input(ctx.node, ctx.in(1), "weight W");
    const Tensor b = ctx.has(2) ? f32_input(ctx.node, ctx.in(2), "bias B") : Tensor();
    const ConvRun r = plan_conv(ctx.node, x, w, b.defined() ? &b : nullptr);
    Tensor y(DType::f32, r.shape.output);
    const float* bias = b.defined() ? b.f32() : nullptr;
    if (r.shape.depthwise() && r.shape.out_channels == r.shape.in_channels) {
      dwconv2d_f32(kernel_params(r), x.f32(), w.f32(), bias, Activation::none, y.f32());
    } else if (r.shape.depthwise()) {  // channel multiplier > 1
      DepthwiseShape ds{r.shape.batch, r.shape.in_channels, r.shape.out_channels / r.shape.in_channels, r.w};
      depthwise_forward(ds, x.f32(), w.f32(), bias, y.f32());
    } else if (use_winograd(r)) {
      winograd_conv3x3(winograd_shape(r), x.f32(), w.f32(), bias, y.f32());
    } else {
      ConvGemmShape gs{r.shape.batch, r.shape.in_channels, r.shape.out_channels, r.shape.group, r.w};
      conv_gemm_forward(gs, x.f32(), w.f32(), bias, y.f32());
    }
    ctx.outputs.at(0) = y;
  }

  bool has_backward() const override { return true; }

  void backward(BackwardContext& ctx) const override {
    const Tensor x = f32_input(ctx.node, ctx.in(0), "input X");
    const Tensor w = f32_input(ctx.node, ctx.in(1), "weight W");
    const bool has_bias = ctx.inputs.size() > 2 && ctx.inputs[2];
    const ConvRun r = plan_conv(ctx.node, x, w, has_bias ? ctx.inputs[2] : nullptr);
    auto want = [&](size_t i) { return i < ctx.need_grad.size() && ctx.need_grad[i] && ctx.inputs[i]; };
    Tensor dx = want(0) ? Tensor(DType::f32, x.shape()) : Tensor();
    Tensor dw = want(1) ? Tensor(DType::f32, w.shape()) : Tensor();
    Tensor db = want(2) ? Tensor(DType::f32, ctx.in(2).shape()) : Tensor();
    if (!ctx.grad_outputs.at(0)) {
      // No gradient reaches the output: every input gradient is zero.
      for (Tensor* t : {&dx, &dw, &db})
        if (t->defined()) t->zero();
    } else {
      const Tensor dy = f32_input(ctx.node, *ctx.grad_outputs[0], "output gradient");
      PRUNQ_CHECK(dy.shape() == r.shape.output, where(ctx.node), ": output gradient ", dy.desc(),
                  " does not match output ", shape_str(r.shape.output));
      float* pdx = dx.defined() ? dx.f32() : nullptr;
      float* pdw = dw.defined() ? dw.f32() : nullptr;
      float* pdb = db.defined() ? db.f32() : nullptr;
      if (r.shape.depthwise()) {
        DepthwiseShape ds{r.shape.batch, r.shape.in_channels, r.shape.out_channels / r.shape.in_channels, r.w};
        depthwise_backward(ds, x.f32(), w.f32(), dy.f32(), pdx, pdw);
        if (pdb) {
          // Same reduction as the GEMM path's bias gradient, with no input/weight work.
          ConvGemmShape gs{r.shape.batch, r.shape.in_channels, r.shape.out_channels, r.shape.group, r.w};
          conv_gemm_backward(gs, x.f32(), w.f32(), dy.f32(), nullptr, nullptr, pdb);
        }
      } else if (use_winograd(r)) {
        ConvGemmShape gs{r.shape.batch, r.shape.in_channels, r.shape.out_channels, r.shape.group, r.w};
        conv_gemm_backward(gs, x.f32(), w.f32(), dy.f32(), nullptr, pdw, pdb);
        if (pdx)
          winograd_conv3x3_input_grad(r.shape.batch, r.shape.in_channels, r.shape.out_channels, r.w.ih, r.w.iw,
                                      r.w.pt, r.w.pl, r.w.oh, r.w.ow, dy.f32(), w.f32(), pdx);
      } else {
        ConvGemmShape gs{r.shape.batch, r.shape.in_channels, r.shape.out_channels, r.shape.group, r.w};
        conv_gemm_backward(gs, x.f32(), w.f32(), dy.f32(), pdx, pdw, pdb);
      }
    }
    if (dx.defined()) ctx.grad_inputs.at(0) = dx;
    if (dw.defined()) ctx.grad_inputs.at(1) = dw;
    if (db.defined()) ctx.grad_inputs.at(2) = db;
  }
};

}  // namespace

const Op& op_Conv() {
  static const ConvOp op;
  return op;
}

}  // namespace prunq
