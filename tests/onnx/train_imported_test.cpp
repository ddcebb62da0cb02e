// Autodiff on an imported graph: PyTorch's small CNN (with BatchNormalization, GELU fused at
// import, the folded view-Reshape) gets a loss attached and a few SGD steps lower the loss.
#include <gtest/gtest.h>

#include "io/onnx/onnx_io.h"
#include "onnx/onnx_test_util.h"
#include "runtime/executor.h"
#include "support/op_harness.h"

namespace prunq::testing {
namespace {

TEST(TrainImported, SgdStepsLowerTheLoss) {
  std::string why;
  const std::string dir = torch_models_dir(&why);
  if (dir.empty()) GTEST_SKIP() << why;
  Graph g = load_onnx(dir + "/small_cnn/model.onnx");
  ASSERT_GT(g.num_parameters(true), 0);
  EXPECT_FALSE(g.initializer("bn1.running_mean").trainable);
  EXPECT_TRUE(g.initializer("conv1.weight").trainable);

  ValueId logits = g.outputs().at(0);
  ValueId labels = g.add_input("labels", TensorType{DType::i64, {-1}, true});
  ValueId loss = g.add_value("loss", TensorType{DType::f32, {}, true});
  g.add_node(Node{"SoftmaxCrossEntropyLoss", "loss", "", {logits, labels}, {loss}, {}});
  g.add_output(loss);

  const int64_t batch = 16;
  Tensor x = random_tensor({batch, 1, 28, 28}, 5, 0.f, 1.f);
  std::vector<int64_t> y(batch);
  for (int64_t i = 0; i < batch; ++i) y[size_t(i)] = i % 10;
  Tensor t = Tensor::from_vector_i64({batch}, y);

  Executor ex(g, 1);
  std::vector<float> losses;
  const float lr = 0.05f;
  for (int step = 0; step < 8; ++step) {
    std::vector<Tensor> out = ex.run({x, t}, /*training=*/true);
    losses.push_back(out.at(1).f32()[0]);
    std::map<ValueId, Tensor> grads = ex.backward(loss);
    ASSERT_FALSE(grads.empty());
    for (auto& [v, grad] : grads) {
      Initializer* p = g.initializer(v);
      ASSERT_TRUE(p && p->trainable) << g.value(v).name;
      Tensor gc = grad.contiguous();
      for (int64_t i = 0; i < p->data.numel(); ++i) p->data.f32()[i] -= lr * gc.f32()[i];
    }
  }
  std::printf("small_cnn training loss: %.4f -> %.4f over %zu SGD steps\n", losses.front(), losses.back(), losses.size());
  EXPECT_LT(losses.back(), 0.8f * losses.front());
}

}  // namespace
}  // namespace prunq::testing
