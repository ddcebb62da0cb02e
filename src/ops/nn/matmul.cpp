// ONNX MatMul with numpy semantics: 1-D operands get a unit dim (prepended for A, appended for
// B) that is dropped from the result; batch dims broadcast. When B has no batch (the common
// "activations x weight" case) A's batch is folded into the rows of a single GEMM.
#include <algorithm>

#include "core/error.h"
#include "kernels/gemm_f32/gemm_f32.h"
#include "ops/nn/nn_util.h"
#include "ops/op.h"

namespace prunq {
namespace {
using namespace nn;

struct MatMulDims {
  Shape a_batch, b_batch, batch;  // batch dims of A and B, right-aligned to `batch` (padded with 1)
  int64_t m, k, n;
  Shape output;
};

// Dims may be -1 (unknown) during shape inference.
MatMulDims matmul_dims(const Node& node, const Shape& a, const Shape& b) {
  PRUNQ_CHECK(!a.empty() && !b.empty(), where(node), ": operands must have rank >= 1, got A ", shape_str(a),
              " and B ", shape_str(b));
  Shape a2 = a, b2 = b;
  if (a.size() == 1) a2.insert(a2.begin(), 1);
  if (b.size() == 1) b2.push_back(1);
  MatMulDims d;
  d.m = a2[a2.size() - 2];
  d.k = a2.back();
  const int64_t kb = b2[b2.size() - 2];
  d.n = b2.back();
  PRUNQ_CHECK(d.k < 0 || kb < 0 || d.k == kb, where(node), ": inner dims differ: A ", shape_str(a), " and B ",
              shape_str(b));
  if (d.k < 0) d.k = kb;
  const size_t rank = std::max(a2.size(), b2.size()) - 2;
  d.a_batch.assign(rank - (a2.size() - 2), 1);
  d.a_batch.insert(d.a_batch.end(), a2.begin(), a2.end() - 2);
  d.b_batch.assign(rank - (b2.size() - 2), 1);
  d.b_batch.insert(d.b_batch.end(), b2.begin(), b2.end() - 2);
  for (size_t i = 0; i < rank; ++i) {
    int64_t x = d.a_batch[i], y = d.b_batch[i];
    PRUNQ_CHECK(x == 1 || y == 1 || x < 0 || y < 0 || x == y, where(node), ": batch dims of A ", shape_str(a),
                " and B ", shape_str(b), " do not broadcast");
    d.batch.push_back(x == 1 ? y : y == 1 ? x : (x < 0 ? y : x));
  }
  d.output = d.batch;
  if (a.size() > 1) d.output.push_back(d.m);
  if (b.size() > 1) d.output.push_back(d.n);
  return d;
}

// For every output batch index: the matching batch index in A and in B (broadcast dims repeat).
void batch_maps(const MatMulDims& d, std::vector<int64_t>* a_idx, std::vector<int64_t>* b_idx) {
  const int64_t total = shape_numel(d.batch);
  a_idx->assign(size_t(total), 0);
  b_idx->assign(size_t(total), 0);
  for (int64_t t = 0; t < total; ++t) {
    int64_t rest = t, ai = 0, bi = 0, a_mul = 1, b_mul = 1;
    for (size_t i = d.batch.size(); i-- > 0;) {
      const int64_t coord = rest % d.batch[i];
      rest /= d.batch[i];
      if (d.a_batch[i] != 1) ai += coord * a_mul;
      if (d.b_batch[i] != 1) bi += coord * b_mul;
      a_mul *= d.a_batch[i];
      b_mul *= d.b_batch[i];
    }
    (*a_idx)[size_t(t)] = ai;
    (*b_idx)[size_t(t)] = bi;
  }
}

class MatMulOp final : public Op {
 public:
  std::string_view name() const override { return "MatMul"; }

  void infer(InferContext& ctx) const override {
    const TensorType& a = ctx.inputs.at(0);
    const TensorType& b = ctx.inputs.at(1);
    check_f32_type(ctx.node, a, "input A");
    check_f32_type(ctx.node, b, "input B");
    if (!a.rank_known || !b.rank_known) {
      ctx.outputs.at(0) = TensorType{DType::f32, {}, false};
      return;
    }
    ctx.outputs.at(0) = TensorType{DType::f32, matmul_dims(ctx.node, a.shape, b.shape).output, true};
  }

