#include <gtest/gtest.h>

#include <cmath>

#include "train/grad_clip.h"

namespace prunq {
namespace {

TEST(TrainGradClip, ScalesAllGradientsToTheMaxGlobalNorm) {
  // Global norm of {[3], [4]} is 5.
  std::map<ValueId, Tensor> g{{0, Tensor::from_vector({1}, {3.f})}, {1, Tensor::from_vector({1}, {4.f})}};
  EXPECT_DOUBLE_EQ(global_grad_norm(g), 5.0);
  EXPECT_DOUBLE_EQ(clip_grad_norm(g, 1.0), 5.0);
  EXPECT_NEAR(g[0].f32()[0], 0.6, 1e-6);
  EXPECT_NEAR(g[1].f32()[0], 0.8, 1e-6);
  EXPECT_NEAR(global_grad_norm(g), 1.0, 1e-6);
}

TEST(TrainGradClip, LeavesSmallGradientsAloneAndRejectsBadInput) {
  std::map<ValueId, Tensor> g{{0, Tensor::from_vector({2}, {0.3f, 0.4f})}};
  EXPECT_NEAR(clip_grad_norm(g, 1.0), 0.5, 1e-7);
  EXPECT_FLOAT_EQ(g[0].f32()[1], 0.4f);
  EXPECT_THROW(clip_grad_norm(g, 0.0), Error);
  g[0].f32()[0] = NAN;
  EXPECT_THROW(clip_grad_norm(g, 1.0), Error);
}

}  // namespace
}  // namespace prunq
