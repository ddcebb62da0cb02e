// Depthwise int8 convolution, NEON: 16 channels per block. Each tap's 16 activation bytes are
// widened to int16 (UXTL: uint8 values fit int16), multiplied by the tap's int16 weights
// (w - w_zero_point, in [-255, 255]) and accumulated exactly in int32 by SMLAL / SMLAL2: 16 MACs
// in 4 multiply-accumulates, 4 int32 accumulators per output pixel.
#include <arm_neon.h>

#include <cstring>

#include "kernels/dwconv_s8/dwconv_s8.h"
#include "kernels/requant/requant_neon.h"

namespace prunq::dwconv_s8_detail {
namespace {

constexpr int64_t kBlock = 16;

// n (1..16) channel bytes, zeros above, reading nothing past them.
inline uint8x16_t load16_u8(const uint8_t* p, int64_t n) {
  if (n >= 16) return vld1q_u8(p);
  uint8_t tmp[16] = {};
  std::memcpy(tmp, p, static_cast<size_t>(n));
  return vld1q_u8(tmp);
}

template <QOut Type>
void row_as(const PackedDwConvS8& p, const uint8_t* const* ptrs, void* out, int64_t out_row) {
  const DwConvS8Shape& s = p.shape;
  const int64_t c = s.channels, taps = s.kernel_h * s.kernel_w, ow = s.out_w();
  const OutputStage& os = p.out;
  const neon::OutBounds bounds = neon::load_bounds(os);
  for (int64_t c0 = 0; c0 < c; c0 += kBlock) {
    const int64_t rem = c - c0;
    const int16_t* wblock = p.weights.data() + (c0 / kBlock) * taps * kBlock;
    neon::Requant4 rq[4];
    int32x4_t corr[4];
    for (int v = 0; v < 4; ++v) {  // correction and output stage are padded to whole blocks
      rq[v] = neon::load_requant4(os, c0 + 4 * v);
      corr[v] = vld1q_s32(p.correction.data() + c0 + 4 * v);
    }
    for (int64_t x = 0; x < ow; ++x) {
      const uint8_t* const* tp = ptrs + x * taps;
      int32x4_t acc[4] = {corr[0], corr[1], corr[2], corr[3]};
      const int16_t* wp = wblock;
      for (int64_t t = 0; t < taps; ++t, wp += kBlock) {
        const uint8x16_t a = load16_u8(tp[t] + c0, rem);
        const int16x8_t lo = vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(a)));
        const int16x8_t hi = vreinterpretq_s16_u16(vmovl_high_u8(a));
        const int16x8_t w0 = vld1q_s16(wp), w1 = vld1q_s16(wp + 8);
        acc[0] = vmlal_s16(acc[0], vget_low_s16(lo), vget_low_s16(w0));
        acc[1] = vmlal_high_s16(acc[1], lo, w0);
        acc[2] = vmlal_s16(acc[2], vget_low_s16(hi), vget_low_s16(w1));
        acc[3] = vmlal_high_s16(acc[3], hi, w1);
      }
      neon::store_outputs<Type, 4>(rq, bounds, acc, out, out_row + x * c + c0,
                                   static_cast<int>(rem < kBlock ? rem : kBlock));
    }
  }
}

}  // namespace

void row_neon(const PackedDwConvS8& p, const uint8_t* in, const uint8_t* zero_row, int64_t b, int64_t y, void* out,
              int64_t out_row) {
  const uint8_t* const* ptrs = row_tap_pointers(p, in, zero_row, b, y);
  visit_output_stage(p.out, [&]<QOut Type, bool, bool>() { row_as<Type>(p, ptrs, out, out_row); });
}

}  // namespace prunq::dwconv_s8_detail
