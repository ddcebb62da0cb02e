// Depthwise fp32 kernels on every allowed variant against the direct convolution reference, each
// path on its own (dwconv_f32_paths.h) and the automatic choice:
//  * plane kernels: 3x3/5x5 x stride 1/2 x padding 0/1/2 over widths around and below the
//    vector lengths (odd, 1 and 2 wide), heights that leave every band remainder, planes smaller
//    than the kernel, asymmetric pads;
//  * block kernels (channels in lanes): the same shapes, channel counts around the block width,
//    batch > 1 (blocks restart at every image);
//  * the generic loop (dilation, other sizes, unequal strides); epilogues; parameter errors.
// Inputs sit in buffers with a guard page after them, and before them in BorderTest, so the
// masked loads at the borders must not touch a byte outside the input.
#include "kernels/dwconv_f32/dwconv_f32.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "core/error.h"
#include "f32_test_util.h"
#include "kernels/conv_f32/conv_f32.h"
#include "kernels/dwconv_f32/dwconv_f32_paths.h"

namespace prunq {
namespace {

using testing::GuardedFloats;
using testing::random_floats;

Conv2dParams depthwise(int64_t n, int64_t c, int64_t h, int64_t w, int64_t k, int64_t stride, int64_t pad,
                       int64_t dilation = 1) {
  Conv2dParams p;
  p.batch = n;
  p.in_channels = p.out_channels = p.groups = c;
  p.in_h = h;
  p.in_w = w;
  p.kernel_h = p.kernel_w = k;
  p.stride_h = p.stride_w = stride;
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = pad;
  p.dilation_h = p.dilation_w = dilation;
  return p;
}

std::string describe(const Conv2dParams& p) {
  return "N=" + std::to_string(p.batch) + " C=" + std::to_string(p.in_channels) + " " + std::to_string(p.in_h) + "x" +
         std::to_string(p.in_w) + " k=" + std::to_string(p.kernel_h) + "x" + std::to_string(p.kernel_w) +
         " stride=" + std::to_string(p.stride_h) + "," + std::to_string(p.stride_w) +
         " pad=" + std::to_string(p.pad_top) + "," + std::to_string(p.pad_left) + "," + std::to_string(p.pad_bottom) +
         "," + std::to_string(p.pad_right) + " dil=" + std::to_string(p.dilation_h);
}

// `count` floats that start exactly at a PROT_NONE page (and end at another): reading one element
// before the start faults at once, like GuardedFloats does past the end.
class FrontGuardedFloats {
 public:
  explicit FrontGuardedFloats(size_t count) : count_(count) {
    page_ = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    const size_t data_pages = (count * sizeof(float) + page_ - 1) / page_;
    total_ = (data_pages + 2) * page_;
    void* m = mmap(nullptr, total_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) throw std::runtime_error("mmap failed");
    base_ = static_cast<char*>(m);
    if (mprotect(base_, page_, PROT_NONE) != 0 || mprotect(base_ + (data_pages + 1) * page_, page_, PROT_NONE) != 0)
      throw std::runtime_error("mprotect failed");
    data_ = reinterpret_cast<float*>(base_ + page_);
  }
  ~FrontGuardedFloats() { munmap(base_, total_); }
  FrontGuardedFloats(const FrontGuardedFloats&) = delete;
  FrontGuardedFloats& operator=(const FrontGuardedFloats&) = delete;
  float* data() { return data_; }
  void copy_from(const std::vector<float>& v) { std::memcpy(data_, v.data(), sizeof(float) * count_); }

