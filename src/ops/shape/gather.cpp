// Gather: picks slices of `data` along `axis` (default 0) by int64/int32 `indices` of any rank;
// out shape = data[:axis] + indices.shape + data[axis+1:]. Negative indices count from the end,
// out-of-range ones are an Error. Any data dtype (slices are copied as bytes). Backward (f32 data)
// scatter-adds into a zero gradient, since an index may repeat.
#include <cstring>

#include "ops/elementwise/pointwise.h"
#include "ops/shape/shape_util.h"

namespace prunq {
namespace {

struct GatherPlan {
  int64_t outer = 1, n = 0, inner = 1;  // data viewed as [outer, n, inner]
  std::vector<int64_t> idx;             // normalised indices
  Shape out_shape;
};

GatherPlan plan_gather(const Node& node, const Shape& data, const Tensor& indices) {
  PRUNQ_CHECK(!data.empty(), node_desc(node), ": data must have rank >= 1");
  const size_t axis = size_t(normalize_axis(node.attrs.get_int("axis", 0), int64_t(data.size()), node));
  GatherPlan p;
  for (size_t d = 0; d < axis; ++d) p.outer *= data[d];
  p.n = data[axis];
  for (size_t d = axis + 1; d < data.size(); ++d) p.inner *= data[d];
  Tensor ic = indices.contiguous();
  PRUNQ_CHECK(ic.dtype() == DType::i64 || ic.dtype() == DType::i32, node_desc(node),
              ": indices must be int64 or int32, got ", ic.desc());
  p.idx.resize(size_t(ic.numel()));
  for (int64_t k = 0; k < ic.numel(); ++k) {
    int64_t v = ic.dtype() == DType::i64 ? ic.data<int64_t>()[k] : ic.data<int32_t>()[k];
    PRUNQ_CHECK(v >= -p.n && v < p.n, node_desc(node), ": index ", v, " is out of range for axis ", axis,
                " of size ", p.n);
    p.idx[size_t(k)] = v < 0 ? v + p.n : v;
  }
  p.out_shape.assign(data.begin(), data.begin() + long(axis));
  p.out_shape.insert(p.out_shape.end(), ic.shape().begin(), ic.shape().end());
  p.out_shape.insert(p.out_shape.end(), data.begin() + long(axis) + 1, data.end());
  return p;
}

class GatherOp final : public Op {
 public:
  std::string_view name() const override { return "Gather"; }
  bool input_differentiable(size_t i) const override { return i == 0; }

  void infer(InferContext& ctx) const override {
    PRUNQ_CHECK(ctx.has(0) && ctx.has(1), node_desc(ctx.node), ": needs data and indices");
    const TensorType& d = ctx.inputs[0];
    const TensorType& i = ctx.inputs[1];
    PRUNQ_CHECK(i.dtype == DType::i64 || i.dtype == DType::i32, node_desc(ctx.node),
                ": indices must be int64 or int32, got ", i.str());
    if (!d.rank_known || !i.rank_known) {
      ctx.outputs[0] = TensorType{d.dtype, {}, false};
      return;
    }
    PRUNQ_CHECK(!d.shape.empty(), node_desc(ctx.node), ": data must have rank >= 1");
    const size_t axis = size_t(normalize_axis(ctx.attrs().get_int("axis", 0), int64_t(d.shape.size()), ctx.node));
    Shape out(d.shape.begin(), d.shape.begin() + long(axis));
    out.insert(out.end(), i.shape.begin(), i.shape.end());
    out.insert(out.end(), d.shape.begin() + long(axis) + 1, d.shape.end());
    ctx.outputs[0] = TensorType{d.dtype, out, true};
  }

  void forward(ForwardContext& ctx) const override {
    Tensor data = ctx.in(0).contiguous();
    GatherPlan p = plan_gather(ctx.node, data.shape(), ctx.in(1));
    Tensor out(data.dtype(), p.out_shape);
    const size_t row = size_t(p.inner) * dtype_size(data.dtype());
    const char* src = static_cast<const char*>(data.raw());
    char* dst = static_cast<char*>(out.raw());
    const int64_t k = int64_t(p.idx.size());
    for (int64_t o = 0; o < p.outer; ++o)
      for (int64_t j = 0; j < k; ++j)
        std::memcpy(dst + size_t(o * k + j) * row, src + size_t(o * p.n + p.idx[size_t(j)]) * row, row);
    ctx.outputs[0] = out;
  }

  bool has_backward() const override { return true; }

  void backward(BackwardContext& ctx) const override {
    if (!ctx.need_grad[0]) return;
    const Tensor& data = ctx.in(0);
    GatherPlan p = plan_gather(ctx.node, data.shape(), ctx.in(1));
    Tensor gy = grad_output_or_zeros(ctx, 0, p.out_shape);
    Tensor gx = Tensor::zeros(DType::f32, data.shape());
    const float* g = gy.f32();
    float* o = gx.f32();
    const int64_t k = int64_t(p.idx.size());
    for (int64_t a = 0; a < p.outer; ++a)
      for (int64_t j = 0; j < k; ++j) {
        float* dst = o + (a * p.n + p.idx[size_t(j)]) * p.inner;
        const float* src = g + (a * k + j) * p.inner;
        for (int64_t i = 0; i < p.inner; ++i) dst[i] += src[i];
      }
    ctx.grad_inputs[0] = gx;
  }
};

}  // namespace

const Op& op_Gather() {
  static const GatherOp op;
  return op;
}

}  // namespace prunq
