// ONNX SoftmaxCrossEntropyLoss: scores [N, C, d...] (f32), labels [N, d...] (int64 or int32),
// optional weights [C]. reduction: "mean" (default; divides by the summed weights of the
// non-ignored labels, or their count without weights), "sum" or "none" (loss per element).
// ignore_index: labels equal to it contribute nothing. Output 1 (optional): log_softmax(scores).
// A "mean" over zero total weight (every label ignored) is 0, not ONNX's NaN, so one fully
// ignored batch cannot poison training.
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "core/thread_pool.h"
#include "ops/nn/nn_util.h"
#include "ops/op.h"

namespace prunq {
namespace {
using namespace nn;

enum class Reduction { none, sum, mean };

Reduction parse_reduction(const Node& node) {
  const std::string r = node.attrs.get_string("reduction", "mean");
  if (r == "mean") return Reduction::mean;
  if (r == "sum") return Reduction::sum;
  if (r == "none") return Reduction::none;
  fail(where(node), ": unknown reduction '", r, "' (expected mean, sum or none)");
}

// Shape of the per-element loss ([N, d...]) after checking scores, labels and weights.
Shape element_shape(const Node& node, const Shape& scores, const Shape* labels, const Shape* weights) {
  PRUNQ_CHECK(scores.size() >= 2, where(node), ": scores must be [N, C, d...], got ", shape_str(scores));
  Shape el{scores[0]};
  el.insert(el.end(), scores.begin() + 2, scores.end());
  if (labels) {
    bool ok = labels->size() == el.size();
    for (size_t i = 0; ok && i < el.size(); ++i) ok = (*labels)[i] < 0 || el[i] < 0 || (*labels)[i] == el[i];
    PRUNQ_CHECK(ok, where(node), ": labels ", shape_str(*labels), " must be ", shape_str(el), " for scores ",
                shape_str(scores));
  }
  if (weights)
    PRUNQ_CHECK(weights->size() == 1 && ((*weights)[0] < 0 || scores[1] < 0 || (*weights)[0] == scores[1]),
                where(node), ": weights ", shape_str(*weights), " must be [", scores[1], "]");
  return el;
}

struct LossSetup {
  int64_t n, c, d;              // scores viewed as [n, c, d]
  Shape element;                // [N, d...]
  std::vector<int64_t> labels;  // per element
  std::vector<float> weight;    // per element: class weight, 0 when ignored
  Tensor log_prob;              // [N, C, d...]
  double total_weight = 0;
};

LossSetup setup(const Node& node, const Tensor& scores_in, const Tensor& labels_in, const Tensor* weights_in) {
  const Tensor scores = f32_input(node, scores_in, "scores");
  PRUNQ_CHECK(labels_in.dtype() == DType::i64 || labels_in.dtype() == DType::i32, where(node),
              ": labels must be int64 or int32, got ", labels_in.desc());
  const Tensor labels = labels_in.contiguous();
  Tensor weights = weights_in ? f32_input(node, *weights_in, "weights") : Tensor();
  LossSetup s;
  s.element = element_shape(node, scores.shape(), &labels.shape(), weights_in ? &weights.shape() : nullptr);
  s.n = scores.dim(0);
  s.c = scores.dim(1);
  s.d = dims_product(scores.shape(), 2, scores.shape().size());
  PRUNQ_CHECK(s.c > 0, where(node), ": scores ", scores.desc(), " have no classes");
  const bool has_ignore = node.attrs.has("ignore_index");
  const int64_t ignore = node.attrs.get_int("ignore_index", 0);
  const int64_t count = s.n * s.d;
  s.labels.resize(size_t(count));
  s.weight.resize(size_t(count));
  const int64_t* labels64 = labels.dtype() == DType::i64 ? labels.data<int64_t>() : nullptr;
  const int32_t* labels32 = labels.dtype() == DType::i32 ? labels.data<int32_t>() : nullptr;
  const float* class_weight = weights.defined() ? weights.f32() : nullptr;
  for (int64_t i = 0; i < count; ++i) {
    const int64_t l = labels64 ? labels64[i] : labels32[i];
    s.labels[size_t(i)] = l;
    if (has_ignore && l == ignore) {
      s.weight[size_t(i)] = 0.f;
      continue;
    }
    PRUNQ_CHECK(l >= 0 && l < s.c, where(node), ": label ", l, " at element ", i, " is outside [0, ", s.c, ")");
    s.weight[size_t(i)] = class_weight ? class_weight[l] : 1.f;
    s.total_weight += s.weight[size_t(i)];
  }
  // log_softmax over C for every (n, d), with the max subtracted for stability.
  s.log_prob = Tensor(DType::f32, scores.shape());
  const float* in = scores.f32();
  float* lp = s.log_prob.f32();
  parallel_for(count, [&](int64_t e0, int64_t e1) {
    for (int64_t e = e0; e < e1; ++e) {
      const int64_t base = (e / s.d) * s.c * s.d + e % s.d;
      float mx = -std::numeric_limits<float>::infinity();
      for (int64_t k = 0; k < s.c; ++k) mx = std::max(mx, in[base + k * s.d]);
      double sum = 0;
      for (int64_t k = 0; k < s.c; ++k) sum += std::exp(double(in[base + k * s.d] - mx));
      const float lse = mx + float(std::log(sum));
      for (int64_t k = 0; k < s.c; ++k) lp[base + k * s.d] = in[base + k * s.d] - lse;
    }
  });
  return s;
}

int64_t class_offset(const LossSetup& s, int64_t e, int64_t k) { return (e / s.d) * s.c * s.d + k * s.d + e % s.d; }

class SoftmaxCrossEntropyLossOp final : public Op {
 public:
  std::string_view name() const override { return "SoftmaxCrossEntropyLoss"; }
  bool input_differentiable(size_t i) const override { return i == 0; }

