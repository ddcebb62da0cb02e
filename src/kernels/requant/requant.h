// Integer-only requantization (gemmlowp/TFLite style): an int32 accumulator is scaled by a real
// multiplier represented as a Q31 fixed-point `multiplier` and a right `shift`, then offset by
// the output zero point and clamped (the clamp also implements fused ReLU / ReLU6).
//
// Rounding: round to nearest, ties toward +infinity ("rndnu", as XNNPACK and Arm's SRSHL do):
//   v = (int64(acc) * multiplier + 2^(shift-1)) >> shift     (arithmetic shift)
// One rounding step instead of gemmlowp's two (SQRDMULH + rounding shift) keeps every SIMD
// variant simple and bit-exact with this scalar definition, which is the truth.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace prunq {

struct QuantMultiplier {
  int32_t multiplier = 1 << 30;  // in [2^30, 2^31) unless the real value underflowed to 0
  int32_t shift = 31;            // in [1, 62]
};

// real must be > 0 and < 2^30. Tiny values keep shift = 62 and lose multiplier bits (down to 0).
QuantMultiplier quantize_multiplier(double real);

inline int64_t apply_multiplier(int32_t acc, QuantMultiplier q) {
  // |acc * multiplier| < 2^62 and the rounding term is <= 2^61: no int64 overflow.
  return (static_cast<int64_t>(acc) * q.multiplier + (int64_t{1} << (q.shift - 1))) >> q.shift;
}

// The reference requantization: clamp(zero_point + round(acc * real), qmin, qmax).
inline int32_t requantize(int32_t acc, QuantMultiplier q, int32_t zero_point, int32_t qmin, int32_t qmax) {
  int64_t v = apply_multiplier(acc, q) + zero_point;
  if (v < qmin) v = qmin;
  if (v > qmax) v = qmax;
  return static_cast<int32_t>(v);
}

// What a quantized GEMM / convolution writes.
enum class QOut : uint8_t {
  u8,   // requantized to uint8
  s8,   // requantized to int8
  s32,  // the corrected int32 accumulator itself (ONNX MatMulInteger / ConvInteger)
  f32,  // dequantized: float(acc) * a_scale * w_scale[n], then clamped to [act_min, act_max]
};
const char* qout_name(QOut t);

// The user-facing description of a quantized layer's arithmetic:
//   acc[m][n] = sum_k (A[m][k] - a_zero_point) * (W[n][k] - w_zero_point[n]) + bias[n]   (int32)
//   out[m][n] = requantize(acc, a_scale * w_scale[n] / out_scale, out_zero_point, clamp)
struct QuantSpec {
  bool a_signed = false;  // activations int8 instead of uint8
  int32_t a_zero_point = 0;
  float a_scale = 1.f;
  std::vector<float> w_scales;         // 1 (per tensor) or N (per output channel), all > 0
  std::vector<int32_t> w_zero_points;  // empty (symmetric), 1 or N; int8 range
  std::vector<int32_t> bias;           // empty or N; int32 in units of a_scale * w_scale[n]
  QOut out_type = QOut::u8;
  float out_scale = 1.f;
  int32_t out_zero_point = 0;
  // Fused activation in real units: ReLU is {0, +inf}, ReLU6 is {0, 6}.
  float act_min = -3.0e38f, act_max = 3.0e38f;
};

// A QuantSpec expanded per output channel (padded to n_padded) for the kernels' epilogues.
struct OutputStage {
  QOut type = QOut::u8;
  std::vector<int32_t> multiplier, shift;  // u8/s8
  std::vector<float> dequant_scale;        // f32: a_scale * w_scale[n]
  int32_t zero_point = 0;
  int32_t qmin = 0, qmax = 255;            // u8/s8 clamp, activation folded in
  float fmin = -3.0e38f, fmax = 3.0e38f;   // f32 clamp
  bool narrow_shift = true;                // every shift >= 31: |acc * real| < 2^31 fits in int32
  bool high_shift = true;                  // every shift >= 33 (real < 2^-2): SIMD high-half path
};

// Validates spec for n output channels (naming `what` in errors) and expands it.
OutputStage make_output_stage(const QuantSpec& spec, int64_t n, int64_t n_padded, const char* what);

// Per-channel value of a spec vector that may hold 1 (per tensor) or N entries.
template <typename T>
T per_channel(const std::vector<T>& v, int64_t n, T dflt) {
  if (v.empty()) return dflt;
  return v.size() == 1 ? v[0] : v[static_cast<size_t>(n)];
}

// Calls f.template operator()<Type, NarrowShift, HighShift>() with the output stage's type and
// shift range as compile-time values, so an epilogue can be one straight run of instructions per
// variant (the SIMD kernels instantiate their stores this way).
template <typename F>
void visit_output_stage(const OutputStage& os, F&& f) {
  switch (os.type) {
    case QOut::u8:
    case QOut::s8: {
      auto by_shift = [&]<QOut T>() {
        if (os.high_shift)
          f.template operator()<T, true, true>();
        else if (os.narrow_shift)
          f.template operator()<T, true, false>();
        else
          f.template operator()<T, false, false>();
      };
      if (os.type == QOut::u8)
        by_shift.template operator()<QOut::u8>();
      else
        by_shift.template operator()<QOut::s8>();
      break;
    }
    case QOut::s32: f.template operator()<QOut::s32, true, false>(); break;
    case QOut::f32: f.template operator()<QOut::f32, true, false>(); break;
  }
}

// Writes one output element from a corrected accumulator, exactly as every kernel must.
void store_output_scalar(const OutputStage& os, int64_t n, int32_t acc, void* out, int64_t index);

}  // namespace prunq
