#include "kernels/requant/requant.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace prunq {

QuantMultiplier quantize_multiplier(double real) {
  PRUNQ_CHECK(std::isfinite(real) && real > 0, "requantization: multiplier ", real, " must be finite and > 0");
  PRUNQ_CHECK(real < 1073741824.0, "requantization: multiplier ", real, " is too large (>= 2^30)");
  int exponent = 0;
  double fraction = std::frexp(real, &exponent);  // real = fraction * 2^exponent, fraction in [0.5, 1)
  int64_t m = std::llround(fraction * 2147483648.0);
  if (m == (int64_t{1} << 31)) {  // rounding carried into the next power of two
    m >>= 1;
    ++exponent;
  }
  int shift = 31 - exponent;
  if (shift > 62) {  // tiny multiplier: keep the largest legal shift and drop low bits
    int extra = shift - 62;
    m = extra >= 63 ? 0 : (m + (int64_t{1} << (extra - 1))) >> extra;
    shift = 62;
  }
  return {static_cast<int32_t>(m), shift};
}

const char* qout_name(QOut t) {
  switch (t) {
    case QOut::u8: return "u8";
    case QOut::s8: return "s8";
    case QOut::s32: return "s32";
    case QOut::f32: return "f32";
  }
  return "?";
}

OutputStage make_output_stage(const QuantSpec& spec, int64_t n, int64_t n_padded, const char* what) {
  PRUNQ_CHECK(spec.w_scales.size() == 1 || static_cast<int64_t>(spec.w_scales.size()) == n, what,
              ": w_scales has ", spec.w_scales.size(), " entries, expected 1 or ", n);
  PRUNQ_CHECK(std::isfinite(spec.a_scale) && spec.a_scale > 0, what, ": a_scale ", spec.a_scale, " must be > 0");
  for (float s : spec.w_scales)
    PRUNQ_CHECK(std::isfinite(s) && s > 0, what, ": weight scale ", s, " must be > 0");
  PRUNQ_CHECK(spec.act_min <= spec.act_max, what, ": act_min ", spec.act_min, " > act_max ", spec.act_max);
  OutputStage os;
  os.type = spec.out_type;
  if (spec.out_type == QOut::u8 || spec.out_type == QOut::s8) {
    PRUNQ_CHECK(std::isfinite(spec.out_scale) && spec.out_scale > 0, what, ": out_scale ", spec.out_scale,
                " must be > 0");
    int32_t lo = spec.out_type == QOut::u8 ? 0 : -128, hi = spec.out_type == QOut::u8 ? 255 : 127;
    PRUNQ_CHECK(spec.out_zero_point >= lo && spec.out_zero_point <= hi, what, ": output zero point ",
                spec.out_zero_point, " is outside the ", qout_name(spec.out_type), " range");
    os.zero_point = spec.out_zero_point;
    // The activation clamp in quantized units (ReLU: qmin = zero point).
    double qa = std::round(spec.act_min / static_cast<double>(spec.out_scale)) + spec.out_zero_point;
    double qb = std::round(spec.act_max / static_cast<double>(spec.out_scale)) + spec.out_zero_point;
    os.qmin = static_cast<int32_t>(std::clamp<double>(qa, lo, hi));
    os.qmax = static_cast<int32_t>(std::clamp<double>(qb, lo, hi));
    os.multiplier.assign(static_cast<size_t>(n_padded), 0);
    os.shift.assign(static_cast<size_t>(n_padded), 31);
    for (int64_t c = 0; c < n; ++c) {
      double real = static_cast<double>(spec.a_scale) * per_channel(spec.w_scales, c, 1.f) / spec.out_scale;
      QuantMultiplier q = quantize_multiplier(real);
      os.multiplier[c] = q.multiplier;
      os.shift[c] = q.shift;
      if (q.shift < 31) os.narrow_shift = false;
      if (q.shift < 33) os.high_shift = false;
    }
  } else if (spec.out_type == QOut::f32) {
    os.fmin = spec.act_min;
    os.fmax = spec.act_max;
    os.dequant_scale.assign(static_cast<size_t>(n_padded), 0.f);
    for (int64_t c = 0; c < n; ++c) os.dequant_scale[c] = spec.a_scale * per_channel(spec.w_scales, c, 1.f);
  }
  return os;
}

void store_output_scalar(const OutputStage& os, int64_t n, int32_t acc, void* out, int64_t index) {
  switch (os.type) {
    case QOut::u8:
    case QOut::s8: {
      int32_t v = requantize(acc, {os.multiplier[n], os.shift[n]}, os.zero_point, os.qmin, os.qmax);
      if (os.type == QOut::u8)
        static_cast<uint8_t*>(out)[index] = static_cast<uint8_t>(v);
      else
        static_cast<int8_t*>(out)[index] = static_cast<int8_t>(v);
      break;
    }
    case QOut::s32: static_cast<int32_t*>(out)[index] = acc; break;
    case QOut::f32: {
      float f = static_cast<float>(acc) * os.dequant_scale[n];
      // Written like the SIMD max/min instructions (second operand on ties) so all agree on -0.
      f = f > os.fmin ? f : os.fmin;
      f = f < os.fmax ? f : os.fmax;
      static_cast<float*>(out)[index] = f;
      break;
    }
  }
}

}  // namespace prunq
