// Multidirectional (numpy) broadcasting, shared by Add, Sub, Mul, Div and their backward rules.
// A BroadcastPlan collapses the broadcast output into [rows, inner] where each operand, along the
// inner run, is either contiguous (stride 1) or a repeated scalar (stride 0). So the hot cases
// are plain loops: same shapes -> one run; x + scalar -> one run with a scalar; [N,C,H,W] + [1,C,1,1]
// -> N*C runs of H*W with a per-run scalar; [N,C] + [C] -> N runs sharing one bias vector.
#pragma once
#include <algorithm>
#include <vector>

#include "core/thread_pool.h"
#include "ops/elementwise/pointwise.h"

namespace prunq {

// Broadcast shape of two static shapes. An unknown (-1) dim becomes the other side's dim when
// that is > 1 and stays -1 otherwise. Throws naming the node and both shapes when incompatible.
Shape broadcast_shapes(const Shape& a, const Shape& b, const Node& node);

struct BroadcastPlan {
  Shape out_shape;                     // the full broadcast shape
  std::vector<int64_t> outer_dims;     // collapsed dims above the inner run (may be empty)
  std::vector<int64_t> a_outer_strides, b_outer_strides;  // element strides for those dims (0 = broadcast)
  int64_t rows = 1, inner = 1;         // rows * inner == numel(out_shape)
  int64_t a_inner_stride = 1, b_inner_stride = 1;         // 1 or 0

  // Offsets of row r's first element in a and b.
  void row_offsets(int64_t r, int64_t* oa, int64_t* ob) const {
    int64_t sa = 0, sb = 0;
    for (size_t d = outer_dims.size(); d-- > 0;) {
      int64_t i = r % outer_dims[d];
      r /= outer_dims[d];
      sa += i * a_outer_strides[d];
      sb += i * b_outer_strides[d];
    }
    *oa = sa;
    *ob = sb;
  }
};

BroadcastPlan make_broadcast_plan(const Shape& a, const Shape& b, const Node& node);

// out = f(a, b) elementwise over the broadcast of two contiguous tensors of element type T.
template <class T, class F>
void broadcast_apply(const BroadcastPlan& p, const T* a, const T* b, T* out, F f) {
  const int64_t inner = p.inner;
  auto run = [&](const T* pa, const T* pb, T* po, int64_t i0, int64_t i1) {
    if (p.a_inner_stride && p.b_inner_stride) {
      for (int64_t i = i0; i < i1; ++i) po[i] = f(pa[i], pb[i]);
    } else if (p.a_inner_stride) {
      const T vb = pb[0];
      for (int64_t i = i0; i < i1; ++i) po[i] = f(pa[i], vb);
    } else if (p.b_inner_stride) {
      const T va = pa[0];
      for (int64_t i = i0; i < i1; ++i) po[i] = f(va, pb[i]);
    } else {
      for (int64_t i = i0; i < i1; ++i) po[i] = f(pa[0], pb[0]);
    }
  };
  if (p.rows == 1) {  // one long run (same shapes, or a scalar operand): split the run itself
    parallel_elements(inner, [&](int64_t i0, int64_t i1) { run(a, b, out, i0, i1); });
    return;
  }
  parallel_for(p.rows, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      int64_t oa, ob;
      p.row_offsets(r, &oa, &ob);
      run(a + oa, b + ob, out + r * inner, 0, inner);
    }
  }, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(1, inner)));
}

// Allocates and computes out = f(a, b) for two tensors of element type T (any strides).
template <class T, class F>
Tensor broadcast_binary(const Tensor& a, const Tensor& b, const Node& node, F f) {
  BroadcastPlan p = make_broadcast_plan(a.shape(), b.shape(), node);
  Tensor out(a.dtype(), p.out_shape);
  if (out.numel() == 0) return out;
  Tensor ac = a.contiguous(), bc = b.contiguous();
  broadcast_apply<T>(p, ac.data<T>(), bc.data<T>(), out.data<T>(), f);
  return out;
}

// Sums a gradient shaped like the broadcast output down to `target` (an operand's shape):
// the backward of broadcasting. Returns g itself when no dim was broadcast.
Tensor reduce_to_shape(const Tensor& g, const Shape& target, const Node& node);

}  // namespace prunq
