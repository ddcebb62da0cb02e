// A whole pruning recipe on a model: when to prune, and the training around it.
//   oneshot    prune to S once, then fine-tune `finetune_epochs`
//   iterative  `rounds` rounds of prune -> fine-tune `finetune_epochs`, each round removing the
//              same fraction of what is left (iterative_round_sparsity)
//   gradual    train `finetune_epochs` while the sparsity climbs along Zhu & Gupta's cubic from 0
//              to S over the first `ramp_fraction` of the steps (GradualPruning)
//   threshold  train `finetune_epochs` while weights that stay under a threshold are removed
//              (ThresholdPruning); S is not a target there
// Every stage is evaluated on the test data (when given) before and after its training.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "io/data/dataset.h"
#include "prune/schedule.h"
#include "train/trainer.h"

namespace prunq {

enum class PruneScheduleKind { kOneShot, kIterative, kGradual, kThreshold };

// "oneshot" | "iterative" | "gradual" | "threshold"; anything else is an Error.
PruneScheduleKind parse_prune_schedule(const std::string& s);
const char* prune_schedule_name(PruneScheduleKind k);

struct PruneScheduleOptions {
  PruneScheduleKind kind = PruneScheduleKind::kOneShot;
  double sparsity = 0.9;
  int64_t rounds = 3;            // iterative
  int64_t finetune_epochs = 1;   // see above; 0: prune only (oneshot / iterative)
  double ramp_fraction = 0.75;   // gradual: share of the training steps the sparsity climbs over
  int64_t prune_every = 0;       // gradual: steps between pruning events (0: about 20 events)
  ThresholdSchedule threshold;   // threshold
};

struct PruneStage {
  std::string what;               // "oneshot", "round 2/3", "gradual", "threshold"
  double target = 0;              // sparsity asked for (threshold: 0)
  PruneResult pruned;             // after the stage
  int64_t epochs = 0;             // training epochs in the stage
  int64_t pruning_events = 1;
  bool evaluated = false;
  EvalResult after_prune;         // oneshot / iterative: right after pruning, before training
  EvalResult after_training;
};

// `prune` prunes to a sparsity (oneshot, iterative, gradual); `pool` is what threshold pruning
// watches. Training uses `train_config` with its epochs replaced by the stage's; each stage
// gets a fresh Trainer (and optimiser), so pruners that change the graph's structure work too.
// A schedule that trains needs training data.
std::vector<PruneStage> run_prune_schedule(Graph& model, const SparsityPruner& prune,
                                           const std::vector<PrunableWeight>& pool, const PruneScheduleOptions& options,
                                           const TrainConfig& train_config, const Dataset* train, const Dataset* test);

}  // namespace prunq
