// Conv: forward against a naive direct loop written independently here, shape inference,
// finite-difference gradients for X, W and B, and error messages.
#include <gtest/gtest.h>

#include "support/op_harness.h"

namespace prunq {
namespace {
using testing::OpCase;
using testing::random_tensor;

struct ConvParams {
  int64_t group = 1;
  std::vector<int64_t> stride{1, 1}, dilation{1, 1}, pads{0, 0, 0, 0};  // pads: top, left, bottom, right
};

// Direct 2-D convolution: every output element as a sum over its window, zero outside.
Tensor naive_conv2d(const Tensor& x, const Tensor& w, const Tensor* b, const ConvParams& p) {
  const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  const int64_t M = w.dim(0), Cg = w.dim(1), KH = w.dim(2), KW = w.dim(3);
  const int64_t OH = (H + p.pads[0] + p.pads[2] - ((KH - 1) * p.dilation[0] + 1)) / p.stride[0] + 1;
  const int64_t OW = (W + p.pads[1] + p.pads[3] - ((KW - 1) * p.dilation[1] + 1)) / p.stride[1] + 1;
  const int64_t Mg = M / p.group;
  Tensor y = Tensor::zeros(DType::f32, {N, M, OH, OW});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t oy = 0; oy < OH; ++oy)
        for (int64_t ox = 0; ox < OW; ++ox) {
          double acc = b ? b->f32()[m] : 0.0;
          const int64_t g = m / Mg;
          for (int64_t cg = 0; cg < Cg; ++cg)
            for (int64_t i = 0; i < KH; ++i)
              for (int64_t j = 0; j < KW; ++j) {
                int64_t iy = oy * p.stride[0] - p.pads[0] + i * p.dilation[0];
                int64_t ix = ox * p.stride[1] - p.pads[1] + j * p.dilation[1];
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                int64_t c = g * Cg + cg;
                acc += double(x.f32()[((n * C + c) * H + iy) * W + ix]) * w.f32()[((m * Cg + cg) * KH + i) * KW + j];
              }
          y.f32()[((n * M + m) * OH + oy) * OW + ox] = float(acc);
        }
  (void)C;
  return y;
}

OpCase conv_case(Shape xs, Shape ws, bool bias, const ConvParams& p, uint64_t seed = 1) {
  OpCase c;
  c.op = "Conv";
  c.inputs = {random_tensor(xs, seed), random_tensor(ws, seed + 1),
              bias ? random_tensor({ws[0]}, seed + 2) : Tensor()};
  c.attrs.set("group", p.group);
  c.attrs.set("strides", p.stride);
  c.attrs.set("dilations", p.dilation);
  c.attrs.set("pads", p.pads);
  return c;
}

void expect_matches_naive(const OpCase& c, const ConvParams& p) {
  std::vector<Tensor> out = testing::run_forward(c);
  Tensor ref = naive_conv2d(c.inputs[0], c.inputs[1], c.inputs[2].defined() ? &c.inputs[2] : nullptr, p);
  ASSERT_EQ(out[0].shape(), ref.shape());
  EXPECT_LT(max_abs_diff(out[0], ref), 1e-4f);
}

TEST(NnConv, HandComputedSingleWindow) {
  // 1x1x2x2 input, 2x2 kernel, no padding: one output = dot product + bias.
  OpCase c;
  c.op = "Conv";
  c.inputs = {Tensor::from_vector({1, 1, 2, 2}, {1, 2, 3, 4}), Tensor::from_vector({1, 1, 2, 2}, {1, 0, -1, 2}),
              Tensor::from_vector({1}, {0.5f})};
  std::vector<Tensor> out = testing::run_forward(c);
  ASSERT_EQ(out[0].shape(), (Shape{1, 1, 1, 1}));
  EXPECT_FLOAT_EQ(out[0].f32()[0], 1 - 3 + 8 + 0.5f);
}

TEST(NnConv, MatchesNaiveAcrossAttributes) {
  std::vector<std::pair<ConvParams, std::pair<Shape, Shape>>> cases = {
      {ConvParams{1, {1, 1}, {1, 1}, {1, 1, 1, 1}}, {{2, 3, 7, 6}, {4, 3, 3, 3}}},
      {ConvParams{1, {2, 1}, {1, 1}, {0, 1, 2, 0}}, {{2, 2, 8, 7}, {3, 2, 3, 2}}},   // stride, asymmetric pads
      {ConvParams{1, {1, 2}, {2, 2}, {2, 1, 1, 2}}, {{1, 2, 9, 9}, {2, 2, 3, 3}}},   // dilation
      {ConvParams{2, {1, 1}, {1, 1}, {1, 1, 1, 1}}, {{2, 4, 5, 5}, {6, 2, 3, 3}}},   // group 2
      {ConvParams{3, {2, 2}, {1, 1}, {1, 1, 1, 1}}, {{2, 3, 6, 6}, {6, 1, 3, 3}}},   // depthwise, multiplier 2
      {ConvParams{4, {1, 1}, {2, 1}, {2, 0, 1, 1}}, {{1, 4, 7, 5}, {4, 1, 3, 2}}},   // depthwise, dilated
      // depthwise 3x3 and 5x5, stride 1 and 2: the dwconv2d_f32 kernels' own row paths
      {ConvParams{20, {2, 2}, {1, 1}, {1, 1, 1, 1}}, {{2, 20, 11, 13}, {20, 1, 3, 3}}},
      {ConvParams{6, {1, 1}, {1, 1}, {2, 2, 2, 2}}, {{1, 6, 9, 17}, {6, 1, 5, 5}}},
      {ConvParams{1, {1, 1}, {1, 1}, {0, 0, 0, 0}}, {{2, 5, 4, 4}, {3, 5, 1, 1}}},   // pointwise
  };
  uint64_t seed = 10;
  for (auto& [p, shapes] : cases) {
    for (bool bias : {true, false}) {
      SCOPED_TRACE("case seed " + std::to_string(seed) + (bias ? " with bias" : " without bias"));
      expect_matches_naive(conv_case(shapes.first, shapes.second, bias, p, seed), p);
      seed += 3;
    }
  }
}

TEST(NnConv, BatchSpanningSeveralColumnChunks) {
  // Stride 2 keeps this off the Winograd path. 72 column rows x 256 outputs per image: the
  // 1 MiB column budget holds 14 images, so 31 images take three chunks, the last partial.
  ConvParams p{1, {2, 2}, {1, 1}, {1, 1, 1, 1}};
  expect_matches_naive(conv_case({31, 8, 32, 32}, {4, 8, 3, 3}, true, p, 3), p);
}

TEST(NnConv, SingleImageChunksWithGroups) {
  // 288 column rows x 1849 outputs exceed the column budget: one image per chunk, where the
  // GEMM writes the output in place with the bias fused, per group.
  ConvParams p{2, {1, 1}, {1, 1}, {1, 0, 0, 1}};
  expect_matches_naive(conv_case({2, 32, 44, 44}, {6, 16, 3, 3}, true, p, 5), p);
}

TEST(NnConv, WinogradPathMatchesNaive) {
  // 3x3, stride 1, >= 8 channels: Winograd F(2x2, 3x3). Odd sizes leave partial edge tiles.
  std::vector<std::pair<std::vector<int64_t>, std::pair<Shape, Shape>>> cases = {
      {{1, 1, 1, 1}, {{2, 8, 7, 6}, {9, 8, 3, 3}}},
      {{0, 2, 2, 1}, {{1, 12, 5, 9}, {8, 12, 3, 3}}},
      {{0, 0, 0, 0}, {{3, 8, 4, 4}, {8, 8, 3, 3}}},
      {{2, 2, 2, 2}, {{1, 8, 3, 3}, {10, 8, 3, 3}}},
  };
  uint64_t seed = 40;
  for (auto& [pads, shapes] : cases) {
    ConvParams p{1, {1, 1}, {1, 1}, pads};
    SCOPED_TRACE("x " + shape_str(shapes.first) + " pads " + shape_str(pads));
    expect_matches_naive(conv_case(shapes.first, shapes.second, true, p, seed++), p);
  }
  ConvParams p{1, {1, 1}, {1, 1}, {1, 1, 1, 1}};
  expect_matches_naive(conv_case({4, 16, 28, 28}, {16, 16, 3, 3}, true, p, 9), p);  // many tiles, chunks
}

TEST(NnConv, GradientsWinograd) {
  // The input gradient runs Winograd too (dy conv'd with flipped weights, pads 2 - p).
  testing::check_gradients(conv_case({1, 8, 4, 3}, {8, 8, 3, 3}, true, ConvParams{1, {1, 1}, {1, 1}, {1, 0, 2, 1}}));
}

TEST(NnConv, AutoPadModes) {
  // SAME_UPPER on 5 wide, stride 2, kernel 4: out 3, total pad (3-1)*2+4-5 = 3 -> 1 before, 2 after.
  struct Case { std::string mode; Shape out; ConvParams equivalent; };
  std::vector<Case> cases = {
      {"SAME_UPPER", {1, 2, 3, 3}, ConvParams{1, {2, 2}, {1, 1}, {1, 1, 2, 2}}},
      {"SAME_LOWER", {1, 2, 3, 3}, ConvParams{1, {2, 2}, {1, 1}, {2, 2, 1, 1}}},
      {"VALID", {1, 2, 1, 1}, ConvParams{1, {2, 2}, {1, 1}, {0, 0, 0, 0}}},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.mode);
    OpCase c = conv_case({1, 3, 5, 5}, {2, 3, 4, 4}, true, k.equivalent, 4);
    c.attrs.erase("pads");
    c.attrs.set("auto_pad", k.mode);
    std::vector<Tensor> out = testing::run_forward(c);
    EXPECT_EQ(out[0].shape(), k.out);
    Tensor ref = naive_conv2d(c.inputs[0], c.inputs[1], &c.inputs[2], k.equivalent);
    EXPECT_LT(max_abs_diff(out[0], ref), 1e-4f);
  }
}

