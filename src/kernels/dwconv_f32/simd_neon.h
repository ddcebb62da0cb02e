// Internal: the AArch64 NEON vector operations the shared depthwise templates (plane_impl.h,
// block_impl.h) are written in. Include only from *neon*.cpp files (built for aarch64 only).
// NEON has no masked loads or stores: a mask is the lane range [lo, hi) it keeps. A border
// vector of a row at least 4 floats long loads the row's first (or last) 4 floats and moves
// them into place with EXT against zeros (two instructions, nothing read outside the row);
// other partial ranges go lane by lane through the stack.
#pragma once
#include <arm_neon.h>

#include <cstdint>

namespace prunq::dwconv_detail {

struct Neon {
  using Vec = float32x4_t;
  struct Mask {
    int lo = 0, hi = 0;  // lanes kept
    // shift != 0: load the 4 floats at p - shift, then move lane l + shift to lane l (the row's
    // first 4 floats for a left border, shift < 0; its last 4 for a right border, shift > 0).
    int shift = 0;
  };
  static constexpr int V = 4;           // floats per vector
  static constexpr int kMaxGroup = 25;  // tap weights held in registers beside 4 accumulators (block_impl.h)

  // Plane kernels (plane_impl.h): output rows per band, vectors per step, lane shifts for
  // stride-1 taps, chosen for 32 registers without spilling the taps (FMLA takes no memory
  // operand, so a spilled weight costs a load per use): 3x3 keeps 9 weights + 8 accumulators +
  // the row's vectors; 5x5 keeps 25 weights + 2 accumulators, and its taps come from EXT lane
  // shifts (one load per input vector instead of five).
  static constexpr int band_rows(int k, int s) { return k == 5 ? 2 : 4; }
  static constexpr int step_cols(int k, int s) { return k == 5 ? 1 : 2; }
  static constexpr bool shift_taps(int k) { return k == 5; }

  static Vec zero() { return vdupq_n_f32(0.f); }
  static Vec set1(float v) { return vdupq_n_f32(v); }
  static Vec load(const float* p) { return vld1q_f32(p); }
  static Vec loadu(const float* p) { return vld1q_f32(p); }
  // Lanes outside the mask read as zero and are not accessed at all (no fault past a row's end).
  static Vec load_masked(Mask m, const float* p) {
    if (m.lo == 0 && m.hi == V) return vld1q_f32(p);
    const Vec z = vdupq_n_f32(0.f);
    switch (m.shift) {
      case -3: return vextq_f32(z, vld1q_f32(p + 3), 1);
      case -2: return vextq_f32(z, vld1q_f32(p + 2), 2);
      case -1: return vextq_f32(z, vld1q_f32(p + 1), 3);
      case 1: return vextq_f32(vld1q_f32(p - 1), z, 1);
      case 2: return vextq_f32(vld1q_f32(p - 2), z, 2);
      case 3: return vextq_f32(vld1q_f32(p - 3), z, 3);
      default: break;
    }
    float t[V] = {0.f, 0.f, 0.f, 0.f};
    for (int l = m.lo; l < m.hi; ++l) t[l] = p[l];
    return vld1q_f32(t);
  }
  // p[start..start + 4) masked to [0, n): with 4-float vectors, one masked vector.
  static Vec load_head(const float* p, int64_t start, int64_t n) { return load_masked(lane_mask(start, n), p + start); }
  static Vec load_head(const float* p) { return vld1q_f32(p); }
  static void store(float* p, Vec v) { vst1q_f32(p, v); }
  static void storeu(float* p, Vec v) { vst1q_f32(p, v); }
  static void store_masked(Mask m, float* p, Vec v) {
    if (m.lo == 0 && m.hi == V) return vst1q_f32(p, v);
    if (m.lo == 0) {  // the end of an output row (rows start at lane 0)
      if (m.hi >= 2) vst1_f32(p, vget_low_f32(v));
      if (m.hi == 1) vst1q_lane_f32(p, v, 0);
      if (m.hi == 3) vst1q_lane_f32(p + 2, v, 2);
      return;
    }
    float t[V];
    vst1q_f32(t, v);
    for (int l = m.lo; l < m.hi; ++l) p[l] = t[l];
  }
  static Vec fmadd(Vec a, Vec b, Vec c) { return vfmaq_f32(c, a, b); }
  static Vec clamp(Vec v, Vec lo, Vec hi) { return vminq_f32(vmaxq_f32(v, lo), hi); }

  // Lanes l with 0 <= start + l < n: the elements of [start, start + V) inside a row of n floats.
  static Mask lane_mask(int64_t start, int64_t n) {
    const int64_t lo = -start < 0 ? 0 : -start > V ? V : -start;
    const int64_t hi = n - start < 0 ? 0 : n - start > V ? V : n - start;
    Mask m{static_cast<int>(lo), static_cast<int>(hi < lo ? lo : hi), 0};
    if (n >= V && m.hi > m.lo && m.hi - m.lo < V) {
      if (m.hi == V) m.shift = -m.lo;     // left border: lanes [lo, 4) are the row's first floats
      else if (m.lo == 0) m.shift = V - m.hi;  // right border: lanes [0, hi) are its last floats
    }
    return m;
  }

  // 2V consecutive floats a:b -> their even-indexed and odd-indexed elements (UZP1 / UZP2).
  static void split(Vec a, Vec b, Vec& even, Vec& odd) {
    even = vuzp1q_f32(a, b);
    odd = vuzp2q_f32(a, b);
  }

  // Elements [N, N + V) of the concatenation lo:hi (EXT; N == V is hi itself).
  template <int N>
  static Vec shift(Vec lo, Vec hi) {
    if constexpr (N == 0)
      return lo;
    else if constexpr (N >= V)
      return hi;
    else
      return vextq_f32(lo, hi, N);
  }

  // In-place 4x4 transpose (r[i] lane j <-> r[j] lane i): TRN of pairs, then of 64-bit halves.
  static void transpose(Vec (&r)[V]) {
    const float32x4_t p0 = vtrn1q_f32(r[0], r[1]), p1 = vtrn2q_f32(r[0], r[1]), p2 = vtrn1q_f32(r[2], r[3]),
                      p3 = vtrn2q_f32(r[2], r[3]);
    r[0] = vreinterpretq_f32_f64(vtrn1q_f64(vreinterpretq_f64_f32(p0), vreinterpretq_f64_f32(p2)));
    r[1] = vreinterpretq_f32_f64(vtrn1q_f64(vreinterpretq_f64_f32(p1), vreinterpretq_f64_f32(p3)));
    r[2] = vreinterpretq_f32_f64(vtrn2q_f64(vreinterpretq_f64_f32(p0), vreinterpretq_f64_f32(p2)));
    r[3] = vreinterpretq_f32_f64(vtrn2q_f64(vreinterpretq_f64_f32(p1), vreinterpretq_f64_f32(p3)));
  }
};

}  // namespace prunq::dwconv_detail
