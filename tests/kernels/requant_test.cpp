// Fixed-point requantization: multiplier encoding, rounding (to nearest, ties toward +inf), clamps.
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "kernels/requant/requant.h"

using namespace prunq;

TEST(Requant, QuantizeMultiplierRepresentsTheRealValue) {
  for (double real : {1e-9, 1e-4, 0.0123, 0.25, 0.5, 0.75, 0.999999999, 1.0, 1.5, 17.25, 123456.0}) {
    QuantMultiplier q = quantize_multiplier(real);
    EXPECT_GE(q.multiplier, 1 << 30) << real;
    EXPECT_GE(q.shift, 1) << real;
    EXPECT_LE(q.shift, 62) << real;
    double back = q.multiplier * std::ldexp(1.0, -q.shift);
    EXPECT_NEAR(back / real, 1.0, 1e-9) << real;
  }
  // 0.999999999999 rounds up to exactly 2^31 * 2^-31: the carry must move to the exponent.
  QuantMultiplier one = quantize_multiplier(0.9999999999999);
  EXPECT_EQ(one.multiplier, 1 << 30);
  EXPECT_EQ(one.shift, 30);
}

TEST(Requant, TinyMultipliersUnderflowGracefully) {
  QuantMultiplier q = quantize_multiplier(1e-30);
  EXPECT_EQ(q.shift, 62);
  EXPECT_EQ(q.multiplier, 0);
  EXPECT_EQ(requantize(2000000000, q, 5, 0, 255), 5);
}

TEST(Requant, RoundsToNearestTiesUp) {
  QuantMultiplier half = quantize_multiplier(0.5);
  EXPECT_EQ(apply_multiplier(5, half), 3);     // 2.5 -> 3
  EXPECT_EQ(apply_multiplier(-5, half), -2);   // -2.5 -> -2 (ties toward +inf)
  EXPECT_EQ(apply_multiplier(7, half), 4);     // 3.5 -> 4
  EXPECT_EQ(apply_multiplier(-7, half), -3);   // -3.5 -> -3
  EXPECT_EQ(apply_multiplier(-6, half), -3);
  QuantMultiplier third = quantize_multiplier(1.0 / 3.0);
  EXPECT_EQ(apply_multiplier(10, third), 3);
  EXPECT_EQ(apply_multiplier(-11, third), -4);  // -3.67 -> -4
}

TEST(Requant, ExtremeAccumulatorsDoNotOverflow) {
  QuantMultiplier big = quantize_multiplier(1073741823.0);
  EXPECT_EQ(requantize(INT32_MAX, big, 0, -128, 127), 127);
  EXPECT_EQ(requantize(INT32_MIN, big, 0, -128, 127), -128);
  QuantMultiplier almost_one = quantize_multiplier(0.99999);
  EXPECT_EQ(requantize(INT32_MIN, almost_one, 255, 0, 255), 0);
}

TEST(Requant, OutputStageFoldsActivationIntoClamp) {
  QuantSpec s;
  s.a_scale = 0.05f;  // real multiplier 0.125: the narrow (int32) requantization path
  s.w_scales = {0.25f};
  s.out_type = QOut::u8;
  s.out_scale = 0.1f;
  s.out_zero_point = 10;
  s.act_min = 0;
  s.act_max = 6;
  OutputStage os = make_output_stage(s, 3, 16, "test");
  EXPECT_EQ(os.qmin, 10);
  EXPECT_EQ(os.qmax, 70);
  EXPECT_EQ(os.multiplier.size(), 16u);
  EXPECT_TRUE(os.narrow_shift);
  EXPECT_TRUE(os.high_shift);  // 0.125 = 0.5 * 2^-2: shift 33
  s.a_scale = 1.f;  // real multiplier 2.5: needs the 64-bit clamp
  EXPECT_FALSE(make_output_stage(s, 3, 16, "test").narrow_shift);
  EXPECT_FALSE(make_output_stage(s, 3, 16, "test").high_shift);
  s.a_scale = 0.12f;  // real multiplier 0.3: shift 32, narrow but not high
  EXPECT_TRUE(make_output_stage(s, 3, 16, "test").narrow_shift);
  EXPECT_FALSE(make_output_stage(s, 3, 16, "test").high_shift);
  s.out_type = QOut::s8;
  s.out_zero_point = 200;
  EXPECT_THROW(make_output_stage(s, 3, 16, "test"), Error);
  EXPECT_THROW(quantize_multiplier(0.0), Error);
  EXPECT_THROW(quantize_multiplier(-1.0), Error);
  EXPECT_THROW(quantize_multiplier(std::nan("")), Error);
  EXPECT_THROW(quantize_multiplier(4e9), Error);
}