TEST(NnConv, OneDimensionalMatchesTwoDimensionalWithHeightOne) {
  OpCase c1;
  c1.op = "Conv";
  c1.inputs = {random_tensor({2, 3, 9}, 5), random_tensor({4, 3, 3}, 6), random_tensor({4}, 7)};
  c1.attrs.set("strides", std::vector<int64_t>{2});
  c1.attrs.set("pads", std::vector<int64_t>{1, 2});
  std::vector<Tensor> out = testing::run_forward(c1);
  ASSERT_EQ(out[0].shape(), (Shape{2, 4, 5}));
  ConvParams p{1, {1, 2}, {1, 1}, {0, 1, 0, 2}};
  Tensor ref = naive_conv2d(c1.inputs[0].reshape({2, 3, 1, 9}), c1.inputs[1].reshape({4, 3, 1, 3}), &c1.inputs[2], p);
  EXPECT_LT(max_abs_diff(out[0].reshape({2, 4, 1, 5}), ref), 1e-4f);
  testing::check_gradients(c1);
}

TEST(NnConv, GradientsDense) {
  testing::check_gradients(conv_case({2, 2, 5, 4}, {3, 2, 3, 3}, true, ConvParams{1, {2, 1}, {1, 1}, {1, 0, 0, 2}}));
}

