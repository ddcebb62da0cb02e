// MaxPool, AveragePool, GlobalAveragePool: hand-computed values, a naive window loop written
// here for pads / strides / dilations / ceil_mode, Indices output, gradients and errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <numeric>

#include "support/op_harness.h"

namespace prunq {
namespace {
using testing::OpCase;

struct Pool2d {
  std::vector<int64_t> k, s{1, 1}, d{1, 1}, pads{0, 0, 0, 0};  // pads: top, left, bottom, right
  bool ceil = false;
  bool include_pad = false;
};

OpCase pool_case(const std::string& op, Tensor x, const Pool2d& p) {
  OpCase c;
  c.op = op;
  c.inputs = {std::move(x)};
  c.attrs.set("kernel_shape", p.k);
  c.attrs.set("strides", p.s);
  c.attrs.set("dilations", p.d);
  c.attrs.set("pads", p.pads);
  c.attrs.set("ceil_mode", int64_t(p.ceil));
  if (op == "AveragePool") c.attrs.set("count_include_pad", int64_t(p.include_pad));
  return c;
}

// Distinct values spaced 0.1 apart in shuffled order: finite differences never flip a maximum.
Tensor distinct_tensor(Shape shape, uint64_t seed) {
  Tensor t(DType::f32, shape);
  std::vector<int> order(size_t(t.numel()));
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937_64(seed));
  for (int64_t i = 0; i < t.numel(); ++i) t.f32()[i] = 0.1f * float(order[size_t(i)]) - 1.f;
  return t;
}

int64_t out_size(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe, bool ceil) {
  int64_t room = in + pb + pe - ((k - 1) * d + 1);
  int64_t out = (ceil ? (room + s - 1) / s : room / s) + 1;
  if (ceil && (out - 1) * s >= in + pb) --out;
  return out;
}

// Naive pooling over one [N, C, H, W] tensor; avg divides as PyTorch does.
Tensor naive_pool(const Tensor& x, const Pool2d& p, bool is_max) {
  const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  const int64_t OH = out_size(H, p.k[0], p.s[0], p.d[0], p.pads[0], p.pads[2], p.ceil);
  const int64_t OW = out_size(W, p.k[1], p.s[1], p.d[1], p.pads[1], p.pads[3], p.ceil);
  Tensor y(DType::f32, {N, C, OH, OW});
  for (int64_t nc = 0; nc < N * C; ++nc)
    for (int64_t oy = 0; oy < OH; ++oy)
      for (int64_t ox = 0; ox < OW; ++ox) {
        double best = -std::numeric_limits<double>::infinity(), sum = 0;
        int64_t valid = 0, padded = 0;
        for (int64_t i = 0; i < p.k[0]; ++i)
          for (int64_t j = 0; j < p.k[1]; ++j) {
            int64_t iy = oy * p.s[0] - p.pads[0] + i * p.d[0], ix = ox * p.s[1] - p.pads[1] + j * p.d[1];
            if (iy >= -p.pads[0] && iy < H + p.pads[2] && ix >= -p.pads[1] && ix < W + p.pads[3]) ++padded;
            if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
            float v = x.f32()[(nc * H + iy) * W + ix];
            best = std::max(best, double(v));
            sum += v;
            ++valid;
          }
        y.f32()[(nc * OH + oy) * OW + ox] = float(is_max ? best : sum / double(p.include_pad ? padded : valid));
      }
  return y;
}

TEST(NnMaxPool, HandComputedWithIndices) {
  OpCase c = pool_case("MaxPool", Tensor::from_vector({1, 1, 4, 4}, {1, 5, 2, 0,  //
                                                                      3, 4, 8, 1,  //
                                                                      0, 0, 9, 7,  //
                                                                      6, 2, 7, 3}),
                       Pool2d{{2, 2}, {2, 2}});
  c.num_outputs = 2;
  std::vector<Tensor> out = testing::run_forward(c);
  ASSERT_EQ(out[0].shape(), (Shape{1, 1, 2, 2}));
  EXPECT_EQ(std::vector<float>(out[0].f32(), out[0].f32() + 4), (std::vector<float>{5, 8, 6, 9}));
  ASSERT_EQ(out[1].dtype(), DType::i64);
  const int64_t* idx = out[1].data<int64_t>();
  EXPECT_EQ(std::vector<int64_t>(idx, idx + 4), (std::vector<int64_t>{1, 6, 12, 10}));
  c.attrs.set("storage_order", int64_t(1));  // column-major: index = w * H + h
  out = testing::run_forward(c);
  idx = out[1].data<int64_t>();
  EXPECT_EQ(std::vector<int64_t>(idx, idx + 4), (std::vector<int64_t>{4, 9, 3, 10}));
}

const std::vector<Pool2d>& pool_variants() {
  static const std::vector<Pool2d> v = {
      Pool2d{{3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}},
      Pool2d{{2, 3}, {2, 1}, {1, 1}, {0, 1, 1, 0}},               // asymmetric pads
      Pool2d{{2, 2}, {1, 1}, {2, 2}, {0, 0, 0, 0}},               // dilation
      Pool2d{{3, 3}, {2, 2}, {1, 1}, {0, 0, 0, 0}, true},         // ceil_mode adds a window
      Pool2d{{2, 2}, {2, 2}, {1, 1}, {1, 1, 1, 1}, true},         // ceil_mode window would start in padding
      Pool2d{{3, 2}, {2, 2}, {1, 1}, {1, 0, 1, 1}, true, true},   // include pad with overhang
  };
  return v;
}

TEST(NnMaxPool, MatchesNaiveAcrossAttributes) {
  Tensor x = testing::random_tensor({2, 3, 6, 5}, 3);
  for (size_t i = 0; i < pool_variants().size(); ++i) {
    SCOPED_TRACE("variant " + std::to_string(i));
    Tensor y = testing::run_forward(pool_case("MaxPool", x, pool_variants()[i]))[0];
    Tensor ref = naive_pool(x, pool_variants()[i], true);
    ASSERT_EQ(y.shape(), ref.shape());
    EXPECT_EQ(max_abs_diff(y, ref), 0.f);
  }
}

TEST(NnMaxPool, CeilModeOutputSizes) {
  Tensor x = testing::random_tensor({1, 1, 6, 5}, 1);
  // H: room 6-3=3 -> floor 2, ceil 3. W with pad 1: the 4th ceil window would start in the pad.
  Pool2d p{{3, 2}, {2, 2}, {1, 1}, {0, 1, 0, 1}};
  EXPECT_EQ(testing::run_forward(pool_case("MaxPool", x, p))[0].shape(), (Shape{1, 1, 2, 3}));
  p.ceil = true;
  EXPECT_EQ(testing::run_forward(pool_case("MaxPool", x, p))[0].shape(), (Shape{1, 1, 3, 3}));
}

TEST(NnMaxPool, OneDimensional) {
  OpCase c;
  c.op = "MaxPool";
  c.inputs = {Tensor::from_vector({1, 1, 5}, {1, 3, 2, 5, 4})};
  c.attrs.set("kernel_shape", std::vector<int64_t>{2});
  c.attrs.set("strides", std::vector<int64_t>{2});
  c.attrs.set("auto_pad", std::string("SAME_UPPER"));
  Tensor y = testing::run_forward(c)[0];
  ASSERT_EQ(y.shape(), (Shape{1, 1, 3}));
  EXPECT_EQ(std::vector<float>(y.f32(), y.f32() + 3), (std::vector<float>{3, 5, 4}));
}

TEST(NnMaxPool, Gradients) {
  for (size_t i = 0; i < pool_variants().size(); ++i) {
    SCOPED_TRACE("variant " + std::to_string(i));
    testing::check_gradients(pool_case("MaxPool", distinct_tensor({1, 2, 5, 5}, i), pool_variants()[i]));
  }
  OpCase trained = pool_case("MaxPool", distinct_tensor({2, 2, 4, 4}, 9), Pool2d{{2, 2}, {2, 2}});
  trained.training = true;  // backward reads the winners saved by forward
  testing::check_gradients(trained);
}

TEST(NnAveragePool, MatchesNaiveAcrossAttributes) {
  Tensor x = testing::random_tensor({2, 3, 6, 5}, 4);
  for (size_t i = 0; i < pool_variants().size(); ++i)
    for (bool include_pad : {false, true}) {
      SCOPED_TRACE("variant " + std::to_string(i) + (include_pad ? " include pad" : ""));
      Pool2d p = pool_variants()[i];
      p.include_pad = include_pad;
      Tensor y = testing::run_forward(pool_case("AveragePool", x, p))[0];
      Tensor ref = naive_pool(x, p, false);
      ASSERT_EQ(y.shape(), ref.shape());
      EXPECT_LT(max_abs_diff(y, ref), 1e-5f);
    }
}

TEST(NnAveragePool, HandComputedPaddedCorner) {
  // 2x2 input, 2x2 window, pad 1: the corner window holds one real value.
  Pool2d p{{2, 2}, {2, 2}, {1, 1}, {1, 1, 1, 1}};
  Tensor x = Tensor::from_vector({1, 1, 2, 2}, {4, 8, 12, 16});
  EXPECT_FLOAT_EQ(testing::run_forward(pool_case("AveragePool", x, p))[0].f32()[0], 4.f);
  p.include_pad = true;
  EXPECT_FLOAT_EQ(testing::run_forward(pool_case("AveragePool", x, p))[0].f32()[0], 1.f);
}

TEST(NnAveragePool, Gradients) {
  for (size_t i = 0; i < pool_variants().size(); ++i) {
    SCOPED_TRACE("variant " + std::to_string(i));
    testing::check_gradients(pool_case("AveragePool", testing::random_tensor({1, 2, 5, 4}, i), pool_variants()[i]));
  }
}

TEST(NnGlobalAveragePool, ForwardAndGradients) {
  OpCase c;
  c.op = "GlobalAveragePool";
  c.inputs = {Tensor::from_vector({1, 2, 2, 2}, {1, 2, 3, 4, -1, -1, -1, 3})};
  Tensor y = testing::run_forward(c)[0];
  ASSERT_EQ(y.shape(), (Shape{1, 2, 1, 1}));
  EXPECT_FLOAT_EQ(y.f32()[0], 2.5f);
  EXPECT_FLOAT_EQ(y.f32()[1], 0.f);
  c.inputs = {testing::random_tensor({2, 3, 3, 2}, 5)};
  testing::check_gradients(c);
  c.inputs = {testing::random_tensor({2, 3}, 5)};
  EXPECT_THROW(testing::run_forward(c), Error);
}

TEST(NnPool, ErrorsNameTheNode) {
  OpCase missing = pool_case("MaxPool", testing::random_tensor({1, 1, 4, 4}, 1), Pool2d{{2, 2}});
  missing.attrs.erase("kernel_shape");
  EXPECT_THROW(testing::run_forward(missing), Error);
  OpCase too_big = pool_case("AveragePool", testing::random_tensor({1, 1, 2, 2}, 1), Pool2d{{3, 3}});
  try {
    testing::run_forward(too_big);
    FAIL() << "expected prunq::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("test_AveragePool"), std::string::npos) << e.what();
  }
  OpCase wrong_rank = pool_case("MaxPool", testing::random_tensor({1, 1, 4, 4}, 1), Pool2d{{2}});
  wrong_rank.attrs.erase("strides");
  wrong_rank.attrs.erase("dilations");
  wrong_rank.attrs.erase("pads");
  EXPECT_THROW(testing::run_forward(wrong_rank), Error);
}

}  // namespace
}  // namespace prunq