 private:
  size_t count_, page_, total_;
  char* base_;
  float* data_;
};

enum class Guard { back, front };

// Runs `path` on variant `isa` and compares every output with the reference within the rounding
// bound of its sum. The output starts as NaN, so an output never written fails too.
void check_dw(Isa isa, DwPath path, const Conv2dParams& p, bool with_bias, Activation act, uint64_t seed,
              Guard guard = Guard::back) {
  SCOPED_TRACE(describe(p));
  const size_t in_n = p.batch * p.in_channels * p.in_h * p.in_w, taps = p.kernel_h * p.kernel_w;
  const size_t w_n = p.in_channels * taps, out_n = p.batch * p.in_channels * p.out_h() * p.out_w();
  std::vector<float> x = random_floats(in_n, seed), w = random_floats(w_n, seed + 1, -3.f, 3.f),
                     b = random_floats(p.in_channels, seed + 2);
  std::vector<float> want(out_n), mag(out_n);
  testing::conv_reference_with_magnitude(p, x, w, b, with_bias, act, want, mag);

  GuardedFloats gx(in_n), gw(w_n), gb(p.in_channels), gy(out_n);
  FrontGuardedFloats fx(in_n);
  gx.copy_from(x);
  fx.copy_from(x);
  gw.copy_from(w);
  gb.copy_from(b);
  std::fill(gy.data(), gy.data() + out_n, std::numeric_limits<float>::quiet_NaN());
  dwconv2d_f32_path(isa, path, p, guard == Guard::back ? gx.data() : fx.data(), gw.data(),
                    with_bias ? gb.data() : nullptr, act, gy.data());
  int bad = 0;
  for (size_t i = 0; i < out_n && bad < 5; ++i) {
    const float tol = testing::sum_error_bound(static_cast<int64_t>(taps), mag[i]);
    if (!(std::fabs(gy.data()[i] - want[i]) <= tol))
      ++bad, ADD_FAILURE() << "output[" << i << "] = " << gy.data()[i] << ", reference " << want[i] << " (tolerance "
                           << tol << ")";
  }
}

class DwConvF32Variant : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    PRUNQ_SKIP_UNLESS_VARIANT_ALLOWED(GetParam());
    ASSERT_TRUE(dwconv2d_f32_variant_available(GetParam()));
  }
  // The block kernels exist on the vector variants only.
  std::vector<DwPath> fast_paths() const {
    if (GetParam() == Isa::scalar) return {DwPath::plane};
    return {DwPath::plane, DwPath::block};
  }
};

// Widths around 8 and 16 lanes and their stride-2 doubles (every tail and interior/edge split),
// widths below one vector, 1 and 2 wide, and wide enough for unmasked multi-vector steps at
// stride 2 (67, 100, 131); heights that leave band remainders of every size.
TEST_P(DwConvF32Variant, FastPathsOverWidthsAndPads) {
  uint64_t seed = 1;
  for (DwPath path : fast_paths())
    for (int64_t k : {3, 5})
      for (int64_t stride : {1, 2})
        for (int64_t pad : {0, 1, 2})
          for (int64_t w : {1, 2, 5, 7, 8, 9, 16, 17, 31, 33, 40, 67, 100, 131}) {
            if (w + 2 * pad < k) continue;
            const int64_t h = 6 + seed % 7;  // 6..12 rows
            if (h + 2 * pad < k) continue;
            check_dw(GetParam(), path, depthwise(1, 3, h, w, k, stride, pad), true,
                     seed % 3 == 0 ? Activation::relu6 : Activation::none, seed);
            ++seed;
          }
}

// Every output-row count from 1 to 20 (bands of 8, 4, 2 and 1 rows, the top and bottom bands
// with padding rows in them, and bands with padding at both ends when the plane is short).
TEST_P(DwConvF32Variant, FastPathsOverHeights) {
  uint64_t seed = 300;
  for (DwPath path : fast_paths())
    for (int64_t k : {3, 5})
      for (int64_t stride : {1, 2})
        for (int64_t h = 1; h <= 20 * stride; h += stride) {
          const int64_t pad = k / 2;
          check_dw(GetParam(), path, depthwise(1, 2, h, 19, k, stride, pad), true, Activation::relu, seed++);
        }
}

