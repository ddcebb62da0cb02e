// ONNX Gemm: Y = alpha * op(A) * op(B) + beta * C, op = optional transpose (transA, transB),
// C optional and unidirectionally broadcast to [M, N] (scalar, [N], [1, N], [M, 1], [M, N]).
#include "core/error.h"
#include "kernels/gemm_f32/gemm_f32.h"
#include "ops/nn/nn_util.h"
#include "ops/op.h"

namespace prunq {
namespace {
using namespace nn;

struct GemmDims {
  int64_t m, k, n;
  bool trans_a, trans_b;
  float alpha, beta;
};

// c may be nullptr. Dims may be -1 (unknown) during shape inference.
GemmDims gemm_dims(const Node& node, const Shape& a, const Shape& b, const Shape* c) {
  PRUNQ_CHECK(a.size() == 2 && b.size() == 2, where(node), ": A ", shape_str(a), " and B ", shape_str(b),
              " must be matrices");
  GemmDims d{};
  d.trans_a = node.attrs.get_int("transA", 0) != 0;
  d.trans_b = node.attrs.get_int("transB", 0) != 0;
  d.alpha = node.attrs.get_float("alpha", 1.f);
  d.beta = node.attrs.get_float("beta", 1.f);
  d.m = d.trans_a ? a[1] : a[0];
  d.k = d.trans_a ? a[0] : a[1];
  const int64_t kb = d.trans_b ? b[1] : b[0];
  d.n = d.trans_b ? b[0] : b[1];
  PRUNQ_CHECK(d.k < 0 || kb < 0 || d.k == kb, where(node), ": inner dims differ: A ", shape_str(a),
              (d.trans_a ? " (transposed)" : ""), " and B ", shape_str(b), (d.trans_b ? " (transposed)" : ""));
  if (d.k < 0) d.k = kb;
  if (c) {
    PRUNQ_CHECK(c->size() <= 2, where(node), ": C ", shape_str(*c), " has rank > 2");
    // Right-aligned against [M, N]: each C dim must be 1 or equal.
    const Shape target{d.m, d.n};
    for (size_t i = 0; i < c->size(); ++i) {
      int64_t cd = (*c)[c->size() - 1 - i], td = target[1 - i];
      PRUNQ_CHECK(cd == 1 || cd < 0 || td < 0 || cd == td, where(node), ": C ", shape_str(*c),
                  " does not broadcast to [", d.m, ", ", d.n, "]");
    }
  }
  return d;
}

// C's [M, N] broadcast strides: 0 along dims where C has size 1 (or is missing).
void c_strides(const Shape& c, int64_t* row_stride, int64_t* col_stride) {
  Shape full(2 - c.size(), 1);
  full.insert(full.end(), c.begin(), c.end());
  *col_stride = full[1] == 1 ? 0 : 1;
  *row_stride = full[0] == 1 ? 0 : full[1];
}

class GemmOp final : public Op {
 public:
  std::string_view name() const override { return "Gemm"; }

  void infer(InferContext& ctx) const override {
    const TensorType& a = ctx.inputs.at(0);
    const TensorType& b = ctx.inputs.at(1);
    check_f32_type(ctx.node, a, "input A");
    check_f32_type(ctx.node, b, "input B");
    Shape as = a.rank_known ? a.shape : Shape{-1, -1}, bs = b.rank_known ? b.shape : Shape{-1, -1};
    const Shape* cs = ctx.has(2) && ctx.inputs[2].rank_known ? &ctx.inputs[2].shape : nullptr;
    GemmDims d = gemm_dims(ctx.node, as, bs, cs);
    ctx.outputs.at(0) = TensorType{DType::f32, {d.m, d.n}, true};
  }

