// ONNX BatchNormalization over X [N, C, d...] with per-channel scale, B, mean and var.
// Inference (ctx.training false): normalises with the running statistics (inputs 3 and 4).
// Training: normalises with the batch statistics and updates the running statistics IN PLACE
// (they share storage with the graph's initializers) with ONNX momentum semantics,
//   running = running * momentum + batch * (1 - momentum),
// using the unbiased batch variance for the running variance, as PyTorch does.
// Optional outputs 1 and 2 receive copies of the (updated) running mean and variance.
// Backward: training mode differentiates through the batch statistics; inference mode treats
// the statistics as constants. mean/var inputs are not differentiable.
#include <cmath>

#include "core/error.h"
#include "core/thread_pool.h"
#include "ops/nn/nn_util.h"
#include "ops/op.h"

namespace prunq {
namespace {
using namespace nn;

struct BnDims {
  int64_t batch, channels, spatial;  // X viewed as [batch, channels, spatial]
};

BnDims bn_dims(const Node& node, const Shape& x, const std::vector<const Shape*>& params) {
  PRUNQ_CHECK(x.size() >= 2, where(node), ": input X must be [N, C, ...], got ", shape_str(x));
  static const char* kNames[] = {"scale", "B", "input_mean", "input_var"};
  for (size_t i = 0; i < params.size(); ++i) {
    if (!params[i]) continue;
    const Shape& p = *params[i];
    PRUNQ_CHECK(p.size() == 1 && (p[0] < 0 || x[1] < 0 || p[0] == x[1]), where(node), ": ", kNames[i], " ",
                shape_str(p), " must be [", x[1], "] to match input X ", shape_str(x));
  }
  return BnDims{x[0], x[1], dims_product(x, 2, x.size())};
}

// Calls fn(offset) with the element offset of each of the batch planes of channel c.
template <typename Fn>
void for_channel_planes(const BnDims& d, int64_t c, Fn&& fn) {
  for (int64_t n = 0; n < d.batch; ++n) fn((n * d.channels + c) * d.spatial);
}

class BatchNormalizationOp final : public Op {
 public:
  std::string_view name() const override { return "BatchNormalization"; }

  bool input_differentiable(size_t i) const override { return i < 3; }

  void infer(InferContext& ctx) const override {
    const TensorType& x = ctx.inputs.at(0);
    check_f32_type(ctx.node, x, "input X");
    PRUNQ_CHECK(ctx.inputs.size() >= 5, where(ctx.node), ": needs inputs X, scale, B, input_mean, input_var");
    std::vector<const Shape*> params;
    for (size_t i = 1; i < 5; ++i) params.push_back(ctx.inputs[i].rank_known ? &ctx.inputs[i].shape : nullptr);
    int64_t channels = -1;
    if (x.rank_known) channels = bn_dims(ctx.node, x.shape, params).channels;
    ctx.outputs.at(0) = x;
    for (size_t o = 1; o < ctx.outputs.size(); ++o) ctx.outputs[o] = TensorType{DType::f32, {channels}, true};
  }

  void forward(ForwardContext& ctx) const override {
    PRUNQ_CHECK(ctx.inputs.size() >= 5, where(ctx.node), ": needs inputs X, scale, B, input_mean, input_var");
    const Tensor x = f32_input(ctx.node, ctx.in(0), "input X");
    const Tensor scale = f32_input(ctx.node, ctx.in(1), "scale");
    const Tensor bias = f32_input(ctx.node, ctx.in(2), "B");
    // Copies of the Tensor handles share storage: writing through them updates the initializers.
    Tensor running_mean = ctx.in(3), running_var = ctx.in(4);
    PRUNQ_CHECK(running_mean.dtype() == DType::f32 && running_var.dtype() == DType::f32 &&
                    running_mean.is_contiguous() && running_var.is_contiguous(),
                where(ctx.node), ": input_mean ", running_mean.desc(), " and input_var ", running_var.desc(),
                " must be contiguous f32");
    const BnDims d = bn_dims(ctx.node, x.shape(),
                             {&scale.shape(), &bias.shape(), &running_mean.shape(), &running_var.shape()});
    const float eps = ctx.attrs().get_float("epsilon", 1e-5f);
    const float momentum = ctx.attrs().get_float("momentum", 0.9f);
    const int64_t count = d.batch * d.spatial;

    Tensor mean(DType::f32, {d.channels}), invstd(DType::f32, {d.channels});
    // Raw pointers for the loops: Tensor::f32() checks the dtype on every call.
    const float* px = x.f32();
    float* pmean = mean.f32();
    float* pinvstd = invstd.f32();
    float* rm = running_mean.f32();
    float* rv = running_var.f32();
    if (ctx.training) {
      PRUNQ_CHECK(count > 1, where(ctx.node), ": training needs more than one value per channel, X is ",
                  x.desc());
      parallel_for(d.channels, [&](int64_t c0, int64_t c1) {
        for (int64_t c = c0; c < c1; ++c) {
          double sum = 0;
          for_channel_planes(d, c, [&](int64_t off) {
            float part = 0;
            for (int64_t i = 0; i < d.spatial; ++i) part += px[off + i];
            sum += part;
          });
          const double mu = sum / double(count);
          double sq = 0;  // second pass around the mean: no cancellation for large activations
          for_channel_planes(d, c, [&](int64_t off) {
            float part = 0;
            for (int64_t i = 0; i < d.spatial; ++i) {
              const float v = px[off + i] - float(mu);
              part += v * v;
            }
            sq += part;
          });
          const double var = sq / double(count);
          pmean[c] = float(mu);
          pinvstd[c] = float(1.0 / std::sqrt(var + double(eps)));
          const double unbiased = sq / double(count - 1);
          rm[c] = float(rm[c] * double(momentum) + mu * (1.0 - double(momentum)));
          rv[c] = float(rv[c] * double(momentum) + unbiased * (1.0 - double(momentum)));
        }
      });
      ctx.state.saved = {mean, invstd};
    } else {
      for (int64_t c = 0; c < d.channels; ++c) {
        pmean[c] = rm[c];
        pinvstd[c] = float(1.0 / std::sqrt(double(rv[c]) + double(eps)));
      }
      ctx.state.saved.clear();  // backward must not pick up statistics of an older training run
    }

    Tensor y(DType::f32, x.shape());
    const float* pscale = scale.f32();
    const float* pbias = bias.f32();
    float* py = y.f32();
    parallel_for(d.batch * d.channels, [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; ++p) {
        const int64_t c = p % d.channels;
        const float a = pscale[c] * pinvstd[c];
        const float b = pbias[c] - pmean[c] * a;
        const float* src = px + p * d.spatial;
        float* dst = py + p * d.spatial;
        for (int64_t i = 0; i < d.spatial; ++i) dst[i] = src[i] * a + b;
      }
    });
    ctx.outputs.at(0) = y;
    if (ctx.outputs.size() > 1 && ctx.node.outputs.size() > 1 && ctx.node.outputs[1] != kNoValue)
      ctx.outputs[1] = running_mean.clone();
    if (ctx.outputs.size() > 2 && ctx.node.outputs.size() > 2 && ctx.node.outputs[2] != kNoValue)
      ctx.outputs[2] = running_var.clone();
  }

