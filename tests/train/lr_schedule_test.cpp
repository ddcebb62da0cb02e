#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "core/error.h"
#include "train/lr_schedule.h"

namespace prunq {
namespace {

TEST(TrainLrSchedule, ConstantStepAndCosine) {
  LrSchedule c;
  c.base_lr = 0.1f;
  EXPECT_FLOAT_EQ(c.lr_at(0), 0.1f);
  EXPECT_FLOAT_EQ(c.lr_at(1000), 0.1f);

  LrSchedule s = c;
  s.kind = LrScheduleKind::kStep;
  s.step_size = 10;
  s.gamma = 0.5f;
  EXPECT_FLOAT_EQ(s.lr_at(9), 0.1f);
  EXPECT_FLOAT_EQ(s.lr_at(10), 0.05f);
  EXPECT_FLOAT_EQ(s.lr_at(25), 0.025f);

  LrSchedule cos = c;
  cos.kind = LrScheduleKind::kCosine;
  cos.total_steps = 100;
  cos.min_lr = 0.01f;
  EXPECT_FLOAT_EQ(cos.lr_at(0), 0.1f);
  EXPECT_NEAR(cos.lr_at(50), 0.055f, 1e-7);  // halfway: the mean of base and min
  EXPECT_NEAR(cos.lr_at(25), 0.01 + 0.09 * 0.5 * (1 + std::cos(std::numbers::pi / 4)), 1e-7);
  EXPECT_FLOAT_EQ(cos.lr_at(100), 0.01f);
  EXPECT_FLOAT_EQ(cos.lr_at(500), 0.01f);  // stays at the floor past the end
}

TEST(TrainLrSchedule, WarmupRampsLinearlyThenHandsOver) {
  LrSchedule s;
  s.kind = LrScheduleKind::kCosine;
  s.base_lr = 1.f;
  s.warmup_steps = 4;
  s.total_steps = 14;
  EXPECT_FLOAT_EQ(s.lr_at(0), 0.25f);
  EXPECT_FLOAT_EQ(s.lr_at(3), 1.f);
  EXPECT_FLOAT_EQ(s.lr_at(4), 1.f);             // cosine starts at its top after warmup
  EXPECT_NEAR(s.lr_at(9), 0.5f, 1e-6);          // halfway through the 10 cosine steps
  EXPECT_FLOAT_EQ(s.lr_at(14), 0.f);
}

TEST(TrainLrSchedule, ParsingAndValidation) {
  EXPECT_EQ(parse_lr_schedule_kind("cosine"), LrScheduleKind::kCosine);
  EXPECT_EQ(parse_lr_schedule_kind("step"), LrScheduleKind::kStep);
  EXPECT_STREQ(lr_schedule_kind_name(LrScheduleKind::kConstant), "constant");
  EXPECT_THROW(parse_lr_schedule_kind("linear"), Error);
  LrSchedule bad;
  bad.kind = LrScheduleKind::kCosine;
  bad.total_steps = 0;
  EXPECT_THROW(bad.validate(), Error);
  bad.kind = LrScheduleKind::kStep;
  bad.step_size = 0;
  EXPECT_THROW(bad.validate(), Error);
  bad = LrSchedule{};
  bad.base_lr = -1;
  EXPECT_THROW(bad.validate(), Error);
}

}  // namespace
}  // namespace prunq
