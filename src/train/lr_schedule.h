// Learning-rate schedules, evaluated per optimiser step (not per epoch, so short runs still
// anneal smoothly). An optional linear warmup ramps from base_lr / warmup_steps up to base_lr
// over the first warmup_steps steps; the schedule proper then runs over the remaining steps:
//   constant  base_lr
//   step      base_lr * gamma ^ floor(s / step_size)
//   cosine    min_lr + (base_lr - min_lr) * (1 + cos(pi * s / (total_steps - warmup_steps))) / 2
// where s counts steps after the warmup.
#pragma once
#include <cstdint>
#include <string>

namespace prunq {

enum class LrScheduleKind { kConstant, kStep, kCosine };

struct LrSchedule {
  LrScheduleKind kind = LrScheduleKind::kConstant;
  float base_lr = 1e-3f;
  int64_t warmup_steps = 0;
  int64_t step_size = 1;    // step
  float gamma = 0.1f;       // step
  int64_t total_steps = 0;  // cosine: the step at which min_lr is reached
  float min_lr = 0.f;       // cosine

  float lr_at(int64_t step) const;  // step counts from 0
  void validate() const;            // Error on inconsistent settings
};

// "constant", "step", "cosine" (Error listing them otherwise).
LrScheduleKind parse_lr_schedule_kind(const std::string& s);
const char* lr_schedule_kind_name(LrScheduleKind k);

}  // namespace prunq