  bool has_backward() const override { return true; }

  void backward(BackwardContext& ctx) const override {
    const Tensor x = f32_input(ctx.node, ctx.in(0), "input X");
    const Tensor scale = f32_input(ctx.node, ctx.in(1), "scale");
    const Tensor& running_var = ctx.in(4);
    const BnDims d = bn_dims(ctx.node, x.shape(), {&scale.shape(), nullptr, nullptr, &running_var.shape()});
    auto want = [&](size_t i) { return i < ctx.need_grad.size() && ctx.need_grad[i]; };
    const bool training = ctx.state.saved.size() == 2;  // forward saved batch statistics
    Tensor mean, invstd;
    if (training) {
      mean = ctx.state.saved[0];
      invstd = ctx.state.saved[1];
    } else {
      const float eps = ctx.attrs().get_float("epsilon", 1e-5f);
      mean = ctx.in(3).clone();
      invstd = Tensor(DType::f32, {d.channels});
      for (int64_t c = 0; c < d.channels; ++c)
        invstd.f32()[c] = float(1.0 / std::sqrt(double(running_var.f32()[c]) + double(eps)));
    }
    Tensor dy = ctx.grad_outputs.at(0) ? f32_input(ctx.node, *ctx.grad_outputs[0], "output gradient")
                                       : Tensor::zeros(DType::f32, x.shape());
    PRUNQ_CHECK(dy.shape() == x.shape(), where(ctx.node), ": output gradient ", dy.desc(), " does not match X ",
                x.desc());
    Tensor dx = want(0) ? Tensor(DType::f32, x.shape()) : Tensor();
    Tensor dscale(DType::f32, {d.channels}), dbias(DType::f32, {d.channels});
    const double count = double(d.batch * d.spatial);
    const float* px = x.f32();
    const float* pdy = dy.f32();
    const float* pscale = scale.f32();
    float* pdx = dx.defined() ? dx.f32() : nullptr;
    parallel_for(d.channels, [&](int64_t c0, int64_t c1) {
      for (int64_t c = c0; c < c1; ++c) {
        const float mu = mean.f32()[c], is = invstd.f32()[c];
        double sum_dy = 0, sum_dy_xhat = 0;
        for_channel_planes(d, c, [&](int64_t off) {
          float s0 = 0, s1 = 0;
          for (int64_t i = 0; i < d.spatial; ++i) {
            const float g = pdy[off + i];
            s0 += g;
            s1 += g * (px[off + i] - mu);
          }
          sum_dy += s0;
          sum_dy_xhat += double(s1) * is;
        });
        dscale.f32()[c] = float(sum_dy_xhat);
        dbias.f32()[c] = float(sum_dy);
        if (!pdx) continue;
        const float k = pscale[c] * is;
        // Training: the batch mean and variance depend on x too, which removes the mean of dy
        // and its projection on xhat.
        const float mean_dy = training ? float(sum_dy / count) : 0.f;
        const float mean_dy_xhat = training ? float(sum_dy_xhat / count) : 0.f;
        for_channel_planes(d, c, [&](int64_t off) {
          for (int64_t i = 0; i < d.spatial; ++i) {
            const float xhat = (px[off + i] - mu) * is;
            pdx[off + i] = k * (pdy[off + i] - mean_dy - xhat * mean_dy_xhat);
          }
        });
      }
    });
    if (want(0)) ctx.grad_inputs.at(0) = dx;
    if (want(1)) ctx.grad_inputs.at(1) = dscale;
    if (want(2)) ctx.grad_inputs.at(2) = dbias;
  }
};

}  // namespace

const Op& op_BatchNormalization() {
  static const BatchNormalizationOp op;
  return op;
}

}  // namespace prunq
