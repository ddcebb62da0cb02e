// Each optimiser against updates computed by hand on a two-element parameter w = [1, -2].
#include <gtest/gtest.h>

#include "train/optimizer.h"

namespace prunq {
namespace {

struct TinyProblem {
  Graph g;
  ValueId w;
  TinyProblem() { w = g.add_initializer("w", Tensor::from_vector({2}, {1.f, -2.f}), true); }
  float at(int i) { return g.initializer("w").data.f32()[i]; }
  std::map<ValueId, Tensor> grads(float a, float b) { return {{w, Tensor::from_vector({2}, {a, b})}}; }
};

OptimizerConfig config(const std::string& kind, float lr) {
  OptimizerConfig c;
  c.kind = kind;
  c.lr = lr;
  return c;
}

TEST(TrainOptimizer, PlainSgdIsLrTimesGradient) {
  TinyProblem p;
  auto opt = make_optimizer(p.g, config("sgd", 0.1f));
  opt->step(p.grads(0.5f, 0.25f), 0.1f);
  EXPECT_FLOAT_EQ(p.at(0), 0.95f);
  EXPECT_FLOAT_EQ(p.at(1), -2.025f);
  EXPECT_EQ(opt->steps_taken(), 1);
}

TEST(TrainOptimizer, SgdMomentumWithWeightDecayMatchesHandComputedSteps) {
  TinyProblem p;
  OptimizerConfig c = config("sgd", 0.1f);
  c.momentum = 0.9f;
  c.weight_decay = 0.01f;
  auto opt = make_optimizer(p.g, c);
  // step 1: d = g + 0.01 w = [0.51, 0.23]; buf = d; w -= 0.1 buf -> [0.949, -2.023]
  opt->step(p.grads(0.5f, 0.25f), 0.1f);
  EXPECT_NEAR(p.at(0), 0.949, 1e-6);
  EXPECT_NEAR(p.at(1), -2.023, 1e-6);
  // step 2: d = [0.50949, 0.22977]; buf = 0.9 [0.51, 0.23] + d = [0.96849, 0.43677]
  opt->step(p.grads(0.5f, 0.25f), 0.1f);
  EXPECT_NEAR(p.at(0), 0.852151, 1e-6);
  EXPECT_NEAR(p.at(1), -2.066677, 1e-6);
}

TEST(TrainOptimizer, SgdNesterovLooksAhead) {
  TinyProblem p;
  OptimizerConfig c = config("sgd", 0.1f);
  c.momentum = 0.9f;
  c.nesterov = true;
  c.weight_decay = 0.01f;
  auto opt = make_optimizer(p.g, c);
  // step 1: d = [0.51, 0.23], buf = d, update = d + 0.9 buf = 1.9 d
  opt->step(p.grads(0.5f, 0.25f), 0.1f);
  EXPECT_NEAR(p.at(0), 1 - 0.0969, 1e-6);
  EXPECT_NEAR(p.at(1), -2 - 0.0437, 1e-6);
  c.dampening = 0.5f;
  EXPECT_THROW(make_optimizer(p.g, c), Error);
}

TEST(TrainOptimizer, AdamMatchesHandComputedBiasCorrectedSteps) {
  TinyProblem p;
  auto opt = make_optimizer(p.g, config("adam", 0.1f));
  // step 1: m_hat = g, v_hat = g^2, so each weight moves by lr against the gradient's sign.
  opt->step(p.grads(0.5f, 0.25f), 0.1f);
  EXPECT_NEAR(p.at(0), 0.9, 1e-6);
  EXPECT_NEAR(p.at(1), -2.1, 1e-6);
  // step 2, g = [-0.5, 0.25]:
  //   w0: m = 0.045 - 0.05 = -0.005, v = 0.00049975; m_hat = -0.0263158, v_hat = 0.25 -> +0.00526316
  //   w1: m = 0.0475, v = 0.0001249375; m_hat = 0.25, v_hat = 0.0625 -> -0.1 (a steady gradient: full lr)
  opt->step(p.grads(-0.5f, 0.25f), 0.1f);
  EXPECT_NEAR(p.at(0), 0.90526316, 1e-5);
  EXPECT_NEAR(p.at(1), -2.2, 1e-5);
}

TEST(TrainOptimizer, AdamL2DecayAddsToTheGradientAdamWDecaysTheWeights) {
  TinyProblem adam;
  OptimizerConfig c = config("adam", 0.1f);
  c.weight_decay = 1.f;
  // g' = g + w = [1.5, -1.75]: the second weight now moves up, against its raw gradient.
  make_optimizer(adam.g, c)->step(adam.grads(0.5f, 0.25f), 0.1f);
  EXPECT_NEAR(adam.at(0), 0.9, 1e-6);
  EXPECT_NEAR(adam.at(1), -1.9, 1e-6);

  TinyProblem adamw;
  c.kind = "adamw";
  c.weight_decay = 0.1f;
  auto opt = make_optimizer(adamw.g, c);
  EXPECT_EQ(opt->name(), "AdamW");
  // w *= 1 - lr * wd = 0.99, then the plain Adam step of lr against the sign.
  opt->step(adamw.grads(0.5f, 0.25f), 0.1f);
  EXPECT_NEAR(adamw.at(0), 0.89, 1e-6);
  EXPECT_NEAR(adamw.at(1), -2.08, 1e-6);
}

TEST(TrainOptimizer, MasksAreReappliedAfterEveryStep) {
  for (const char* kind : {"sgd", "adam", "adamw"}) {
    TinyProblem p;
    p.g.initializer("w").mask = Tensor::from_vector({2}, {1.f, 0.f});
    OptimizerConfig c = config(kind, 0.1f);
    c.momentum = std::string(kind) == "sgd" ? 0.9f : 0.f;
    c.weight_decay = 0.01f;
    auto opt = make_optimizer(p.g, c);
    for (int i = 0; i < 3; ++i) {
      opt->step(p.grads(0.5f, 0.25f), 0.1f);
      EXPECT_EQ(p.at(1), 0.f) << kind << " step " << i;
      EXPECT_LT(p.at(0), 1.f) << kind;
    }
  }
}

// Masks hold through many steps for every optimiser: the pruned weight, its momentum / Adam
// moments stay exactly zero, and so they do when the mask is only set after the state has
// built up (a schedule pruning during training). Unmasking the weight afterwards and stepping
// with a zero gradient leaves it at zero: nothing was stored that could push it.
TEST(TrainOptimizer, PrunedWeightsKeepZeroStateOverManySteps) {
  for (const char* kind : {"sgd", "adam", "adamw"}) {
    TinyProblem p;
    OptimizerConfig c = config(kind, 0.05f);
    c.momentum = std::string(kind) == "sgd" ? 0.9f : 0.f;
    c.weight_decay = 0.01f;
    auto opt = make_optimizer(p.g, c);
    for (int i = 0; i < 20; ++i) opt->step(p.grads(0.5f, -0.25f), 0.05f);
    ASSERT_NE(opt->state_of(p.w, 0), nullptr) << kind;
    EXPECT_NE(opt->state_of(p.w, 0)->f32()[1], 0.f) << kind << ": the state built up before pruning";
    p.g.initializer("w").mask = Tensor::from_vector({2}, {1.f, 0.f});
    for (int i = 0; i < 200; ++i) {
      // Changing gradients, including large ones on the pruned weight.
      opt->step(p.grads(0.5f * float(i % 3) - 0.4f, 10.f * float(i % 2 ? 1 : -1)), 0.05f);
      ASSERT_EQ(p.at(1), 0.f) << kind << " step " << i;
      for (int slot = 0; slot < 2; ++slot) {
        if (const Tensor* s = opt->state_of(p.w, slot)) {
          ASSERT_EQ(s->f32()[1], 0.f) << kind << " slot " << slot;
        }
      }
    }
    EXPECT_NE(p.at(0), 1.f) << kind << ": the kept weight still trains";
    p.g.initializer("w").mask = Tensor();
    opt->step(p.grads(0.f, 0.f), 0.05f);
    EXPECT_EQ(p.at(1), 0.f) << kind << ": no momentum was left for the pruned weight";
  }
}

TEST(TrainOptimizer, MaskGradientsZeroesPrunedEntriesOnly) {
  TinyProblem p;
  p.g.initializer("w").mask = Tensor::from_vector({2}, {0.f, 1.f});
  std::map<ValueId, Tensor> g = p.grads(3.f, 4.f);
  mask_gradients(p.g, g);
  EXPECT_EQ(g[p.w].f32()[0], 0.f);
  EXPECT_EQ(g[p.w].f32()[1], 4.f);
}

TEST(TrainOptimizer, ParametersWithoutGradientsStayPutAndBadInputIsAnError) {
  TinyProblem p;
  ValueId frozen = p.g.add_initializer("frozen", Tensor::from_vector({1}, {3.f}), false);
  ValueId other = p.g.add_initializer("other", Tensor::from_vector({1}, {7.f}), true);
  auto opt = make_optimizer(p.g, config("adam", 0.1f));
  opt->step(p.grads(1.f, 1.f), 0.1f);
  EXPECT_EQ(p.g.initializer(other)->data.f32()[0], 7.f);
  EXPECT_THROW(opt->step({{frozen, Tensor::from_vector({1}, {1.f})}}, 0.1f), Error);
  EXPECT_THROW(opt->step({{p.w, Tensor::from_vector({3}, {1.f, 1.f, 1.f})}}, 0.1f), Error);
  EXPECT_THROW(make_optimizer(p.g, config("rmsprop", 0.1f)), Error);
  EXPECT_THROW(make_optimizer(p.g, config("sgd", 0.f)), Error);
  p.g.initializer("w").mask = Tensor::from_vector({1}, {1.f});
  EXPECT_THROW(apply_masks(p.g), Error);
}

}  // namespace
}  // namespace prunq
