// Pad (opset 11+/18): pads from int64 input 1 as [begin_0 .. begin_k, end_0 .. end_k] over all dims
// or over the dims listed in optional input 3 (axes); constant value from optional input 2
// (default 0). Opset < 11 models carry `pads`/`value` attributes, used when the inputs are absent.
// Modes: constant, reflect (pads must be < the dim), edge, wrap. Negative pads crop.
// Every mode reduces to a per-dim map from output index to input index (-1 = fill value), so one
// loop serves forward (gather) and backward (scatter-add: reflect/edge/wrap reuse inputs).
#include "ops/elementwise/pointwise.h"
#include "ops/shape/shape_util.h"

namespace prunq {
namespace {

enum class PadMode { constant, reflect, edge, wrap };

PadMode pad_mode(const Node& node) {
  std::string m = node.attrs.get_string("mode", "constant");
  if (m == "constant") return PadMode::constant;
  if (m == "reflect") return PadMode::reflect;
  if (m == "edge") return PadMode::edge;
  if (m == "wrap") return PadMode::wrap;
  fail(node_desc(node), ": unknown mode '", m, "' (constant, reflect, edge, wrap)");
}

// Per-dim (begin, end) pads for a tensor of `rank`, from the pads/axes inputs or attributes.
std::vector<std::pair<int64_t, int64_t>> read_pads(const Node& node, size_t rank, const Tensor* pads_in,
                                                   const Tensor* axes_in) {
  PRUNQ_CHECK(pads_in || node.attrs.has("pads"), node_desc(node), ": pads are required");
  std::vector<int64_t> pads = pads_in ? read_int_list(*pads_in, node, "pads") : node.attrs.get_ints("pads");
  std::vector<int64_t> axes;
  if (axes_in) {
    for (int64_t a : read_int_list(*axes_in, node, "axes")) axes.push_back(normalize_axis(a, int64_t(rank), node));
  } else {
    for (size_t d = 0; d < rank; ++d) axes.push_back(int64_t(d));
  }
  PRUNQ_CHECK(pads.size() == 2 * axes.size(), node_desc(node), ": pads ", shape_str(pads), " must have ",
              2 * axes.size(), " values for rank ", rank);
  std::vector<std::pair<int64_t, int64_t>> out(rank, {0, 0});
  for (size_t i = 0; i < axes.size(); ++i) out[size_t(axes[i])] = {pads[i], pads[i + axes.size()]};
  return out;
}

struct PadPlan {
  Shape out_shape;
  std::vector<std::vector<int64_t>> maps;  // per dim: output index -> input index, -1 = fill
};

PadPlan plan_pad(const Shape& in, const std::vector<std::pair<int64_t, int64_t>>& pads, PadMode mode,
                 const Node& node) {
  PadPlan p;
  for (size_t d = 0; d < in.size(); ++d) {
    const int64_t n = in[d], b = pads[d].first, e = pads[d].second, o = n + b + e;
    PRUNQ_CHECK(o >= 0, node_desc(node), ": pads (", b, ", ", e, ") crop more than dim ", d, " of ", shape_str(in));
    const bool padded = b > 0 || e > 0;
    if (padded && mode != PadMode::constant)
      PRUNQ_CHECK(n > 0, node_desc(node), ": cannot pad empty dim ", d, " in this mode");
    if (mode == PadMode::reflect && padded)
      PRUNQ_CHECK(b < n && e < n, node_desc(node), ": reflect pads (", b, ", ", e, ") must be smaller than dim ", d,
                  " of ", shape_str(in));
    std::vector<int64_t> map(static_cast<size_t>(o));
    for (int64_t j = 0; j < o; ++j) {
      int64_t i = j - b;
      if (i < 0 || i >= n) {
        switch (mode) {
          case PadMode::constant: i = -1; break;
          case PadMode::edge: i = i < 0 ? 0 : n - 1; break;
          case PadMode::reflect: i = i < 0 ? -i : 2 * (n - 1) - i; break;
          case PadMode::wrap: i = ((i % n) + n) % n; break;
        }
      }
      map[size_t(j)] = i;
    }
    p.out_shape.push_back(o);
    p.maps.push_back(std::move(map));
  }
  return p;
}

// Calls fn(out_row, in_row_offset) for every output row (all dims but the last) whose outer
// indices all map into the input; in_row_offset < 0 marks rows that lie wholly in the padding.
template <class F>
void for_each_row(const PadPlan& p, const Shape& in, int64_t first, int64_t last, F&& fn) {
  const size_t r = in.size();
  Shape in_strides = contiguous_strides(in);
  for (int64_t row = first; row < last; ++row) {
    int64_t rem = row, off = 0;
    for (size_t d = r - 1; d-- > 0;) {
      int64_t j = rem % p.out_shape[d];
      rem /= p.out_shape[d];
      int64_t i = p.maps[d][size_t(j)];
      if (i < 0 || off < 0) off = -1;
      else off += i * in_strides[d];
    }
    fn(row, off);
  }
}

template <class T>
void pad_forward(const T* in, T* out, const Shape& in_shape, const PadPlan& p, T fill) {
  const std::vector<int64_t>& last_map = p.maps.back();
  const int64_t w = p.out_shape.back();
  int64_t rows = 1;
  for (size_t d = 0; d + 1 < p.out_shape.size(); ++d) rows *= p.out_shape[d];
  parallel_for(rows, [&](int64_t r0, int64_t r1) {
    for_each_row(p, in_shape, r0, r1, [&](int64_t row, int64_t off) {
      T* o = out + row * w;
      if (off < 0) {
        for (int64_t j = 0; j < w; ++j) o[j] = fill;
        return;
      }
      for (int64_t j = 0; j < w; ++j) o[j] = last_map[size_t(j)] >= 0 ? in[off + last_map[size_t(j)]] : fill;
    });
  }, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(1, w)));
}

class PadOp final : public Op {
 public:
  std::string_view name() const override { return "Pad"; }
  bool input_differentiable(size_t i) const override { return i == 0; }

