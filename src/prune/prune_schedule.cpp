#include "prune/prune_schedule.h"

#include <algorithm>
#include <cmath>
#include <memory>

namespace prunq {
namespace {

EvalResult evaluate_if(const Graph& model, const Dataset* test, const TrainConfig& c) {
  return test ? evaluate_model(model, *test, c.eval_batch_size, c.progress, c.progress_options) : EvalResult{};
}

// Trains `epochs` epochs with a fresh Trainer carrying `callbacks`.
void train_stage(Graph& model, const TrainConfig& base, int64_t epochs, const Dataset& train,
                 const std::vector<std::shared_ptr<TrainCallback>>& callbacks) {
  TrainConfig c = base;
  c.epochs = epochs;
  Trainer trainer(model, c);
  for (const auto& cb : callbacks) trainer.add_callback(cb);
  trainer.fit(train);
}

}  // namespace

PruneScheduleKind parse_prune_schedule(const std::string& s) {
  if (s == "oneshot") return PruneScheduleKind::kOneShot;
  if (s == "iterative") return PruneScheduleKind::kIterative;
  if (s == "gradual") return PruneScheduleKind::kGradual;
  if (s == "threshold") return PruneScheduleKind::kThreshold;
  fail("unknown pruning schedule '", s, "' (known: oneshot, iterative, gradual, threshold)");
}

const char* prune_schedule_name(PruneScheduleKind k) {
  switch (k) {
    case PruneScheduleKind::kOneShot: return "oneshot";
    case PruneScheduleKind::kIterative: return "iterative";
    case PruneScheduleKind::kGradual: return "gradual";
    case PruneScheduleKind::kThreshold: return "threshold";
  }
  return "?";
}

std::vector<PruneStage> run_prune_schedule(Graph& model, const SparsityPruner& prune,
                                           const std::vector<PrunableWeight>& pool, const PruneScheduleOptions& o,
                                           const TrainConfig& tc, const Dataset* train, const Dataset* test) {
  PRUNQ_CHECK(std::isfinite(o.sparsity) && o.sparsity >= 0 && o.sparsity <= 1, "prune: sparsity must be in [0, 1], got ",
              o.sparsity);
  PRUNQ_CHECK(o.finetune_epochs >= 0, "prune: fine-tune epochs must be >= 0, got ", o.finetune_epochs);
  const bool trains_while_pruning = o.kind == PruneScheduleKind::kGradual || o.kind == PruneScheduleKind::kThreshold;
  PRUNQ_CHECK(!trains_while_pruning || o.finetune_epochs >= 1, "prune: the ", prune_schedule_name(o.kind),
              " schedule prunes during training and needs at least one training epoch");
  PRUNQ_CHECK(o.finetune_epochs == 0 || train, "prune: fine-tuning needs training data");
  if (o.finetune_epochs > 0) train->validate("training data");

  std::vector<PruneStage> stages;
  if (o.kind == PruneScheduleKind::kOneShot || o.kind == PruneScheduleKind::kIterative) {
    const int64_t rounds = o.kind == PruneScheduleKind::kOneShot ? 1 : o.rounds;
    PRUNQ_CHECK(rounds >= 1, "prune: iterative pruning needs at least one round, got ", rounds);
    for (int64_t r = 1; r <= rounds; ++r) {
      PruneStage st;
      st.what = rounds == 1 ? "oneshot" : "round " + std::to_string(r) + "/" + std::to_string(rounds);
      st.target = iterative_round_sparsity(r, rounds, o.sparsity);
      st.pruned = prune(model, st.target);
      st.epochs = o.finetune_epochs;
      st.evaluated = test != nullptr;
      st.after_prune = evaluate_if(model, test, tc);
      if (o.finetune_epochs > 0) {
        train_stage(model, tc, o.finetune_epochs, *train, {});
        st.after_training = evaluate_if(model, test, tc);
      } else {
        st.after_training = st.after_prune;
      }
      stages.push_back(std::move(st));
    }
    return stages;
  }

  const int64_t steps = BatchIterator(*train, tc.batch_size, false, 0, 0).num_batches() * o.finetune_epochs;
  PruneStage st;
  st.what = prune_schedule_name(o.kind);
  st.epochs = o.finetune_epochs;
  st.evaluated = test != nullptr;
  st.after_prune = evaluate_if(model, test, tc);  // before any pruning of this stage
  if (o.kind == PruneScheduleKind::kGradual) {
    PRUNQ_CHECK(o.ramp_fraction > 0 && o.ramp_fraction <= 1, "prune: the gradual ramp must be a fraction in (0, 1], got ",
                o.ramp_fraction);
    GradualSchedule g;
    g.final_sparsity = o.sparsity;
    g.begin_step = 0;
    g.end_step = std::max<int64_t>(1, int64_t(std::llround(o.ramp_fraction * double(steps))) - 1);
    g.frequency = o.prune_every > 0 ? o.prune_every : std::max<int64_t>(1, g.end_step / 20);
    auto cb = std::make_shared<GradualPruning>(prune, g);
    train_stage(model, tc, o.finetune_epochs, *train, {cb});
    st.target = o.sparsity;
    st.pruned = cb->last();
    st.pruning_events = int64_t(cb->events().size());
  } else {
    auto cb = std::make_shared<ThresholdPruning>(pool, o.threshold);
    train_stage(model, tc, o.finetune_epochs, *train, {cb});
    st.pruned = cb->result(model);
    st.pruning_events = cb->checks();
  }
  st.after_training = evaluate_if(model, test, tc);
  stages.push_back(std::move(st));
  return stages;
}

}  // namespace prunq
