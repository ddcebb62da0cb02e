// AArch64 NEON form of the output stage (requant.h), bit-exact with store_output_scalar().
// NEON has the exact instruction for the rounding step: SRSHL by a negative count adds
// 2^(shift-1) and shifts right arithmetically on 64-bit lanes, which is apply_multiplier() as
// written. So every shift range takes one path: SMULL, SRSHL, SQXTN (saturating to int32 clamps
// exactly like the 64-bit clamp would, since [qmin, qmax] lies inside int32), the clamp and the
// zero point. Include only from *neon*.cpp translation units (built for aarch64 only).
#pragma once
#include <arm_neon.h>

#include <cstring>

#include "kernels/requant/requant.h"

namespace prunq::neon {

// The constants of 4 consecutive output channels.
struct Requant4 {
  int32x4_t mult;
  int64x2_t nshift_lo, nshift_hi;  // -shift of channels 0-1 and 2-3 (SRSHL counts)
  float32x4_t scale;               // f32 output: a_scale * w_scale
};

inline Requant4 load_requant4(const OutputStage& os, int64_t n0) {
  Requant4 r{};
  if (os.type == QOut::u8 || os.type == QOut::s8) {
    r.mult = vld1q_s32(os.multiplier.data() + n0);
    const int32x4_t nsh = vnegq_s32(vld1q_s32(os.shift.data() + n0));
    r.nshift_lo = vmovl_s32(vget_low_s32(nsh));
    r.nshift_hi = vmovl_high_s32(nsh);
  } else if (os.type == QOut::f32) {
    r.scale = vld1q_f32(os.dequant_scale.data() + n0);
  }
  return r;
}

struct OutBounds {
  int32x4_t zp, lo, hi;  // lo/hi: qmin - zero point, qmax - zero point
  float32x4_t fmin, fmax;
};

inline OutBounds load_bounds(const OutputStage& os) {
  OutBounds b;
  b.zp = vdupq_n_s32(os.zero_point);
  b.lo = vdupq_n_s32(os.qmin - os.zero_point);
  b.hi = vdupq_n_s32(os.qmax - os.zero_point);
  b.fmin = vdupq_n_f32(os.fmin);
  b.fmax = vdupq_n_f32(os.fmax);
  return b;
}

// clamp(zero_point + ((acc * mult + 2^(shift-1)) >> shift), qmin, qmax) on 4 int32 lanes.
inline int32x4_t requantize4(int32x4_t acc, const Requant4& r, const OutBounds& b) {
  const int64x2_t lo = vrshlq_s64(vmull_s32(vget_low_s32(acc), vget_low_s32(r.mult)), r.nshift_lo);
  const int64x2_t hi = vrshlq_s64(vmull_high_s32(acc, r.mult), r.nshift_hi);
  const int32x4_t v = vqmovn_high_s64(vqmovn_s64(lo), hi);
  return vaddq_s32(vminq_s32(vmaxq_s32(v, b.lo), b.hi), b.zp);
}

// float(acc) * scale clamped as store_output_scalar writes it: f > fmin ? f : fmin, then
// f < fmax ? f : fmax (compare + select: FMAX/FMIN would answer +0 for max(+0, -0) where the
// scalar definition keeps the second operand).
inline float32x4_t dequantize4(int32x4_t acc, const Requant4& r, const OutBounds& b) {
  float32x4_t f = vmulq_f32(vcvtq_f32_s32(acc), r.scale);
  f = vbslq_f32(vcgtq_f32(f, b.fmin), f, b.fmin);
  return vbslq_f32(vcltq_f32(f, b.fmax), f, b.fmax);
}

// Writes the first n (1 .. 4 * Nv) outputs of Nv vectors of corrected accumulators (channels
// rq[0] .. rq[Nv-1]) at element `index` of the output array.
template <QOut Type, int Nv>
inline void store_outputs(const Requant4 (&rq)[Nv], const OutBounds& b, const int32x4_t (&acc)[Nv], void* out,
                          int64_t index, int n) {
  static_assert(Nv == 1 || Nv == 2 || Nv == 4, "1, 2 or 4 vectors");
  constexpr int kLanes = 4 * Nv;
  if constexpr (Type == QOut::u8 || Type == QOut::s8) {
    int16x8_t h[Nv > 1 ? Nv / 2 : 1];
    if constexpr (Nv == 1) {
      h[0] = vcombine_s16(vmovn_s32(requantize4(acc[0], rq[0], b)), vdup_n_s16(0));
    } else {
#pragma GCC unroll 2
      for (int v = 0; v < Nv; v += 2)
        h[v / 2] = vcombine_s16(vmovn_s32(requantize4(acc[v], rq[v], b)), vmovn_s32(requantize4(acc[v + 1], rq[v + 1], b)));
    }
    // Values lie in [qmin, qmax]: truncating to 8 bits gives the uint8 or int8 byte.
    uint8_t* o = static_cast<uint8_t*>(out) + index;
    if constexpr (Nv == 4) {
      const uint8x16_t bytes = vreinterpretq_u8_s8(vcombine_s8(vmovn_s16(h[0]), vmovn_s16(h[1])));
      if (n == 16) return vst1q_u8(o, bytes);
      uint8_t t[16];
      vst1q_u8(t, bytes);
      std::memcpy(o, t, static_cast<size_t>(n));
    } else {
      const uint8x8_t bytes = vreinterpret_u8_s8(vmovn_s16(h[0]));
      if (n == 8) return vst1_u8(o, bytes);
      uint8_t t[8];
      vst1_u8(t, bytes);
      std::memcpy(o, t, static_cast<size_t>(n));
    }
  } else if constexpr (Type == QOut::s32) {  // the corrected accumulator itself
    int32_t t[kLanes];
#pragma GCC unroll 4
    for (int v = 0; v < Nv; ++v) vst1q_s32(t + 4 * v, acc[v]);
    std::memcpy(static_cast<int32_t*>(out) + index, t, static_cast<size_t>(n) * 4);
  } else {
    float t[kLanes];
#pragma GCC unroll 4
    for (int v = 0; v < Nv; ++v) vst1q_f32(t + 4 * v, dequantize4(acc[v], rq[v], b));
    std::memcpy(static_cast<float*>(out) + index, t, static_cast<size_t>(n) * 4);
  }
}

}  // namespace prunq::neon
