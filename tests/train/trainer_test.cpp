#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>

#include "io/data/idx_dataset.h"
#include "models/zoo.h"
#include "train/trainer.h"

namespace prunq {
namespace {

// A learnable synthetic 10-class problem: each class is a fixed random 28x28 prototype, each
// sample its prototype plus strong noise (so a linear-ish model needs several steps to separate them).
Dataset prototype_dataset(int64_t n, uint64_t seed) {
  std::mt19937_64 proto_rng(1234);
  std::normal_distribution<float> unit(0.f, 1.f);
  std::vector<float> protos(10 * 784);
  for (float& p : protos) p = unit(proto_rng);
  std::mt19937_64 rng(seed);
  Dataset d;
  d.images = Tensor(DType::f32, {n, 1, 28, 28});
  d.labels = Tensor(DType::i64, {n});
  for (int64_t i = 0; i < n; ++i) {
    const int64_t y = int64_t(rng() % 10);
    d.labels.data<int64_t>()[i] = y;
    for (int k = 0; k < 784; ++k) d.images.f32()[i * 784 + k] = 0.3f * protos[size_t(y * 784 + k)] + unit(rng);
  }
  return d;
}

TrainConfig quiet_config(int64_t epochs, int64_t batch) {
  TrainConfig c;
  c.epochs = epochs;
  c.batch_size = batch;
  c.progress = false;
  return c;
}

TEST(TrainTrainer, ShortRunClearlyImprovesAccuracyOnSyntheticData) {
  Dataset train = prototype_dataset(1500, 1), test = prototype_dataset(500, 2);
  Graph model = build_model("mlp");
  Trainer trainer(model, quiet_config(2, 64));
  const EvalResult before = trainer.evaluate(test);
  std::vector<EpochStats> h = trainer.fit(train, &test);
  ASSERT_EQ(h.size(), 2u);
  EXPECT_LT(h[1].train_loss, h[0].train_loss);
  EXPECT_TRUE(h[1].has_validation);
  EXPECT_EQ(h[1].validation.samples, 500);
  EXPECT_LT(before.accuracy, 0.25);
  EXPECT_GT(h[1].validation.accuracy, 0.8) << "before training: " << before.accuracy;
  EXPECT_LT(h[1].validation.loss, before.loss);
  EXPECT_EQ(trainer.global_step(), 2 * 24);  // ceil(1500 / 64) steps per epoch
  EXPECT_NEAR(h[1].last_lr, 0.f, 1e-5);      // the default cosine schedule ends at 0
}

TEST(TrainTrainer, FashionMnistSubsetImprovesWithinSeconds) {
  if (!std::filesystem::exists(fashion_mnist_dir() + "/train-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  Dataset all = load_idx_dataset("fashion-mnist", "train");
  Dataset train = all.slice(0, 2000), test = all.slice(50000, 51000);
  const Normalization n = compute_normalization(train);
  normalize(train, n);
  normalize(test, n);
  Graph model = build_model("mlp");
  Trainer trainer(model, quiet_config(2, 64));
  const double before = trainer.evaluate(test).accuracy;
  trainer.fit(train);
  const double after = trainer.evaluate(test).accuracy;
  EXPECT_LT(before, 0.3);
  EXPECT_GT(after, 0.7) << "before: " << before;
}

TEST(TrainTrainer, SameSeedGivesIdenticalWeights) {
  Dataset train = prototype_dataset(300, 5);
  auto run = [&](uint64_t seed) {
    Graph model = build_model("mlp");
    TrainConfig c = quiet_config(1, 32);
    c.seed = seed;
    Trainer(model, c).fit(train);
    return model.initializer("fc1.weight").data.clone();
  };
  Tensor a = run(7), b = run(7), c = run(8);
  EXPECT_EQ(max_abs_diff(a, b), 0.f);
  EXPECT_GT(max_abs_diff(a, c), 0.f);  // another shuffle order
}

// Records the hook sequence, zeroes every gradient, and stops after the first epoch.
struct RecordingCallback : TrainCallback {
  std::vector<std::string> events;
  int64_t steps = 0;
  void on_train_begin(Trainer&) override { events.push_back("begin"); }
  void on_epoch_begin(Trainer&, int64_t e) override { events.push_back("epoch" + std::to_string(e)); }
  void on_gradients(Trainer&, std::map<ValueId, Tensor>& grads) override {
    for (auto& [id, g] : grads) g.zero();
  }
  void on_step_end(Trainer&, const StepInfo& s) override {
    EXPECT_EQ(s.step, steps++);
    EXPECT_GT(s.lr, 0.f);
  }
  void on_epoch_end(Trainer& t, const EpochStats&) override {
    events.push_back("end_epoch");
    t.request_stop();
  }
  void on_train_end(Trainer&) override { events.push_back("end"); }
};

TEST(TrainTrainer, CallbacksSeeEveryStepAndCanEditGradientsAndStop) {
  Dataset train = prototype_dataset(100, 3);
  Graph model = build_model("mlp");
  Tensor before = model.initializer("fc1.weight").data.clone();
  TrainConfig c = quiet_config(5, 32);
  c.optimizer.kind = "sgd";
  c.optimizer.lr = 0.1f;
  c.schedule = LrScheduleKind::kConstant;
  Trainer trainer(model, c);
  auto cb = std::make_shared<RecordingCallback>();
  trainer.add_callback(cb);
  EXPECT_EQ(trainer.fit(train).size(), 1u);
  EXPECT_EQ(cb->events, (std::vector<std::string>{"begin", "epoch0", "end_epoch", "end"}));
  EXPECT_EQ(cb->steps, 4);
  // Zero gradients with plain SGD and no decay: nothing moved.
  EXPECT_EQ(max_abs_diff(before, model.initializer("fc1.weight").data), 0.f);
}

TEST(TrainTrainer, PrunedWeightsStayZeroWhileFineTuning) {
  Dataset train = prototype_dataset(200, 4);
  Graph model = build_model("mlp");
  Initializer& w = model.initializer("fc1.weight");
  w.mask = Tensor(DType::f32, w.data.shape());
  for (int64_t i = 0; i < w.mask.numel(); ++i) w.mask.f32()[i] = float(i % 2);
  for (int64_t i = 0; i < w.data.numel(); ++i) w.data.f32()[i] *= w.mask.f32()[i];
  Tensor before = w.data.clone();
  TrainConfig c = quiet_config(1, 50);
  c.optimizer.kind = "adamw";
  c.optimizer.weight_decay = 0.01f;
  c.clip_grad_norm = 1.0;
  Trainer(model, c).fit(train);
  int64_t moved = 0;
  for (int64_t i = 0; i < w.data.numel(); ++i) {
    if (i % 2 == 0) ASSERT_EQ(w.data.f32()[i], 0.f) << "pruned weight " << i << " came back";
    else moved += w.data.f32()[i] != before.f32()[i];
  }
  EXPECT_GT(moved, w.data.numel() / 4);
}

TEST(TrainTrainer, BadDataAndConfigAreClearErrors) {
  Graph model = build_model("mlp");
  TrainConfig c = quiet_config(1, 0);
  EXPECT_THROW(Trainer(model, c), Error);
  Trainer trainer(model, quiet_config(1, 8));
  Dataset wrong;
  wrong.images = Tensor::zeros(DType::f32, {4, 3, 28, 28});
  wrong.labels = Tensor::zeros(DType::i64, {4});
  try {
    trainer.fit(wrong);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("do not fit model input"), std::string::npos) << e.what();
  }
  Dataset empty;
  EXPECT_THROW(trainer.fit(empty), Error);
  TrainConfig diverge = quiet_config(1, 8);
  diverge.optimizer.kind = "sgd";
  diverge.optimizer.lr = 1e9f;
  diverge.schedule = LrScheduleKind::kConstant;
  Trainer boom(model, diverge);
  EXPECT_THROW(boom.fit(prototype_dataset(64, 9)), Error);
}

}  // namespace
}  // namespace prunq
