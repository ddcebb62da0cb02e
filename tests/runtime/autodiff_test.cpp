// Autodiff through the executor: fan-out and residual accumulation, which values get gradients,
// whole-graph gradients vs finite differences, a tiny MLP whose loss falls, and named errors.
#include <gtest/gtest.h>

#include <cmath>

#include "runtime/autodiff.h"
#include "runtime/executor.h"
#include "runtime/graph_helpers.h"
#include "support/error_of.h"

namespace prunq {
namespace {
using testing::error_of;
using testing::random_f32;
using testing::sum_all;

TEST(Autodiff, SameValueTwiceInOneNodeAccumulates) {
  GraphBuilder b("square", 0);
  ValueId p = b.param("p", Tensor::from_vector({4}, {1, -2, 0.5f, 3}));
  ValueId loss = sum_all(b, b.op1("Mul", {p, p}), 4);  // sum(p^2)
  b.output(loss);
  Graph g = b.finish();
  Executor ex(g);
  ex.run({}, true);
  std::map<ValueId, Tensor> grads = ex.backward(loss);
  ASSERT_EQ(grads.count(p), 1u);
  EXPECT_EQ(max_abs_diff(grads[p], Tensor::from_vector({4}, {2, -4, 1, 6})), 0.f);
}

TEST(Autodiff, FanOutAcrossNodesSumsTheBranches) {
  GraphBuilder b("fan", 0);
  ValueId p = b.param("p", Tensor::from_vector({4}, {1, -2, 0.5f, -3}));
  ValueId c = b.constant("c", Tensor::from_vector({4}, {10, 20, 30, 40}));
  ValueId branch1 = b.relu(p);
  ValueId branch2 = b.op1("Mul", {p, c});
  ValueId loss = sum_all(b, b.add(branch1, branch2), 4);
  b.output(loss);
  Graph g = b.finish();
  Executor ex(g);
  ex.run({}, true);
  std::map<ValueId, Tensor> grads = ex.backward(loss);
  // d/dp [relu(p) + p*c] = (p > 0) + c
  EXPECT_EQ(max_abs_diff(grads.at(p), Tensor::from_vector({4}, {11, 20, 31, 40})), 0.f);
  EXPECT_EQ(grads.count(c), 0u);  // frozen constants get no gradient
  EXPECT_EQ(ex.grad(c), nullptr);
}

// y = x + Relu(x @ W^T): a residual block, with the gradient of the input requested too.
TEST(Autodiff, ResidualBlockGradientsOfWeightAndInput) {
  GraphBuilder b("res", 0);
  ValueId x = b.input("x", DType::f32, {1, 3});
  ValueId h = b.linear(x, 3, 3, false, "fc");
  ValueId y = b.add(x, b.relu(h), "residual");
  ValueId loss = sum_all(b, y, 3);
  b.output(loss);
  Graph g = b.finish();
  Tensor& w = g.initializer("fc.weight").data;
  const std::vector<float> wv{1, 0, 0, 0, -1, 0, 0.5f, 0.5f, 0.5f};
  std::copy(wv.begin(), wv.end(), w.f32());
  Executor ex(g);
  Tensor xv = Tensor::from_vector({1, 3}, {2, 3, -1});
  ex.run({xv}, true);
  std::map<ValueId, Tensor> grads = ex.backward(loss, {x});
  // h = [2, -3, 2]: rows 0 and 2 active. dL/dW[i, j] = active_i * x_j; dL/dx = 1 + sum_i active_i W[i, :].
  ValueId wid = g.find_value("fc.weight");
  EXPECT_EQ(max_abs_diff(grads.at(wid), Tensor::from_vector({3, 3}, {2, 3, -1, 0, 0, 0, 2, 3, -1})), 0.f);
  ASSERT_NE(ex.grad(x), nullptr);
  EXPECT_EQ(max_abs_diff(*ex.grad(x), Tensor::from_vector({1, 3}, {2.5f, 1.5f, 1.5f})), 0.f);
  EXPECT_EQ(ex.grad(h), nullptr);  // intermediate gradients are released once propagated
  ASSERT_NE(ex.grad(loss), nullptr);
  EXPECT_EQ(ex.grad(loss)->f32()[0], 1.f);
}

// conv -> BN (training) -> tanh -> flatten -> linear -> softmax cross-entropy.
Graph small_classifier(ValueId* loss_out) {
  GraphBuilder b("clf", 11);
  ValueId x = b.input("x", DType::f32, {-1, 2, 4, 4});
  ValueId labels = b.input("labels", DType::i64, {-1});
  ValueId h = b.conv2d(x, 2, 3, 3, 1, 1, 1, true, "conv");
  h = b.batchnorm(h, 3, "bn");
  h = b.op1("Tanh", {h});
  h = b.linear(b.flatten(h), 48, 3, true, "fc");
  ValueId loss = b.op1("SoftmaxCrossEntropyLoss", {h, labels}, {}, "loss");
  b.output(loss);
  *loss_out = loss;
  return b.finish();
}

TEST(Autodiff, WholeGraphGradientsMatchFiniteDifferences) {
  ValueId loss;
  Graph g = small_classifier(&loss);
  // BN's affine parameters start at 1 and 0; move them so their gradients are generic.
  g.initializer("bn.weight").data = random_f32({3}, 5, 0.5f, 1.5f);
  g.initializer("bn.bias").data = random_f32({3}, 6);
  Executor ex(g);
  std::vector<Tensor> inputs{random_f32({3, 2, 4, 4}, 1), Tensor::from_vector_i64({3}, {0, 2, 1})};
  ex.run(inputs, true);
  std::map<ValueId, Tensor> grads = ex.backward(loss);
  ASSERT_EQ(grads.size(), 6u);  // conv w/b, bn scale/bias, fc w/b (running stats are frozen)

  auto loss_at = [&]() { return double(ex.run(inputs, true)[0].f32()[0]); };
  const float eps = 1e-2f;
  int checked = 0;
  for (auto& [v, grad] : grads) {
    Tensor& p = g.initializer(v)->data;
    for (int64_t i = 0; i < p.numel(); ++i) {
      float keep = p.f32()[i];
      p.f32()[i] = keep + eps;
      double plus = loss_at();
      p.f32()[i] = keep - eps;
      double minus = loss_at();
      p.f32()[i] = keep;
      double numeric = (plus - minus) / (2 * eps);
      EXPECT_NEAR(grad.f32()[i], numeric, 2e-3 + 2e-2 * std::fabs(numeric)) << g.value(v).name << "[" << i << "]";
      ++checked;
    }
  }
  EXPECT_EQ(checked, 54 + 3 + 3 + 3 + 144 + 3);
}

TEST(Autodiff, TinyMlpTrainsAndItsLossFalls) {
  GraphBuilder b("mlp", 3);
  ValueId x = b.input("x", DType::f32, {-1, 4});
  ValueId labels = b.input("labels", DType::i64, {-1});
  ValueId h = b.relu(b.linear(x, 4, 16, true, "fc1"));
  ValueId logits = b.linear(h, 16, 3, true, "fc2");
  ValueId loss = b.op1("SoftmaxCrossEntropyLoss", {logits, labels});
  b.output(loss);
  Graph g = b.finish();

  // Three separable clusters around fixed centres.
  const int n = 48;
  Tensor xs = random_f32({n, 4}, 9, -0.3f, 0.3f);
  std::vector<int64_t> ys(n);
  for (int i = 0; i < n; ++i) {
    ys[static_cast<size_t>(i)] = i % 3;
    xs.f32()[i * 4 + i % 3] += 1.5f;
  }
  std::vector<Tensor> inputs{xs, Tensor::from_vector_i64({n}, ys)};
  Executor ex(g);
  float first = 0, last = 0;
  for (int step = 0; step < 40; ++step) {
    last = ex.run(inputs, true)[0].f32()[0];
    if (step == 0) first = last;
    for (auto& [v, grad] : ex.backward(loss)) {  // plain SGD, in place: the executor sees it
      float* p = g.initializer(v)->data.f32();
      for (int64_t i = 0; i < grad.numel(); ++i) p[i] -= 0.5f * grad.f32()[i];
    }
  }
  EXPECT_GT(first, 0.9f);  // ~ln(3) at the start
  EXPECT_LT(last, 0.25f * first) << "loss went from " << first << " to " << last;
}

TEST(Autodiff, DropoutBackwardUsesTheForwardMask) {
  GraphBuilder b("drop", 0);
  ValueId p = b.param("p", Tensor::full({32}, 1.f));
  ValueId ratio = b.constant("ratio", Tensor::scalar(0.25f));
  ValueId d = b.op1("Dropout", {p, ratio});
  ValueId loss = sum_all(b, d, 32);
  b.output(loss);
  Graph g = b.finish();
  Executor ex(g, 3);
  ex.run({}, true);
  Tensor y = ex.value(d);
  Tensor grad = ex.backward(loss).at(p);
  EXPECT_EQ(max_abs_diff(grad, y), 0.f);  // p = 1: y equals the mask times 1/(1-ratio)
}

TEST(Autodiff, ErrorsAreNamed) {
  GraphBuilder b("e", 0);
  ValueId x = b.input("x", DType::f32, {2});
  ValueId p = b.param("p", Tensor::full({2}, 1.f));
  ValueId y = b.op1("Mul", {x, p});
  ValueId loss = sum_all(b, y, 2);
  b.output(loss);
  b.output(y);
  Graph g = b.finish();
  Executor ex(g);
  ex.run({Tensor::full({2}, 1.f)}, false);
  EXPECT_THROW(ex.backward(loss), Error);  // inference mode kept no activations
  ex.run({Tensor::full({2}, 1.f)}, true);
  try {
    ex.backward(y);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("single f32 element"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ex.backward(12345), Error);
  EXPECT_NO_THROW(ex.backward(loss));
}

// Quantized values hold integers: asking for their gradient, or training a quantized weight,
// is an error that names the value.
TEST(Autodiff, QuantizedValuesHaveNoGradientAndSaySo) {
  GraphBuilder b("q", 0);
  ValueId x = b.input("x", DType::i8, {2});
  b.graph().value(x).type.quant = per_tensor_quant(0.5f, 1);
  Attributes to_f32;
  to_f32.set("to", int64_t{1});
  ValueId xf = b.op1("Cast", {x}, to_f32);
  ValueId p = b.param("p", Tensor::full({2}, 1.f));
  ValueId loss = sum_all(b, b.op1("Mul", {xf, p}), 2);
  b.output(loss);
  Graph g = b.finish();
  Executor ex(g);
  Tensor in = Tensor::zeros(DType::i8, {2});
  ex.run({in}, true);
  EXPECT_TRUE(same_quant(ex.value(x).quant(), per_tensor_quant(0.5f, 1)));  // the declared parameters
  std::string m = error_of([&] { ex.backward(loss, {x}); });
  EXPECT_NE(m.find("gradient requested for 'x', which is quantized (i8[2], scale=0.5 zp=1)"), std::string::npos) << m;
  EXPECT_NO_THROW(ex.backward(loss));

  Graph h = g.clone();
  ValueId w = h.add_initializer("wq", Tensor::zeros(DType::i8, {2}).with_quant(per_tensor_quant(0.1f)), true);
  Attributes a;
  a.set("to", int64_t{1});
  ValueId wf = h.add_value("wf", TensorType{DType::f32, {2}, true});
  h.add_node(Node{"Cast", "cast_w", "", {w}, {wf}, a});
  h.add_output(wf);
  Executor eh(h);
  eh.run({in}, true);
  m = error_of([&] { eh.backward(loss); });
  EXPECT_NE(m.find("initializer 'wq' is marked trainable but is quantized"), std::string::npos) << m;
}

// An op without a backward rule, used directly through backpropagate() (every registered op
// has a rule, so the registry cannot provide one). `frozen_input` marks input 0 non-differentiable.
class RulelessOp final : public Op {
 public:
  explicit RulelessOp(bool frozen_input) : frozen_(frozen_input) {}
  std::string_view name() const override { return "Ruleless"; }
  void infer(InferContext& ctx) const override { ctx.outputs[0] = ctx.inputs[0]; }
  void forward(ForwardContext& ctx) const override { ctx.outputs[0] = ctx.in(0).clone(); }
  bool input_differentiable(size_t i) const override { return !frozen_; }

 private:
  bool frozen_;
};

std::string backprop_error(const Op& op) {
  Graph g;
  ValueId p = g.add_initializer("p", Tensor::full({1}, 2.f), true);
  ValueId y = g.add_value("y", TensorType{DType::f32, {1}, true});
  g.nodes().push_back(Node{"Ruleless", "stuck_node", "", {p}, {y}, {}});
  g.add_output(y);
  ExecutionState st;
  st.ops = {&op};
  st.node_states.resize(1);
  st.values = {g.initializer(p)->data, Tensor::full({1}, 2.f)};
  st.training_values_ready = true;
  try {
    std::map<ValueId, Tensor> grads = backpropagate(g, {0}, st, y, {});
    EXPECT_TRUE(grads.empty());
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Autodiff, MissingBackwardRuleIsANamedError) {
  std::string m = backprop_error(RulelessOp(false));
  EXPECT_NE(m.find("op 'Ruleless' (node 'stuck_node') has no backward rule"), std::string::npos) << m;
  EXPECT_NE(m.find("to 'p'"), std::string::npos) << m;
  // A non-differentiable input is skipped: no rule needed, no gradient, no error.
  EXPECT_EQ(backprop_error(RulelessOp(true)), "");
}

}  // namespace
}  // namespace prunq
