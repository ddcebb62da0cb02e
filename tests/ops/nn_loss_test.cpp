// SoftmaxCrossEntropyLoss: values against log-softmax computed here, reductions, class weights,
// ignore_index, the log_prob output, gradients through both outputs, errors.
#include <gtest/gtest.h>

#include <cmath>

#include "support/op_harness.h"

namespace prunq {
namespace {
using testing::OpCase;
using testing::random_tensor;

OpCase loss_case(Shape scores, std::vector<int64_t> labels, Shape label_shape, const std::string& reduction,
                 bool weights) {
  OpCase c;
  c.op = "SoftmaxCrossEntropyLoss";
  c.inputs = {random_tensor(scores, 3, -2.f, 2.f), Tensor::from_vector_i64(label_shape, labels),
              weights ? random_tensor({scores[1]}, 4, 0.5f, 2.f) : Tensor()};
  c.attrs.set("reduction", reduction);
  return c;
}

// log softmax of scores [N, C, D] at (n, k, d), straight from the definition.
double log_softmax_at(const Tensor& s, int64_t n, int64_t k, int64_t d) {
  const int64_t C = s.dim(1), D = s.numel() / (s.dim(0) * C);
  double z = 0;
  for (int64_t j = 0; j < C; ++j) z += std::exp(double(s.f32()[(n * C + j) * D + d]));
  return s.f32()[(n * C + k) * D + d] - std::log(z);
}

TEST(NnSoftmaxCrossEntropy, MeanOverBatchByHand) {
  OpCase c;
  c.op = "SoftmaxCrossEntropyLoss";
  c.inputs = {Tensor::from_vector({2, 3}, {1, 2, 3, 0, 0, 0}), Tensor::from_vector_i64({2}, {2, 1})};
  Tensor loss = testing::run_forward(c)[0];
  ASSERT_EQ(loss.shape(), Shape{});
  const double l0 = -(3 - std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0))), l1 = std::log(3.0);
  EXPECT_NEAR(loss.f32()[0], (l0 + l1) / 2, 1e-6);
}

TEST(NnSoftmaxCrossEntropy, WeightsIgnoreIndexAndReductions) {
  // scores [2, 4, 3]: N=2, C=4, one extra dim of 3; label -1 is ignored.
  const std::vector<int64_t> labels{0, 3, -1, 2, 2, 1};
  for (const std::string red : {"none", "sum", "mean"}) {
    SCOPED_TRACE(red);
    OpCase c = loss_case({2, 4, 3}, labels, {2, 3}, red, true);
    c.attrs.set("ignore_index", int64_t(-1));
    c.num_outputs = 2;
    std::vector<Tensor> out = testing::run_forward(c);
    double total = 0, wsum = 0;
    for (int64_t n = 0; n < 2; ++n)
      for (int64_t d = 0; d < 3; ++d) {
        int64_t l = labels[size_t(n * 3 + d)];
        double w = l < 0 ? 0 : c.inputs[2].f32()[l];
        double e = l < 0 ? 0 : -w * log_softmax_at(c.inputs[0], n, l, d);
        if (red == "none") {
          EXPECT_NEAR(out[0].f32()[n * 3 + d], e, 1e-5);
        }
        total += e;
        wsum += w;
        for (int64_t k = 0; k < 4; ++k)
          EXPECT_NEAR(out[1].f32()[(n * 4 + k) * 3 + d], log_softmax_at(c.inputs[0], n, k, d), 1e-5);
      }
    if (red == "none") {
      EXPECT_EQ(out[0].shape(), (Shape{2, 3}));
    } else {
      ASSERT_EQ(out[0].shape(), Shape{});
      EXPECT_NEAR(out[0].f32()[0], red == "sum" ? total : total / wsum, 1e-5);
    }
  }
}

TEST(NnSoftmaxCrossEntropy, AllIgnoredMeanIsZero) {
  OpCase c = loss_case({2, 3}, {5, 5}, {2}, "mean", false);
  c.attrs.set("ignore_index", int64_t(5));
  EXPECT_EQ(testing::run_forward(c)[0].f32()[0], 0.f);
}

TEST(NnSoftmaxCrossEntropy, Gradients) {
  for (const std::string red : {"none", "sum", "mean"}) {
    SCOPED_TRACE(red);
    OpCase c = loss_case({3, 4}, {1, 0, 3}, {3}, red, false);
    testing::check_gradients(c, {}, 1e-2, 1e-2, 1e-2);
    OpCase w = loss_case({2, 4, 3}, {0, 3, -1, 2, 2, 1}, {2, 3}, red, true);
    w.attrs.set("ignore_index", int64_t(-1));
    testing::check_gradients(w, {}, 1e-2, 1e-2, 1e-2);
    w.num_outputs = 2;  // gradient arriving through both the loss and log_prob
    testing::check_gradients(w, {}, 1e-2, 1e-2, 1e-2, {0, 1});
  }
}

TEST(NnSoftmaxCrossEntropy, Int32LabelsAndErrors) {
  OpCase c = loss_case({2, 3}, {0, 2}, {2}, "mean", false);
  c.inputs[1] = c.inputs[1].to(DType::i32);
  EXPECT_NO_THROW(testing::run_forward(c));
  OpCase out_of_range = loss_case({2, 3}, {0, 3}, {2}, "mean", false);
  try {
    testing::run_forward(out_of_range);
    FAIL() << "expected prunq::Error";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("test_SoftmaxCrossEntropyLoss"), std::string::npos) << msg;
    EXPECT_NE(msg.find("label 3"), std::string::npos) << msg;
  }
  EXPECT_THROW(testing::run_forward(loss_case({2, 3}, {0, 1, 2}, {3}, "mean", false)), Error);
  EXPECT_THROW(testing::run_forward(loss_case({2, 3}, {0, 1}, {2}, "average", false)), Error);
  OpCase float_labels = loss_case({2, 3}, {0, 1}, {2}, "mean", false);
  float_labels.inputs[1] = random_tensor({2}, 1);
  EXPECT_THROW(testing::run_forward(float_labels), Error);
}

}  // namespace
}  // namespace prunq