  void infer(InferContext& ctx) const override {
    const TensorType& scores = ctx.inputs.at(0);
    check_f32_type(ctx.node, scores, "scores");
    const Reduction red = parse_reduction(ctx.node);
    if (!scores.rank_known) {
      ctx.outputs.at(0) = red == Reduction::none ? TensorType{DType::f32, {}, false} : TensorType{DType::f32, {}, true};
      if (ctx.outputs.size() > 1) ctx.outputs[1] = TensorType{DType::f32, {}, false};
      return;
    }
    const TensorType& labels = ctx.inputs.at(1);
    const Shape* ws = ctx.has(2) && ctx.inputs[2].rank_known ? &ctx.inputs[2].shape : nullptr;
    Shape el = element_shape(ctx.node, scores.shape, labels.rank_known ? &labels.shape : nullptr, ws);
    ctx.outputs.at(0) = TensorType{DType::f32, red == Reduction::none ? el : Shape{}, true};
    if (ctx.outputs.size() > 1) ctx.outputs[1] = TensorType{DType::f32, scores.shape, true};
  }

  void forward(ForwardContext& ctx) const override {
    const Reduction red = parse_reduction(ctx.node);
    LossSetup s = setup(ctx.node, ctx.in(0), ctx.in(1), ctx.has(2) ? &ctx.in(2) : nullptr);
    const int64_t count = s.n * s.d;
    Tensor loss(DType::f32, red == Reduction::none ? s.element : Shape{});
    double total = 0;
    const float* lp = s.log_prob.f32();
    float* out = loss.f32();
    for (int64_t e = 0; e < count; ++e) {
      const float w = s.weight[size_t(e)];
      const float l = w == 0.f ? 0.f : -w * lp[class_offset(s, e, s.labels[size_t(e)])];
      if (red == Reduction::none) out[e] = l;
      total += l;
    }
    if (red == Reduction::sum) out[0] = float(total);
    if (red == Reduction::mean) out[0] = s.total_weight > 0 ? float(total / s.total_weight) : 0.f;
    ctx.outputs.at(0) = loss;
    if (ctx.outputs.size() > 1 && ctx.node.outputs.size() > 1 && ctx.node.outputs[1] != kNoValue)
      ctx.outputs[1] = s.log_prob;
  }

  bool has_backward() const override { return true; }

  void backward(BackwardContext& ctx) const override {
    if (!(ctx.need_grad.size() > 0 && ctx.need_grad[0])) return;
    const Reduction red = parse_reduction(ctx.node);
    LossSetup s = setup(ctx.node, ctx.in(0), ctx.in(1), ctx.inputs.size() > 2 ? ctx.inputs[2] : nullptr);
    const int64_t count = s.n * s.d;
    Tensor ds = Tensor::zeros(DType::f32, s.log_prob.shape());
    const float* lp = s.log_prob.f32();
    float* g = ds.f32();
    if (ctx.grad_outputs.at(0)) {
      const Tensor gl = f32_input(ctx.node, *ctx.grad_outputs[0], "loss gradient");
      PRUNQ_CHECK(gl.numel() == (red == Reduction::none ? count : 1), where(ctx.node), ": loss gradient ",
                  gl.desc(), " does not match the loss");
      const float* pgl = gl.f32();
      const double scale = red == Reduction::mean ? (s.total_weight > 0 ? 1.0 / s.total_weight : 0.0) : 1.0;
      // d loss_e / d scores = w_e * (softmax - onehot(label_e)).
      for (int64_t e = 0; e < count; ++e) {
        const float w = s.weight[size_t(e)];
        if (w == 0.f) continue;
        const float ge = float((red == Reduction::none ? pgl[e] : pgl[0]) * scale) * w;
        for (int64_t k = 0; k < s.c; ++k) {
          const int64_t o = class_offset(s, e, k);
          g[o] += ge * (std::exp(lp[o]) - (k == s.labels[size_t(e)] ? 1.f : 0.f));
        }
      }
    }
    if (ctx.grad_outputs.size() > 1 && ctx.grad_outputs[1]) {
      // Through log_softmax: d scores = g - softmax * sum_k g.
      const Tensor glp = f32_input(ctx.node, *ctx.grad_outputs[1], "log_prob gradient");
      PRUNQ_CHECK(glp.shape() == s.log_prob.shape(), where(ctx.node), ": log_prob gradient ", glp.desc(),
                  " does not match ", s.log_prob.desc());
      const float* pglp = glp.f32();
      for (int64_t e = 0; e < count; ++e) {
        double sum = 0;
        for (int64_t k = 0; k < s.c; ++k) sum += pglp[class_offset(s, e, k)];
        for (int64_t k = 0; k < s.c; ++k) {
          const int64_t o = class_offset(s, e, k);
          g[o] += pglp[o] - std::exp(lp[o]) * float(sum);
        }
      }
    }
    ctx.grad_inputs.at(0) = ds;
  }
};

}  // namespace

const Op& op_SoftmaxCrossEntropyLoss() {
  static const SoftmaxCrossEntropyLossOp op;
  return op;
}

}  // namespace prunq
