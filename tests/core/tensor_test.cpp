#include <gtest/gtest.h>

#include "core/half.h"
#include "core/tensor.h"
#include "core/thread_pool.h"

#include <atomic>
#include <cmath>
#include <cstdint>

using namespace prunq;

TEST(Tensor, AlignedContiguousStorage) {
  Tensor t(DType::f32, {3, 5, 7});
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.raw()) % 64, 0u);
  EXPECT_TRUE(t.is_contiguous());
  EXPECT_EQ(t.strides(), (Shape{35, 7, 1}));
  EXPECT_EQ(t.numel(), 105);
  EXPECT_EQ(t.nbytes(), 420u);
}

TEST(Tensor, ReshapeSharesStorageAndInfersMinusOne) {
  Tensor t = Tensor::from_vector({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor r = t.reshape({3, -1});
  EXPECT_EQ(r.shape(), (Shape{3, 2}));
  EXPECT_TRUE(r.shares_storage(t));
  EXPECT_THROW(t.reshape({4, -1}), Error);
  EXPECT_THROW(t.reshape({7}), Error);
}

TEST(Tensor, WrongTypedAccessIsAnError) {
  Tensor t(DType::i8, {4});
  EXPECT_THROW(t.data<float>(), Error);
  EXPECT_NO_THROW(t.data<int8_t>());
}

TEST(Tensor, ConversionRoundTrips) {
  Tensor t = Tensor::from_vector({4}, {1.5f, -2.25f, 65504.f, 0.0001f});
  Tensor h = t.to(DType::f16).to(DType::f32);
  EXPECT_FLOAT_EQ(h.f32()[0], 1.5f);
  EXPECT_FLOAT_EQ(h.f32()[1], -2.25f);
  EXPECT_FLOAT_EQ(h.f32()[2], 65504.f);
  EXPECT_NEAR(h.f32()[3], 0.0001f, 1e-6);
  Tensor b = t.to(DType::bf16).to(DType::f32);
  EXPECT_FLOAT_EQ(b.f32()[0], 1.5f);
  EXPECT_NEAR(b.f32()[2], 65504.f, 256.f);
}

TEST(Half, RoundsToNearestEvenAndHandlesSpecials) {
  EXPECT_EQ(f32_to_f16(1.0f), 0x3c00);
  EXPECT_EQ(f32_to_f16(1e6f), 0x7c00);          // overflow -> inf
  EXPECT_EQ(f32_to_f16(-0.0f), 0x8000);
  EXPECT_EQ(f32_to_f16(5.960464477539063e-8f), 0x0001);  // smallest subnormal
  EXPECT_EQ(f16_to_f32(0x0001), 5.960464477539063e-8f);
  EXPECT_TRUE(std::isnan(f16_to_f32(f32_to_f16(NAN))));
  for (uint32_t h = 0; h < 0x7c00; ++h) EXPECT_EQ(f32_to_f16(f16_to_f32(static_cast<uint16_t>(h))), h);
}

TEST(ThreadPool, CoversRangeExactlyOnceAndPropagatesErrors) {
  std::vector<std::atomic<int>> hits(1000);
  parallel_for(1000, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) hits[static_cast<size_t>(i)]++;
  });
  for (auto& h : hits) EXPECT_EQ(h.load(), 1);
  EXPECT_THROW(parallel_for(100, [](int64_t b, int64_t) {
                 if (b == 0) fail("boom");
               }),
               Error);
}

TEST(Tensor, LargeBuffersAreRecycledAtTheSameSize) {
  const void* first;
  {
    Tensor t(DType::f32, {512, 1024});  // 2 MiB: above the recycling threshold
    first = t.raw();
  }
  Tensor again(DType::f32, {1024, 512});
  EXPECT_EQ(again.raw(), first);
}