// Planes smaller than the kernel (1x1, 2x2, 1xN, Nx1): all but a few taps fall on padding.
TEST_P(DwConvF32Variant, TinyPlanes) {
  uint64_t seed = 400;
  for (DwPath path : fast_paths())
    for (int64_t k : {3, 5})
      for (int64_t stride : {1, 2})
        for (int64_t pad : {1, 2}) {
          if (1 + 2 * pad < k) continue;
          check_dw(GetParam(), path, depthwise(1, 5, 1, 1, k, stride, pad), true, Activation::none, seed++);
          check_dw(GetParam(), path, depthwise(2, 3, 2, 2, k, stride, pad), false, Activation::relu6, seed++);
          check_dw(GetParam(), path, depthwise(1, 3, 1, 23, k, stride, pad), true, Activation::none, seed++);
          check_dw(GetParam(), path, depthwise(1, 3, 23, 1, k, stride, pad), true, Activation::none, seed++);
        }
}

// Unequal pads on each side (the fast paths take any padding).
TEST_P(DwConvF32Variant, AsymmetricPads) {
  uint64_t seed = 500;
  for (DwPath path : fast_paths())
    for (int64_t k : {3, 5})
      for (int64_t stride : {1, 2}) {
        Conv2dParams p = depthwise(1, 3, 13, 21, k, stride, 0);
        p.pad_top = 1;
        p.pad_right = k / 2;
        check_dw(GetParam(), path, p, true, Activation::none, seed++);
        p = depthwise(1, 3, 12, 18, k, stride, 0);
        p.pad_left = k - 1;
        p.pad_bottom = 2;
        check_dw(GetParam(), path, p, true, Activation::relu6, seed++);
        p = depthwise(1, 3, 9, 35, k, stride, 0);
        p.pad_top = p.pad_left = 3;  // padding wider than the kernel reaches: whole rows and columns of zeros
        p.pad_bottom = p.pad_right = 1;
        check_dw(GetParam(), path, p, false, Activation::none, seed++);
      }
}

// Channel counts around the block width (1, below, at, above, several blocks plus a tail) and
// batch > 1: the blocks restart at every image, the planes run over images and channels.
TEST_P(DwConvF32Variant, ChannelsAndBatch) {
  uint64_t seed = 600;
  for (DwPath path : fast_paths())
    for (int64_t c : {1, 7, 8, 9, 16, 17, 33})
      for (int64_t n : {1, 3}) {
        check_dw(GetParam(), path, depthwise(n, c, 7, 7, 3, 1, 1), true, Activation::relu6, seed++);
        check_dw(GetParam(), path, depthwise(n, c, 14, 14, 5, 2, 2), true, Activation::none, seed++);
      }
}

// The left and right borders against a guard page in front of the input: the first row's masked
// loads start before the input and must not read it.
TEST_P(DwConvF32Variant, BorderLoadsStayInsideTheInput) {
  uint64_t seed = 700;
  for (DwPath path : fast_paths())
    for (int64_t k : {3, 5})
      for (int64_t stride : {1, 2})
        for (int64_t w : {3, 16, 29}) {
          check_dw(GetParam(), path, depthwise(1, 2, 5, w, k, stride, k / 2), true, Activation::none, seed++,
                   Guard::front);
          check_dw(GetParam(), path, depthwise(1, 2, 5, w, k, stride, k / 2), true, Activation::none, seed++,
                   Guard::back);
        }
}

// MobileNetV2 / EfficientNet layer shapes (reduced channel counts) on the automatic choice,
// batch 1 and 2, with enough work to run on several threads.
TEST_P(DwConvF32Variant, NetworkShapesAutomatic) {
  struct Shape {
    int64_t c, hw, k, stride;
  };
  const Shape shapes[] = {{32, 112, 3, 1}, {24, 112, 3, 2}, {20, 56, 3, 1}, {20, 56, 3, 2},
                          {17, 28, 3, 1},  {17, 28, 5, 1},  {18, 28, 3, 2}, {19, 14, 3, 1},
                          {21, 14, 5, 1},  {19, 14, 5, 2},  {35, 7, 3, 1},  {33, 7, 5, 1}};
  uint64_t seed = 800;
  for (const Shape& s : shapes)
    for (int64_t n : {1, 2})
      check_dw(GetParam(), DwPath::automatic, depthwise(n, s.c, s.hw, s.hw, s.k, s.stride, s.k / 2), true,
               Activation::relu6, seed++);
}

