#include "train/lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/error.h"

namespace prunq {

void LrSchedule::validate() const {
  PRUNQ_CHECK(base_lr > 0, "lr schedule: base learning rate must be positive, got ", base_lr);
  PRUNQ_CHECK(warmup_steps >= 0, "lr schedule: warmup steps must be >= 0, got ", warmup_steps);
  if (kind == LrScheduleKind::kStep)
    PRUNQ_CHECK(step_size >= 1 && gamma > 0, "lr schedule 'step': needs step_size >= 1 and gamma > 0, got ",
                step_size, " and ", gamma);
  if (kind == LrScheduleKind::kCosine)
    PRUNQ_CHECK(total_steps > warmup_steps && min_lr >= 0 && min_lr <= base_lr,
                "lr schedule 'cosine': needs total_steps > warmup_steps and 0 <= min_lr <= base_lr, got total ",
                total_steps, ", warmup ", warmup_steps, ", min_lr ", min_lr);
}

float LrSchedule::lr_at(int64_t step) const {
  if (step < warmup_steps) return base_lr * float(step + 1) / float(warmup_steps);
  const int64_t s = step - warmup_steps;
  switch (kind) {
    case LrScheduleKind::kConstant:
      return base_lr;
    case LrScheduleKind::kStep:
      return base_lr * std::pow(gamma, float(s / std::max<int64_t>(step_size, 1)));
    case LrScheduleKind::kCosine: {
      const int64_t span = std::max<int64_t>(total_steps - warmup_steps, 1);
      const double t = std::min(1.0, double(s) / double(span));
      return float(min_lr + (base_lr - min_lr) * 0.5 * (1.0 + std::cos(std::numbers::pi * t)));
    }
  }
  return base_lr;
}

LrScheduleKind parse_lr_schedule_kind(const std::string& s) {
  if (s == "constant") return LrScheduleKind::kConstant;
  if (s == "step") return LrScheduleKind::kStep;
  if (s == "cosine") return LrScheduleKind::kCosine;
  fail("unknown lr schedule '", s, "' (known: constant, step, cosine)");
}

const char* lr_schedule_kind_name(LrScheduleKind k) {
  switch (k) {
    case LrScheduleKind::kConstant: return "constant";
    case LrScheduleKind::kStep: return "step";
    case LrScheduleKind::kCosine: return "cosine";
  }
  return "?";
}

}  // namespace prunq
