// Gemm and MatMul: forward against explicit loops, broadcasting rules, gradients, errors.
#include <gtest/gtest.h>

#include "support/op_harness.h"

namespace prunq {
namespace {
using testing::OpCase;
using testing::random_tensor;

// Element (i, j) of a row-major matrix stored as rows x cols, optionally read transposed.
float at(const Tensor& t, bool trans, int64_t i, int64_t j) {
  return trans ? t.f32()[j * t.dim(1) + i] : t.f32()[i * t.dim(1) + j];
}

// Element (i, j) of C broadcast to [M, N] (C is a scalar, [N], [1, N], [M, 1] or [M, N]).
float broadcast_at(const Tensor& c, int64_t i, int64_t j) {
  if (c.rank() == 0) return c.f32()[0];
  if (c.rank() == 1) return c.f32()[c.dim(0) == 1 ? 0 : j];
  return c.f32()[(c.dim(0) == 1 ? 0 : i) * c.dim(1) + (c.dim(1) == 1 ? 0 : j)];
}

OpCase gemm_case(bool ta, bool tb, Shape c_shape, float alpha = 1.5f, float beta = -0.5f) {
  const int64_t M = 3, K = 4, N = 5;
  OpCase c;
  c.op = "Gemm";
  c.inputs = {random_tensor(ta ? Shape{K, M} : Shape{M, K}, 1), random_tensor(tb ? Shape{N, K} : Shape{K, N}, 2),
              c_shape.size() == 1 && c_shape[0] == 0 ? Tensor() : random_tensor(c_shape, 3)};
  c.attrs.set("transA", int64_t(ta));
  c.attrs.set("transB", int64_t(tb));
  c.attrs.set("alpha", alpha);
  c.attrs.set("beta", beta);
  return c;
}

TEST(NnGemm, MatchesLoopsForAllTransposesAndCShapes) {
  const std::vector<Shape> c_shapes = {{0}, {}, {5}, {1, 5}, {3, 1}, {3, 5}};  // {0}: C omitted
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (const Shape& cs : c_shapes) {
        SCOPED_TRACE(std::to_string(ta) + std::to_string(tb) + " C " + shape_str(cs));
        OpCase c = gemm_case(ta, tb, cs);
        Tensor y = testing::run_forward(c)[0];
        ASSERT_EQ(y.shape(), (Shape{3, 5}));
        for (int64_t i = 0; i < 3; ++i)
          for (int64_t j = 0; j < 5; ++j) {
            double acc = 0;
            for (int64_t k = 0; k < 4; ++k) acc += at(c.inputs[0], ta, i, k) * at(c.inputs[1], tb, k, j);
            double expect = 1.5 * acc;
            if (c.inputs[2].defined()) expect += -0.5 * broadcast_at(c.inputs[2], i, j);
            EXPECT_NEAR(y.f32()[i * 5 + j], expect, 1e-5);
          }
      }
}

TEST(NnGemm, Gradients) {
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      SCOPED_TRACE(std::to_string(ta) + std::to_string(tb));
      testing::check_gradients(gemm_case(ta, tb, {3, 1}));
      testing::check_gradients(gemm_case(ta, tb, {5}));
    }
  testing::check_gradients(gemm_case(false, true, {0}));
  testing::check_gradients(gemm_case(false, false, {}));
}

TEST(NnGemm, ShapeErrors) {
  OpCase c = gemm_case(false, false, {3, 5});
  c.inputs[1] = random_tensor({3, 5}, 4);  // inner dims 4 vs 3
  EXPECT_THROW(testing::run_forward(c), Error);
  OpCase bad_c = gemm_case(false, false, {2, 5});
  EXPECT_THROW(testing::run_forward(bad_c), Error);
  OpCase rank3 = gemm_case(false, false, {0});
  rank3.inputs[0] = random_tensor({1, 3, 4}, 4);
  EXPECT_THROW(testing::run_forward(rank3), Error);
}

// MatMul of two random operands of the given shapes.
OpCase matmul_case(Shape a, Shape b, uint64_t seed = 1) {
  OpCase c;
  c.op = "MatMul";
  c.inputs = {random_tensor(a, seed), random_tensor(b, seed + 1)};
  return c;
}

TEST(NnMatMul, BroadcastBatchMatchesLoops) {
  OpCase c = matmul_case({2, 1, 3, 4}, {3, 4, 2});  // batch [2,1] x [3] -> [2,3]
  Tensor y = testing::run_forward(c)[0];
  ASSERT_EQ(y.shape(), (Shape{2, 3, 3, 2}));
  const Tensor& A = c.inputs[0];
  const Tensor& B = c.inputs[1];
  for (int64_t p = 0; p < 2; ++p)
    for (int64_t q = 0; q < 3; ++q)
      for (int64_t i = 0; i < 3; ++i)
        for (int64_t j = 0; j < 2; ++j) {
          double acc = 0;
          for (int64_t k = 0; k < 4; ++k) acc += A.f32()[(p * 3 + i) * 4 + k] * B.f32()[(q * 4 + k) * 2 + j];
          EXPECT_NEAR(y.f32()[((p * 3 + q) * 3 + i) * 2 + j], acc, 1e-5);
        }
}

TEST(NnMatMul, OneDimensionalOperands) {
  OpCase vv = matmul_case({4}, {4});
  Tensor y = testing::run_forward(vv)[0];
  EXPECT_EQ(y.shape(), Shape{});
  double dot = 0;
  for (int k = 0; k < 4; ++k) dot += vv.inputs[0].f32()[k] * vv.inputs[1].f32()[k];
  EXPECT_NEAR(y.f32()[0], dot, 1e-5);
  EXPECT_EQ(testing::run_forward(matmul_case({4}, {2, 4, 3}))[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(testing::run_forward(matmul_case({2, 3, 4}, {4}))[0].shape(), (Shape{2, 3}));
}

TEST(NnMatMul, FoldedBatchEqualsPerMatrixProducts) {
  // [2, 3, 4] x [4, 5] takes the folded single-GEMM path; compare with a broadcast B.
  OpCase folded = matmul_case({2, 3, 4}, {4, 5});
  OpCase batched = folded;
  Tensor b2(DType::f32, {2, 4, 5});
  for (int r = 0; r < 2; ++r)
    for (int i = 0; i < 20; ++i) b2.f32()[r * 20 + i] = folded.inputs[1].f32()[i];
  batched.inputs[1] = b2;
  EXPECT_LT(max_abs_diff(testing::run_forward(folded)[0], testing::run_forward(batched)[0]), 1e-6f);
}

TEST(NnMatMul, Gradients) {
  testing::check_gradients(matmul_case({2, 1, 3, 4}, {3, 4, 2}));
  testing::check_gradients(matmul_case({2, 3, 4}, {4, 5}));
  testing::check_gradients(matmul_case({3, 4}, {2, 4, 2}));
  testing::check_gradients(matmul_case({4}, {2, 4, 3}));
  testing::check_gradients(matmul_case({2, 3, 4}, {4}));
}

TEST(NnMatMul, ShapeInferenceAndErrors) {
  Node n;
  n.op = "MatMul";
  n.name = "mm";
  InferContext ctx{n, {TensorType{DType::f32, {-1, 7, 4}}, TensorType{DType::f32, {4, 9}}}, {true, true},
                   {nullptr, nullptr}, {TensorType{}}};
  get_op(n).infer(ctx);
  EXPECT_EQ(ctx.outputs[0].shape, (Shape{-1, 7, 9}));
  EXPECT_THROW(testing::run_forward(matmul_case({2, 3, 4}, {5, 2})), Error);
  EXPECT_THROW(testing::run_forward(matmul_case({2, 3, 4}, {3, 4, 2})), Error);
}

}  // namespace
}  // namespace prunq