TEST_P(DwConvF32Variant, GenericPath) {
  check_dw(GetParam(), DwPath::generic, depthwise(1, 4, 11, 12, 3, 1, 1), true, Activation::none, 199);  // 3x3 too
  check_dw(GetParam(), DwPath::automatic, depthwise(1, 4, 11, 12, 3, 1, 2, 2), true, Activation::none, 200);
  check_dw(GetParam(), DwPath::automatic, depthwise(1, 4, 11, 12, 7, 1, 3), true, Activation::relu, 201);  // 7x7
  check_dw(GetParam(), DwPath::automatic, depthwise(1, 4, 11, 12, 3, 3, 1), true, Activation::none, 202);  // stride 3
  Conv2dParams p = depthwise(2, 3, 9, 10, 3, 1, 0);
  p.kernel_w = 5;  // non-square
  p.stride_w = 2;  // unequal strides
  p.pad_left = 2;
  p.pad_bottom = 1;
  check_dw(GetParam(), DwPath::automatic, p, true, Activation::relu6, 203);
}

TEST_P(DwConvF32Variant, PathsRejectShapesTheyDoNotTake) {
  std::vector<float> buf(4096);
  const auto run = [&](DwPath path, const Conv2dParams& p) {
    dwconv2d_f32_path(GetParam(), path, p, buf.data(), buf.data(), nullptr, Activation::none, buf.data() + 2048);
  };
  EXPECT_THROW(run(DwPath::plane, depthwise(1, 2, 8, 8, 3, 1, 2, 2)), Error);  // dilation
  EXPECT_THROW(run(DwPath::block, depthwise(1, 2, 8, 8, 7, 1, 3)), Error);     // 7x7
  if (GetParam() == Isa::scalar) {
    EXPECT_THROW(run(DwPath::block, depthwise(1, 2, 8, 8, 3, 1, 1)), Error);
  }
}

INSTANTIATE_TEST_SUITE_P(Variants, DwConvF32Variant, ::testing::ValuesIn(testing::kF32Variants),
                         testing::isa_param_name);

TEST(DwConvF32, ActiveVariantMatchesReference) {
  for (int64_t hw : {7, 10, 56}) {  // block kernels, then plane kernels on the vector variants
    Conv2dParams p = depthwise(2, 8, hw, hw, 3, 1, 1);
    const size_t n = size_t(2 * 8 * hw * hw);
    std::vector<float> x = random_floats(n, 1), w = random_floats(72, 2), b = random_floats(8, 3);
    std::vector<float> want(n), got(n);
    conv2d_f32_reference(p, x.data(), w.data(), b.data(), Activation::relu, want.data());
    dwconv2d_f32(p, x.data(), w.data(), b.data(), Activation::relu, got.data());
    for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5f) << hw << " " << i;
  }
}

TEST(DwConvF32, RejectsNonDepthwiseAndBadParameters) {
  std::vector<float> buf(4096);
  auto run = [&](const Conv2dParams& p) {
    dwconv2d_f32(p, buf.data(), buf.data(), nullptr, Activation::none, buf.data() + 2048);
  };
  Conv2dParams grouped = depthwise(1, 4, 8, 8, 3, 1, 1);
  grouped.groups = 2;
  EXPECT_THROW(run(grouped), Error);
  Conv2dParams multiplier = depthwise(1, 4, 8, 8, 3, 1, 1);
  multiplier.out_channels = 8;
  EXPECT_THROW(run(multiplier), Error);
  EXPECT_THROW(run(depthwise(1, 4, 2, 2, 5, 1, 0)), Error);  // kernel larger than the input
  EXPECT_THROW(run(depthwise(1, 4, 8, 8, 3, 0, 1)), Error);  // zero stride
}

}  // namespace
}  // namespace prunq
