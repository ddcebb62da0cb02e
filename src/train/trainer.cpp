#include "train/trainer.h"

#include <chrono>
#include <cmath>
#include <string>

#include "runtime/executor.h"
#include "train/grad_clip.h"
#include "train/heap_reuse.h"
#include "train/metrics.h"

namespace prunq {
namespace {

double now_seconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

ProgressOptions progress_for(bool enabled, const ProgressOptions& o) {
  ProgressOptions p = o;
  if (!enabled) p.mode = ProgressOptions::Mode::kOff;
  return p;
}

void check_dataset_fits(const Graph& model, const Dataset& data, const std::string& what) {
  data.validate(what);
  const TensorType& in = model.value(model.inputs()[0]).type;
  const Shape sample = data.sample_shape();
  bool ok = in.shape.size() == sample.size() + 1;
  for (size_t d = 0; ok && d < sample.size(); ++d) ok = in.shape[d + 1] < 0 || in.shape[d + 1] == sample[d];
  PRUNQ_CHECK(ok, what, ": samples of shape ", shape_str(sample), " do not fit model input '",
              model.value(model.inputs()[0]).name, "' ", in.str());
}

}  // namespace

EvalResult evaluate_model(const Graph& model, const Dataset& data, int64_t batch_size, bool progress,
                          const ProgressOptions& progress_options) {
  PRUNQ_CHECK(model.inputs().size() == 1 && model.outputs().size() == 1, "evaluate: model '", model.name,
              "' must have one input and one output (logits)");
  check_dataset_fits(model, data, "evaluation data");
  Executor exec(model);
  BatchIterator it(data, batch_size, false, 0, 0);
  ProgressBar bar("eval", it.num_batches(), "img", progress_for(progress, progress_options));
  BatchMetrics total;
  Batch b;
  int64_t done = 0;
  while (it.next(b)) {
    std::vector<Tensor> out = exec.run({b.images}, false);
    total.add(classification_metrics(out[0], b.labels));
    bar.update(++done, total.samples,
               {{"loss", total.loss_sum / double(total.samples)}, {"acc", double(total.correct) / double(total.samples), true}});
  }
  EvalResult r;
  r.samples = total.samples;
  if (total.samples > 0) {
    r.accuracy = double(total.correct) / double(total.samples);
    r.loss = total.loss_sum / double(total.samples);
  }
  bar.finish({{"loss", r.loss}, {"acc", r.accuracy, true}});
  return r;
}

Trainer::Trainer(Graph& model, TrainConfig config)
    : model_(model), config_(std::move(config)), train_(make_training_graph(model)) {
  PRUNQ_CHECK(config_.epochs >= 0, "train: epochs must be >= 0, got ", config_.epochs);
  PRUNQ_CHECK(config_.batch_size >= 1, "train: batch size must be >= 1, got ", config_.batch_size);
  PRUNQ_CHECK(config_.eval_batch_size >= 1, "train: eval batch size must be >= 1, got ", config_.eval_batch_size);
  PRUNQ_CHECK(config_.clip_grad_norm >= 0, "train: clip_grad_norm must be >= 0, got ", config_.clip_grad_norm);
  // The optimiser works on the model graph itself: masks a pruner sets there are honoured.
  optimizer_ = make_optimizer(model_, config_.optimizer);
}

Trainer::~Trainer() = default;

LrSchedule Trainer::make_schedule(int64_t steps_per_epoch) const {
  LrSchedule s;
  s.kind = config_.schedule;
  s.base_lr = config_.optimizer.lr;
  s.warmup_steps = config_.warmup_steps;
  s.step_size = std::max<int64_t>(1, config_.step_size_epochs * steps_per_epoch);
  s.gamma = config_.step_gamma;
  s.total_steps = std::max<int64_t>(config_.epochs * steps_per_epoch, config_.warmup_steps + 1);
  s.min_lr = config_.min_lr;
  s.validate();
  return s;
}

void Trainer::sync_parameters() {
  for (const auto& [id, init] : model_.initializers()) {
    Initializer* t = train_.graph.initializer(id);
    PRUNQ_CHECK(t, "train: model initializer '", model_.value(id).name,
                "' is missing from the training graph (the model's structure changed; build a new Trainer)");
    t->data = init.data;
  }
}

EvalResult Trainer::evaluate(const Dataset& data) const {
  return evaluate_model(model_, data, config_.eval_batch_size, config_.progress, config_.progress_options);
}

std::vector<EpochStats> Trainer::fit(const Dataset& train, const Dataset* validation) {
  check_dataset_fits(model_, train, "training data");
  if (validation) check_dataset_fits(model_, *validation, "validation data");
  PRUNQ_CHECK(train.size() > 0, "train: the training set is empty");
  if (config_.reuse_freed_memory) keep_freed_memory_for_reuse();
  for (auto& cb : callbacks_) cb->on_train_begin(*this);

  const int64_t steps_per_epoch = BatchIterator(train, config_.batch_size, false, 0, 0).num_batches();
  const LrSchedule schedule = make_schedule(steps_per_epoch);
  Executor exec(train_.graph, config_.seed);
  std::vector<EpochStats> history;
  stop_ = false;
  const int64_t first_step = step_;

  for (int64_t epoch = 0; epoch < config_.epochs && !stop_; ++epoch) {
    for (auto& cb : callbacks_) cb->on_epoch_begin(*this, epoch);
    const double t0 = now_seconds();
    BatchIterator it(train, config_.batch_size, config_.shuffle, config_.seed, epoch);
    ProgressBar bar("epoch " + std::to_string(epoch + 1) + "/" + std::to_string(config_.epochs), steps_per_epoch,
                    "img", progress_for(config_.progress, config_.progress_options));
    BatchMetrics seen;
    EpochStats stats;
    stats.epoch = epoch;
    Batch b;
    for (int64_t bi = 0; it.next(b); ++bi) {
      sync_parameters();
      std::vector<Tensor> out = exec.run({b.images, b.labels}, true);
      std::map<ValueId, Tensor> grads = exec.backward(train_.loss);
      mask_gradients(model_, grads);
      for (auto& cb : callbacks_) cb->on_gradients(*this, grads);

      StepInfo info;
      info.epoch = epoch;
      info.step = step_;
      info.batch_index = bi;
      info.batch_size = b.images.dim(0);
      info.loss = out[0].f32()[0];
      PRUNQ_CHECK(std::isfinite(info.loss), "train: loss became ", info.loss, " at epoch ", epoch + 1, " step ", bi + 1,
                  " (diverged: lower the learning rate or enable clip_grad_norm)");
      if (config_.clip_grad_norm > 0) info.grad_norm = clip_grad_norm(grads, config_.clip_grad_norm);
      info.lr = schedule.lr_at(step_ - first_step);
      optimizer_->step(grads, info.lr);

      BatchMetrics m = classification_metrics(out[1], b.labels);
      info.correct = m.correct;
      // The loss node's value is the batch mean; weight it by batch size for the epoch mean.
      seen.loss_sum += info.loss * double(info.batch_size);
      seen.correct += m.correct;
      seen.samples += info.batch_size;
      ++step_;
      stats.last_lr = info.lr;
      for (auto& cb : callbacks_) cb->on_step_end(*this, info);
      bar.update(bi + 1, seen.samples,
                 {{"loss", seen.loss_sum / double(seen.samples)}, {"acc", double(seen.correct) / double(seen.samples), true}});
    }
    stats.seconds = now_seconds() - t0;
    stats.train_loss = seen.loss_sum / double(std::max<int64_t>(seen.samples, 1));
    stats.train_accuracy = double(seen.correct) / double(std::max<int64_t>(seen.samples, 1));
    bar.finish({{"loss", stats.train_loss}, {"acc", stats.train_accuracy, true}});
    if (validation) {
      stats.has_validation = true;
      stats.validation = evaluate(*validation);
    }
    history.push_back(stats);
    for (auto& cb : callbacks_) cb->on_epoch_end(*this, stats);
  }
  for (auto& cb : callbacks_) cb->on_train_end(*this);
  return history;
}

}  // namespace prunq