  void forward(ForwardContext& ctx) const override {
    const Tensor a = f32_input(ctx.node, ctx.in(0), "input A");
    const Tensor b = f32_input(ctx.node, ctx.in(1), "input B");
    const Tensor c = ctx.has(2) ? f32_input(ctx.node, ctx.in(2), "input C") : Tensor();
    const GemmDims d = gemm_dims(ctx.node, a.shape(), b.shape(), c.defined() ? &c.shape() : nullptr);
    Tensor y(DType::f32, {d.m, d.n});
    float beta = 0.f;
    if (c.defined() && d.beta != 0.f) {
      int64_t rs, cs;
      c_strides(c.shape(), &rs, &cs);
      const float* pc = c.f32();
      float* py = y.f32();
      for (int64_t i = 0; i < d.m; ++i)
        for (int64_t j = 0; j < d.n; ++j) py[i * d.n + j] = d.beta * pc[i * rs + j * cs];
      beta = 1.f;
    }
    if (d.k == 0 && beta == 0.f) y.zero();
    gemm_f32(d.trans_a, d.trans_b, d.m, d.n, d.k, d.alpha, a.f32(), a.dim(1), b.f32(), b.dim(1), beta, y.f32(), d.n);
    ctx.outputs.at(0) = y;
  }

  bool has_backward() const override { return true; }

  void backward(BackwardContext& ctx) const override {
    const Tensor a = f32_input(ctx.node, ctx.in(0), "input A");
    const Tensor b = f32_input(ctx.node, ctx.in(1), "input B");
    const bool has_c = ctx.inputs.size() > 2 && ctx.inputs[2];
    const GemmDims d = gemm_dims(ctx.node, a.shape(), b.shape(), has_c ? &ctx.inputs[2]->shape() : nullptr);
    auto want = [&](size_t i) { return i < ctx.need_grad.size() && ctx.need_grad[i] && ctx.inputs[i]; };
    Tensor dy = ctx.grad_outputs.at(0) ? f32_input(ctx.node, *ctx.grad_outputs[0], "output gradient")
                                       : Tensor::zeros(DType::f32, {d.m, d.n});
    PRUNQ_CHECK(dy.shape() == (Shape{d.m, d.n}), where(ctx.node), ": output gradient ", dy.desc(), " is not [",
                d.m, ", ", d.n, "]");
    const int64_t lda = a.dim(1), ldb = b.dim(1);
    if (want(0)) {
      // d op(A) = alpha * dY * op(B)^T; for transA the stored A is its transpose.
      Tensor da = Tensor::zeros(DType::f32, a.shape());  // stays zero when a dim is empty
      if (!d.trans_a)
        gemm_f32(false, !d.trans_b, d.m, d.k, d.n, d.alpha, dy.f32(), d.n, b.f32(), ldb, 0.f, da.f32(), d.k);
      else
        gemm_f32(d.trans_b, true, d.k, d.m, d.n, d.alpha, b.f32(), ldb, dy.f32(), d.n, 0.f, da.f32(), d.m);
      ctx.grad_inputs.at(0) = da;
    }
    if (want(1)) {
      // d op(B) = alpha * op(A)^T * dY; for transB the stored B is its transpose.
      Tensor db = Tensor::zeros(DType::f32, b.shape());
      if (!d.trans_b)
        gemm_f32(!d.trans_a, false, d.k, d.n, d.m, d.alpha, a.f32(), lda, dy.f32(), d.n, 0.f, db.f32(), d.n);
      else
        gemm_f32(true, d.trans_a, d.n, d.k, d.m, d.alpha, dy.f32(), d.n, a.f32(), lda, 0.f, db.f32(), d.k);
      ctx.grad_inputs.at(1) = db;
    }
    if (want(2)) {
      // beta * dY summed over the dims C was broadcast along.
      Tensor dc = Tensor::zeros(DType::f32, ctx.inputs[2]->shape());
      int64_t rs, cs;
      c_strides(dc.shape(), &rs, &cs);
      float* pdc = dc.f32();
      const float* pdy = dy.f32();
      for (int64_t i = 0; i < d.m; ++i)
        for (int64_t j = 0; j < d.n; ++j) pdc[i * rs + j * cs] += d.beta * pdy[i * d.n + j];
      ctx.grad_inputs.at(2) = dc;
    }
  }
};

}  // namespace

const Op& op_Gemm() {
  static const GemmOp op;
  return op;
}

}  // namespace prunq