TEST(NnConv, GradientsGroupedDilated) {
  testing::check_gradients(conv_case({1, 4, 6, 6}, {4, 2, 2, 2}, true, ConvParams{2, {1, 1}, {2, 2}, {1, 1, 1, 1}}));
}

TEST(NnConv, GradientsDepthwise) {
  testing::check_gradients(conv_case({2, 2, 5, 5}, {4, 1, 3, 3}, true, ConvParams{2, {2, 2}, {1, 1}, {1, 1, 1, 1}}));
}

TEST(NnConv, GradientsWithoutBias) {
  testing::check_gradients(conv_case({1, 3, 4, 4}, {2, 3, 2, 2}, false, ConvParams{}));
}

TEST(NnConv, ShapeInferenceKeepsUnknownBatch) {
  Node n;
  n.op = "Conv";
  n.name = "conv1";
  n.attrs.set("pads", std::vector<int64_t>{1, 1, 1, 1});
  InferContext ctx{n, {TensorType{DType::f32, {-1, 3, 32, 32}}, TensorType{DType::f32, {16, 3, 3, 3}}},
                   {true, true}, {nullptr, nullptr}, {TensorType{}}};
  get_op(n).infer(ctx);
  EXPECT_EQ(ctx.outputs[0].shape, (Shape{-1, 16, 32, 32}));
}

TEST(NnConv, WrongChannelCountNamesNodeAndShapes) {
  OpCase c = conv_case({1, 3, 5, 5}, {2, 2, 3, 3}, false, ConvParams{});
  try {
    testing::run_forward(c);
    FAIL() << "expected prunq::Error";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("test_Conv"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[1, 3, 5, 5]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[2, 2, 3, 3]"), std::string::npos) << msg;
  }
}

TEST(NnConv, BadAttributesAreErrors) {
  OpCase c = conv_case({1, 2, 5, 5}, {2, 2, 3, 3}, true, ConvParams{});
  OpCase wrong_bias = c;
  wrong_bias.inputs[2] = random_tensor({3}, 1);
  EXPECT_THROW(testing::run_forward(wrong_bias), Error);
  OpCase zero_stride = c;
  zero_stride.attrs.set("strides", std::vector<int64_t>{0, 1});
  EXPECT_THROW(testing::run_forward(zero_stride), Error);
  OpCase huge_dilation = c;  // would overflow the window arithmetic in a hostile model file
  huge_dilation.attrs.set("dilations", std::vector<int64_t>{int64_t(1) << 62, 1});
  EXPECT_THROW(testing::infer_types(huge_dilation), Error);
  OpCase too_big = conv_case({1, 2, 2, 2}, {2, 2, 3, 3}, true, ConvParams{});
  EXPECT_THROW(testing::run_forward(too_big), Error);
  OpCase bad_group = c;
  bad_group.attrs.set("group", int64_t(3));
  EXPECT_THROW(testing::run_forward(bad_group), Error);
  OpCase three_d = conv_case({1, 2, 3, 3, 3}, {2, 2, 1, 1, 1}, false, ConvParams{});
  three_d.attrs.erase("strides");
  three_d.attrs.erase("dilations");
  three_d.attrs.erase("pads");
  EXPECT_THROW(testing::run_forward(three_d), Error);
  OpCase ints = c;
  ints.inputs[0] = Tensor::zeros(DType::i64, {1, 2, 5, 5});
  EXPECT_THROW(testing::run_forward(ints), Error);
}

}  // namespace
}  // namespace prunq
