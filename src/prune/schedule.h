// Pruning during training, as Trainer callbacks on the model's masks:
//   GradualPruning    Zhu & Gupta (2017): sparsity rises from s_i to s_f along the cubic
//                       s_t = s_f + (s_i - s_f) (1 - (t - t_0) / (t_end - t_0))^3
//                     re-pruning every `frequency` steps between t_0 and t_end, so the network
//                     recovers between small steps and most weights go early, when many are
//                     redundant.
//   ThresholdPruning  weights whose magnitude stays below a threshold (absolute, or a multiple of
//                     the layer's standard deviation as in Han et al. 2015) for `patience`
//                     consecutive checks are removed as training proceeds; the sparsity is an
//                     outcome, not a target.
// The callbacks edit Initializer::mask after an optimiser step (on_step_end); the optimiser then
// keeps the newly removed weights, their gradients and their moments at zero.
#pragma once
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "prune/prunable.h"
#include "prune/select.h"
#include "train/trainer.h"

namespace prunq {

// Prunes a model to (at least) the given sparsity with some fixed criterion and scope.
using SparsityPruner = std::function<PruneResult(Graph&, double sparsity)>;

// The cubic schedule at step t (clamped to s_i before t_0 and s_f after t_end).
double cubic_sparsity(int64_t step, int64_t begin_step, int64_t end_step, double initial, double final_sparsity);
// Iterative pruning: the sparsity after round r of R (1-based), removing the same fraction of the
// remaining weights each round: 1 - (1 - S)^(r / R).
double iterative_round_sparsity(int64_t round, int64_t rounds, double final_sparsity);

struct GradualSchedule {
  double initial_sparsity = 0.0;
  double final_sparsity = 0.9;
  int64_t begin_step = 0;  // trainer steps (Trainer::global_step numbering)
  int64_t end_step = 1000;
  int64_t frequency = 100;  // steps between pruning events
};

class GradualPruning : public TrainCallback {
 public:
  GradualPruning(SparsityPruner pruner, GradualSchedule schedule);
  void on_step_end(Trainer& t, const StepInfo& info) override;
  // If training ended before end_step, the final sparsity is applied here so the result
  // always meets the target (it is then not fine-tuned at that sparsity: size runs to fit).
  void on_train_end(Trainer& t) override;

  // (step, sparsity reached) for every pruning event.
  const std::vector<std::pair<int64_t, double>>& events() const { return events_; }
  const PruneResult& last() const { return last_; }

 private:
  void prune_to(Graph& g, int64_t step, double sparsity);
  SparsityPruner pruner_;
  GradualSchedule s_;
  std::vector<std::pair<int64_t, double>> events_;
  PruneResult last_;
  bool done_ = false;
};

struct ThresholdSchedule {
  float threshold = 1e-3f;
  bool relative_to_std = false;    // threshold * std of the layer's kept weights
  int64_t patience = 3;            // consecutive checks below the threshold before removal
  int64_t frequency = 50;          // steps between checks
  int64_t begin_step = 0;
  double max_layer_sparsity = 0.99;  // never remove more of a layer (keeps every layer alive)
};

class ThresholdPruning : public TrainCallback {
 public:
  ThresholdPruning(std::vector<PrunableWeight> pool, ThresholdSchedule schedule);
  void on_step_end(Trainer& t, const StepInfo& info) override;
  // One check now (what on_step_end does every `frequency` steps).
  void check(Graph& g);
  PruneResult result(const Graph& g) const { return current_sparsity(g, pool_); }
  int64_t checks() const { return checks_; }

 private:
  std::vector<PrunableWeight> pool_;
  ThresholdSchedule s_;
  std::vector<std::vector<int32_t>> below_;  // per weight element: consecutive checks below
  int64_t checks_ = 0;
};

}  // namespace prunq
