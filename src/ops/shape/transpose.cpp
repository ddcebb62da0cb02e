// Transpose: out dim i is input dim perm[i] (default: reversed dims). Any whole-byte dtype
// (packed i4 is refused); elements are moved as raw 1/2/4/8-byte words. A quantized input's
// parameters stay, a per-channel axis moving to its new position. The permutation is first collapsed (size-1 dims dropped, dims that
// stay adjacent merged), then one of three loops runs: contiguous row copies, batched 2-D tile
// transposes (NCHW <-> NHWC, matrix transposes), or a strided gather for what remains.
#include <algorithm>
#include <cstring>
#include <numeric>

#include "ops/elementwise/pointwise.h"
#include "ops/quant/element_moves.h"
#include "ops/shape/shape_util.h"

namespace prunq {
namespace {

std::vector<int64_t> get_perm(const Node& node, size_t rank) {
  std::vector<int64_t> perm = node.attrs.get_ints("perm", {});
  if (perm.empty() && !node.attrs.has("perm")) {
    perm.resize(rank);
    std::iota(perm.rbegin(), perm.rend(), 0);
  }
  PRUNQ_CHECK(perm.size() == rank, node_desc(node), ": perm ", shape_str(perm), " does not match rank ", rank);
  std::vector<bool> seen(rank, false);
  for (int64_t& p : perm) {
    p = normalize_axis(p, static_cast<int64_t>(rank), node, "perm entry");
    PRUNQ_CHECK(!seen[size_t(p)], node_desc(node), ": perm ", shape_str(node.attrs.get_ints("perm", {})),
                " repeats an axis");
    seen[size_t(p)] = true;
  }
  return perm;
}

// Output dims with the input stride of each, after dropping size-1 dims and merging out dims that
// are also adjacent (and in order) in the input.
struct Walk {
  std::vector<int64_t> dims, in_strides;
};

Walk collapse(const Shape& in, const std::vector<int64_t>& perm) {
  Shape st = contiguous_strides(in);
  Walk w;
  for (int64_t p : perm) {
    int64_t d = in[size_t(p)], s = st[size_t(p)];
    if (d == 1) continue;
    if (!w.dims.empty() && w.in_strides.back() == s * d) {
      w.dims.back() *= d;
      w.in_strides.back() = s;
    } else {
      w.dims.push_back(d);
      w.in_strides.push_back(s);
    }
  }
  if (w.dims.empty()) {
    w.dims.push_back(1);
    w.in_strides.push_back(1);
  }
  return w;
}

// Input offset of the first element of "row" r, where rows index all but the last `tail` dims.
int64_t row_offset(const Walk& w, size_t outer_rank, int64_t r) {
  int64_t off = 0;
  for (size_t d = outer_rank; d-- > 0;) {
    off += (r % w.dims[d]) * w.in_strides[d];
    r /= w.dims[d];
  }
  return off;
}

template <class T>
void permute(const T* in, T* out, const Walk& w) {
  const size_t r = w.dims.size();
  const int64_t last = w.dims[r - 1], s_last = w.in_strides[r - 1];
  if (s_last == 1) {  // the innermost run is contiguous in the input too: copy rows
    const int64_t rows = std::accumulate(w.dims.begin(), w.dims.end() - 1, int64_t{1}, std::multiplies<>());
    parallel_for(rows, [&](int64_t r0, int64_t r1) {
      for (int64_t k = r0; k < r1; ++k) std::memcpy(out + k * last, in + row_offset(w, r - 1, k), size_t(last) * sizeof(T));
    }, std::max<int64_t>(1, kElementwiseGrain / last));
    return;
  }
  if (r >= 2 && w.in_strides[r - 2] == 1) {
    // Batched 2-D transpose: out[a][b] = in[a + b * s_last], in cache-friendly tiles.
    const int64_t rows = w.dims[r - 2];
    const int64_t batches = std::accumulate(w.dims.begin(), w.dims.end() - 2, int64_t{1}, std::multiplies<>());
    constexpr int64_t kTile = 32;
    const int64_t tiles_a = (rows + kTile - 1) / kTile;
    parallel_for(batches * tiles_a, [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; ++t) {
        const int64_t batch = t / tiles_a, a0 = (t % tiles_a) * kTile, a1 = std::min(rows, a0 + kTile);
        const T* src = in + row_offset(w, r - 2, batch);
        T* dst = out + batch * rows * last;
        for (int64_t b0 = 0; b0 < last; b0 += kTile) {
          const int64_t b1 = std::min(last, b0 + kTile);
          for (int64_t a = a0; a < a1; ++a)
            for (int64_t b = b0; b < b1; ++b) dst[a * last + b] = src[a + b * s_last];
        }
      }
    }, std::max<int64_t>(1, kElementwiseGrain / (kTile * last)));
    return;
  }
  const int64_t rows = std::accumulate(w.dims.begin(), w.dims.end() - 1, int64_t{1}, std::multiplies<>());
  parallel_for(rows, [&](int64_t r0, int64_t r1) {
    for (int64_t k = r0; k < r1; ++k) {
      const T* src = in + row_offset(w, r - 1, k);
      T* dst = out + k * last;
      for (int64_t i = 0; i < last; ++i) dst[i] = src[i * s_last];
    }
  }, std::max<int64_t>(1, kElementwiseGrain / last));
}

// Output position of each input axis.
std::function<std::optional<int64_t>(int64_t)> moved_axes(const std::vector<int64_t>& perm) {
  return [perm](int64_t axis) -> std::optional<int64_t> {
    for (size_t i = 0; i < perm.size(); ++i)
      if (perm[i] == axis) return static_cast<int64_t>(i);
    return std::nullopt;
  };
}

Tensor transpose(const Tensor& x, const std::vector<int64_t>& perm) {
  Shape out_shape(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) out_shape[i] = x.shape()[size_t(perm[i])];
  Tensor out(x.dtype(), out_shape);
  if (out.numel() == 0) return out;
  Tensor xc = x.contiguous();
  Walk w = collapse(x.shape(), perm);
  switch (dtype_size(x.dtype())) {
    case 1: permute(static_cast<const uint8_t*>(xc.raw()), static_cast<uint8_t*>(out.raw()), w); break;
    case 2: permute(static_cast<const uint16_t*>(xc.raw()), static_cast<uint16_t*>(out.raw()), w); break;
    case 4: permute(static_cast<const uint32_t*>(xc.raw()), static_cast<uint32_t*>(out.raw()), w); break;
    default: permute(static_cast<const uint64_t*>(xc.raw()), static_cast<uint64_t*>(out.raw()), w); break;
  }
  return out;
}

class TransposeOp final : public Op {
 public:
  std::string_view name() const override { return "Transpose"; }
  void infer(InferContext& ctx) const override {
    infer_like_input(ctx, /*float_only=*/false);
    const TensorType& t = ctx.inputs[0];
    PRUNQ_CHECK(!is_packed(t.dtype), node_desc(ctx.node), ": ", dtype_name(t.dtype),
                " is packed; Transpose moves whole-byte elements");
    std::vector<int64_t> perm;  // empty while the rank is unknown: no axis can be followed
    if (t.rank_known) perm = get_perm(ctx.node, t.shape.size());
    for (size_t i = 0; i < perm.size(); ++i) ctx.outputs[0].shape[i] = t.shape[size_t(perm[i])];
    ctx.outputs[0].quant = moved_quant(ctx.node, t.quant, moved_axes(perm));
  }
  void forward(ForwardContext& ctx) const override {
    const Tensor& x = ctx.in(0);
    const std::vector<int64_t> perm = get_perm(ctx.node, x.shape().size());
    Tensor y = transpose(x, perm);
    if (x.quantized()) y.set_quant(moved_quant(ctx.node, x.quant(), moved_axes(perm)));
    ctx.outputs[0] = y;
  }
  bool has_backward() const override { return true; }
  void backward(BackwardContext& ctx) const override {
    if (!ctx.need_grad[0]) return;
    const Tensor& x = ctx.in(0);
    std::vector<int64_t> perm = get_perm(ctx.node, x.shape().size());
    std::vector<int64_t> inverse(perm.size());
    for (size_t i = 0; i < perm.size(); ++i) inverse[size_t(perm[i])] = static_cast<int64_t>(i);
    ctx.grad_inputs[0] = transpose(grad_output_or_zeros(ctx, 0, ctx.outputs[0]->shape()), inverse);
  }
};

}  // namespace

const Op& op_Transpose() {
  static const TransposeOp op;
  return op;
}

}  // namespace prunq
