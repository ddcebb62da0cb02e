// The 1-D Winograd transforms on SIMD vectors, written once for every vector width. Lanes names
// the vector type and its lane-wise add, sub and shift left (int16 lanes for the input transform,
// int32 lanes for the output transform); each ISA file defines its own Lanes in an anonymous
// namespace, so every instantiation is compiled for that file's ISA only.
#pragma once

#include "kernels/conv_s8/winograd_s8.h"

namespace prunq::winograd_s8_detail {

// The six rows of B^T applied to d0..d5 (no intermediate exceeds the final bound of 25500).
template <typename Lanes, typename V>
inline void input_1d(const V (&d)[winograd_s8::kWindow], V (&t)[winograd_s8::kWindow]) {
  const V d24 = Lanes::sub(d[4], d[2]), d31 = Lanes::sub(d[3], d[1]);
  const V s12 = Lanes::add(d[1], d[2]), m12 = Lanes::sub(d[1], d[2]);
  t[0] = Lanes::add(Lanes::sub(Lanes::template shl<2>(Lanes::sub(d[0], d[2])), d[2]), d[4]);
  t[1] = Lanes::sub(Lanes::add(d[3], d[4]), Lanes::template shl<2>(s12));
  t[2] = Lanes::add(Lanes::sub(d[4], d[3]), Lanes::template shl<2>(m12));
  const V d31x2 = Lanes::add(d31, d31);  // adds issue on more vector pipes than shifts
  t[3] = Lanes::add(d24, d31x2);
  t[4] = Lanes::sub(d24, d31x2);
  t[5] = Lanes::add(Lanes::sub(Lanes::template shl<2>(Lanes::sub(d[1], d[3])), d[3]), d[5]);
}

// The four rows of A'^T applied to m0..m5 (wrapping), without the factors 2, 4, 4 of rows 1..3
// (kRowShift):
//   o0 = 2 (m0 + 2 s12) + s34    o1 = 2 d12 + d34    o2 = s12 + s34    o3 = d12 + 2 (d34 + m5)
// with x + x, not x << 1: adds issue on more vector pipes than shifts.
template <typename Lanes, typename V>
inline void output_1d(const V (&m)[winograd_s8::kWindow], V (&o)[winograd_s8::kOut]) {
  const V s12 = Lanes::add(m[1], m[2]), d12 = Lanes::sub(m[1], m[2]);
  const V s34 = Lanes::add(m[3], m[4]), d34 = Lanes::sub(m[3], m[4]);
  const V a = Lanes::add(m[0], Lanes::add(s12, s12)), b = Lanes::add(d34, m[5]);
  o[0] = Lanes::add(Lanes::add(a, a), s34);
  o[1] = Lanes::add(Lanes::add(d12, d12), d34);
  o[2] = Lanes::add(s12, s34);
  o[3] = Lanes::add(d12, Lanes::add(b, b));
}

}  // namespace prunq::winograd_s8_detail
