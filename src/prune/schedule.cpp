#include "prune/schedule.h"

#include <algorithm>
#include <cmath>

#include "prune/mask.h"

namespace prunq {

double cubic_sparsity(int64_t step, int64_t begin_step, int64_t end_step, double initial, double final_sparsity) {
  if (step <= begin_step) return initial;
  if (step >= end_step) return final_sparsity;
  const double progress = double(step - begin_step) / double(end_step - begin_step);
  const double left = 1.0 - progress;
  return final_sparsity + (initial - final_sparsity) * left * left * left;
}

double iterative_round_sparsity(int64_t round, int64_t rounds, double final_sparsity) {
  PRUNQ_CHECK(rounds >= 1 && round >= 0 && round <= rounds, "prune: round ", round, " of ", rounds);
  if (round == rounds) return final_sparsity;
  return 1.0 - std::pow(1.0 - final_sparsity, double(round) / double(rounds));
}

GradualPruning::GradualPruning(SparsityPruner pruner, GradualSchedule s) : pruner_(std::move(pruner)), s_(s) {
  PRUNQ_CHECK(pruner_, "gradual pruning: no pruner");
  PRUNQ_CHECK(s.initial_sparsity >= 0 && s.initial_sparsity <= s.final_sparsity && s.final_sparsity <= 1,
              "gradual pruning: need 0 <= initial <= final <= 1, got ", s.initial_sparsity, " and ", s.final_sparsity);
  PRUNQ_CHECK(s.begin_step >= 0 && s.end_step > s.begin_step, "gradual pruning: need 0 <= begin step < end step, got ",
              s.begin_step, " and ", s.end_step);
  PRUNQ_CHECK(s.frequency >= 1, "gradual pruning: frequency must be >= 1 step, got ", s.frequency);
}

void GradualPruning::prune_to(Graph& g, int64_t step, double sparsity) {
  last_ = pruner_(g, sparsity);
  events_.push_back({step, last_.sparsity()});
}

void GradualPruning::on_step_end(Trainer& t, const StepInfo& info) {
  if (done_ || info.step < s_.begin_step) return;
  const size_t before = events_.size();
  // Pruning events sit on the grid begin + k * frequency; the last one is end_step itself.
  const bool on_grid = (info.step - s_.begin_step) % s_.frequency == 0;
  if (info.step >= s_.end_step) {
    prune_to(t.model(), info.step, s_.final_sparsity);
    done_ = true;
  } else if (on_grid) {
    prune_to(t.model(), info.step, cubic_sparsity(info.step, s_.begin_step, s_.end_step, s_.initial_sparsity,
                                                 s_.final_sparsity));
  }
  if (events_.size() != before) t.optimizer().mask_state();  // no momentum left for what was just removed
}

void GradualPruning::on_train_end(Trainer& t) {
  if (!done_) prune_to(t.model(), t.global_step(), s_.final_sparsity);
  done_ = true;
}

ThresholdPruning::ThresholdPruning(std::vector<PrunableWeight> pool, ThresholdSchedule s) : pool_(std::move(pool)), s_(s) {
  PRUNQ_CHECK(std::isfinite(s.threshold) && s.threshold > 0, "threshold pruning: threshold must be positive, got ",
              s.threshold);
  PRUNQ_CHECK(s.patience >= 1 && s.frequency >= 1 && s.begin_step >= 0,
              "threshold pruning: patience and frequency must be >= 1 and the begin step >= 0");
  PRUNQ_CHECK(s.max_layer_sparsity >= 0 && s.max_layer_sparsity < 1,
              "threshold pruning: the layer cap must be in [0, 1), got ", s.max_layer_sparsity);
  for (const PrunableWeight& w : pool_) below_.emplace_back(size_t(w.numel()), 0);
}

void ThresholdPruning::on_step_end(Trainer& t, const StepInfo& info) {
  if (info.step < s_.begin_step || (info.step - s_.begin_step) % s_.frequency != 0) return;
  check(t.model());
  t.optimizer().mask_state();
}

void ThresholdPruning::check(Graph& g) {
  ++checks_;
  for (size_t l = 0; l < pool_.size(); ++l) {
    const PrunableWeight& w = pool_[l];
    const Initializer& init = *g.initializer(w.weight);
    const Tensor data = init.data.contiguous();
    const Tensor mask = mask_or_ones(init);
    const float* p = data.f32();
    const float* m = mask.f32();
    const int64_t n = data.numel();
    float threshold = s_.threshold;
    if (s_.relative_to_std) {
      double sum = 0, sq = 0;
      int64_t kept = 0;
      for (int64_t i = 0; i < n; ++i)
        if (m[i] != 0.f) sum += p[i], sq += double(p[i]) * p[i], ++kept;
      const double mean = kept ? sum / double(kept) : 0.0;
      threshold = float(s_.threshold * std::sqrt(std::max(0.0, kept ? sq / double(kept) - mean * mean : 0.0)));
    }
    std::vector<int32_t>& below = below_[l];
    std::vector<int64_t> due;  // kept weights that stayed under the threshold long enough
    int64_t pruned = 0;
    for (int64_t i = 0; i < n; ++i) {
      if (m[i] == 0.f) {
        ++pruned;
        continue;
      }
      below[size_t(i)] = std::fabs(p[i]) < threshold ? below[size_t(i)] + 1 : 0;
      if (below[size_t(i)] >= s_.patience) due.push_back(i);
    }
    if (due.empty()) continue;
    // Under the cap, the smallest of the due weights go first.
    const int64_t room = std::max<int64_t>(0, int64_t(std::floor(s_.max_layer_sparsity * double(n))) - pruned);
    if (int64_t(due.size()) > room) {
      std::nth_element(due.begin(), due.begin() + room, due.end(),
                       [&](int64_t a, int64_t b) { return std::fabs(p[a]) < std::fabs(p[b]); });
      due.resize(size_t(room));
    }
    if (due.empty()) continue;
    Tensor keep = Tensor::full(init.data.shape(), 1.f);
    for (int64_t i : due) keep.f32()[i] = 0.f;
    tighten_mask(g, w.weight, keep);
  }
}

}  // namespace prunq