  void infer(InferContext& ctx) const override {
    infer_like_input(ctx, /*float_only=*/false);
    const TensorType& x = ctx.inputs[0];
    PadMode mode = pad_mode(ctx.node);
    if (!x.rank_known) return;
    auto constant = [&](size_t i) { return ctx.has(i) && i < ctx.constants.size() ? ctx.constants[i] : nullptr; };
    if ((ctx.has(1) && !constant(1)) || (ctx.has(3) && !constant(3))) {  // pads known only at run time
      ctx.outputs[0].shape.assign(x.shape.size(), -1);
      return;
    }
    auto pads = read_pads(ctx.node, x.shape.size(), constant(1), constant(3));
    Shape& out = ctx.outputs[0].shape;
    for (size_t d = 0; d < out.size(); ++d) {
      if (x.shape[d] < 0) continue;  // unknown stays unknown
      Shape one{x.shape[d]};
      out[d] = plan_pad(one, {pads[d]}, mode, ctx.node).out_shape[0];
    }
  }

  void forward(ForwardContext& ctx) const override {
    const Tensor x = ctx.in(0).contiguous();
    const Node& node = ctx.node;
    auto pads = read_pads(node, x.shape().size(), ctx.has(1) ? ctx.inputs[1] : nullptr,
                          ctx.has(3) ? ctx.inputs[3] : nullptr);
    const float value = ctx.has(2) ? read_float_scalar(*ctx.inputs[2], node, "constant_value")
                                   : node.attrs.get_float("value", 0.f);
    if (x.rank() == 0) {  // nothing to pad
      ctx.outputs[0] = x;
      return;
    }
    PadPlan p = plan_pad(x.shape(), pads, pad_mode(node), node);
    Tensor out(x.dtype(), p.out_shape);
    if (out.numel() == 0) {
      ctx.outputs[0] = out;
      return;
    }
    switch (x.dtype()) {
      case DType::f32: pad_forward(x.f32(), out.f32(), x.shape(), p, value); break;
      case DType::i64: pad_forward(x.data<int64_t>(), out.data<int64_t>(), x.shape(), p, int64_t(value)); break;
      case DType::i32: pad_forward(x.data<int32_t>(), out.data<int32_t>(), x.shape(), p, int32_t(value)); break;
      case DType::i8: pad_forward(x.data<int8_t>(), out.data<int8_t>(), x.shape(), p, int8_t(value)); break;
      case DType::u8: pad_forward(x.data<uint8_t>(), out.data<uint8_t>(), x.shape(), p, uint8_t(value)); break;
      default: fail(node_desc(node), ": supports f32, i64, i32, i8 and u8 data, got ", x.desc());
    }
    ctx.outputs[0] = out;
  }

  bool has_backward() const override { return true; }

  void backward(BackwardContext& ctx) const override {
    if (!ctx.need_grad[0]) return;
    const Node& node = ctx.node;
    const Tensor& x = ctx.in(0);
    Tensor gy = grad_output_or_zeros(ctx, 0, ctx.outputs[0]->shape());
    if (x.rank() == 0) {
      ctx.grad_inputs[0] = gy;
      return;
    }
    auto pads = read_pads(node, x.shape().size(), ctx.inputs.size() > 1 ? ctx.inputs[1] : nullptr,
                          ctx.inputs.size() > 3 ? ctx.inputs[3] : nullptr);
    PadPlan p = plan_pad(x.shape(), pads, pad_mode(node), node);
    Tensor gx = Tensor::zeros(DType::f32, x.shape());
    const std::vector<int64_t>& last_map = p.maps.back();
    const int64_t w = p.out_shape.back();
    int64_t rows = gy.numel() / std::max<int64_t>(1, w);
    const float* g = gy.f32();
    float* out = gx.f32();
    // Serial: with reflect/edge/wrap several output elements feed the same input element.
    for_each_row(p, x.shape(), 0, rows, [&](int64_t row, int64_t off) {
      if (off < 0) return;
      for (int64_t j = 0; j < w; ++j)
        if (last_map[size_t(j)] >= 0) out[off + last_map[size_t(j)]] += g[row * w + j];
    });
    ctx.grad_inputs[0] = gx;
  }
};

}  // namespace

const Op& op_Pad() {
  static const PadOp op;
  return op;
}

}  // namespace prunq