  void forward(ForwardContext& ctx) const override {
    const Tensor a = f32_input(ctx.node, ctx.in(0), "input A");
    const Tensor b = f32_input(ctx.node, ctx.in(1), "input B");
    const MatMulDims d = matmul_dims(ctx.node, a.shape(), b.shape());
    Tensor y = Tensor::zeros(DType::f32, d.output);
    const int64_t a_mat = d.m * d.k, b_mat = d.k * d.n, y_mat = d.m * d.n;
    if (shape_numel(d.b_batch) == 1 && shape_numel(d.a_batch) == shape_numel(d.batch)) {
      const int64_t rows = shape_numel(d.batch) * d.m;
      gemm_f32(false, false, rows, d.n, d.k, 1.f, a.f32(), d.k, b.f32(), d.n, 0.f, y.f32(), d.n);
    } else {
      std::vector<int64_t> ai, bi;
      batch_maps(d, &ai, &bi);
      for (size_t t = 0; t < ai.size(); ++t)
        gemm_f32(false, false, d.m, d.n, d.k, 1.f, a.f32() + ai[t] * a_mat, d.k, b.f32() + bi[t] * b_mat, d.n, 0.f,
                 y.f32() + int64_t(t) * y_mat, d.n);
    }
    ctx.outputs.at(0) = y;
  }

  bool has_backward() const override { return true; }

  void backward(BackwardContext& ctx) const override {
    const Tensor a = f32_input(ctx.node, ctx.in(0), "input A");
    const Tensor b = f32_input(ctx.node, ctx.in(1), "input B");
    const MatMulDims d = matmul_dims(ctx.node, a.shape(), b.shape());
    auto want = [&](size_t i) { return i < ctx.need_grad.size() && ctx.need_grad[i]; };
    Tensor dy = ctx.grad_outputs.at(0) ? f32_input(ctx.node, *ctx.grad_outputs[0], "output gradient")
                                       : Tensor::zeros(DType::f32, d.output);
    PRUNQ_CHECK(dy.shape() == d.output, where(ctx.node), ": output gradient ", dy.desc(), " does not match output ",
                shape_str(d.output));
    // Summing over broadcast batch dims = accumulating (beta 1) into the shared A or B matrix.
    Tensor da = want(0) ? Tensor::zeros(DType::f32, a.shape()) : Tensor();
    Tensor db = want(1) ? Tensor::zeros(DType::f32, b.shape()) : Tensor();
    const int64_t a_mat = d.m * d.k, b_mat = d.k * d.n, y_mat = d.m * d.n;
    if (shape_numel(d.b_batch) == 1 && shape_numel(d.a_batch) == shape_numel(d.batch)) {
      const int64_t rows = shape_numel(d.batch) * d.m;
      if (da.defined()) gemm_f32(false, true, rows, d.k, d.n, 1.f, dy.f32(), d.n, b.f32(), d.n, 0.f, da.f32(), d.k);
      if (db.defined()) gemm_f32(true, false, d.k, d.n, rows, 1.f, a.f32(), d.k, dy.f32(), d.n, 0.f, db.f32(), d.n);
    } else {
      std::vector<int64_t> ai, bi;
      batch_maps(d, &ai, &bi);
      for (size_t t = 0; t < ai.size(); ++t) {
        const float* g = dy.f32() + int64_t(t) * y_mat;
        if (da.defined())
          gemm_f32(false, true, d.m, d.k, d.n, 1.f, g, d.n, b.f32() + bi[t] * b_mat, d.n, 1.f,
                   da.f32() + ai[t] * a_mat, d.k);
        if (db.defined())
          gemm_f32(true, false, d.k, d.n, d.m, 1.f, a.f32() + ai[t] * a_mat, d.k, g, d.n, 1.f,
                   db.f32() + bi[t] * b_mat, d.n);
      }
    }
    if (da.defined()) ctx.grad_inputs.at(0) = da;
    if (db.defined()) ctx.grad_inputs.at(1) = db;
  }
};

}  // namespace

const Op& op_MatMul() {
  static const MatMulOp op;
  return op;
}

}  // namespace prunq
