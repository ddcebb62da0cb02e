#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "io/data/dataset.h"

namespace prunq {
namespace {

// n samples of shape [1, 2, 2]; sample i holds the value i everywhere and label i % 10.
Dataset counting_dataset(int64_t n) {
  Dataset d;
  d.images = Tensor(DType::f32, {n, 1, 2, 2});
  d.labels = Tensor(DType::i64, {n});
  for (int64_t i = 0; i < n; ++i) {
    for (int k = 0; k < 4; ++k) d.images.f32()[i * 4 + k] = float(i);
    d.labels.data<int64_t>()[i] = i % 10;
  }
  return d;
}

std::vector<int64_t> visit(const Dataset& d, int64_t batch, bool shuffle, uint64_t seed, int64_t epoch,
                           std::vector<int64_t>* sizes = nullptr, bool drop_last = false) {
  BatchIterator it(d, batch, shuffle, seed, epoch, drop_last);
  std::vector<int64_t> seen;
  Batch b;
  while (it.next(b)) {
    if (sizes) sizes->push_back(b.images.dim(0));
    EXPECT_EQ(b.labels.dim(0), b.images.dim(0));
    for (int64_t i = 0; i < b.images.dim(0); ++i) {
      int64_t id = int64_t(b.images.f32()[i * 4]);
      EXPECT_EQ(b.labels.data<int64_t>()[i], id % 10) << "label travels with its image";
      seen.push_back(id);
    }
  }
  return seen;
}

TEST(DataDataset, BatchingKeepsTheLastPartialBatchUnlessDropLast) {
  Dataset d = counting_dataset(10);
  std::vector<int64_t> sizes;
  std::vector<int64_t> seen = visit(d, 4, false, 0, 0, &sizes);
  EXPECT_EQ(sizes, (std::vector<int64_t>{4, 4, 2}));
  std::vector<int64_t> expect(10);
  std::iota(expect.begin(), expect.end(), 0);
  EXPECT_EQ(seen, expect);
  EXPECT_EQ(BatchIterator(d, 4, false, 0, 0).num_batches(), 3);
  sizes.clear();
  visit(d, 4, false, 0, 0, &sizes, true);
  EXPECT_EQ(sizes, (std::vector<int64_t>{4, 4}));
  EXPECT_THROW(BatchIterator(d, 0, false, 0, 0), Error);
}

TEST(DataDataset, ShuffleIsAPermutationDeterministicPerSeedAndEpoch) {
  Dataset d = counting_dataset(50);
  std::vector<int64_t> a = visit(d, 8, true, 42, 0);
  EXPECT_EQ(a, visit(d, 8, true, 42, 0));   // same seed + epoch: same order
  EXPECT_NE(a, visit(d, 8, true, 42, 1));   // next epoch: a new order
  EXPECT_NE(a, visit(d, 8, true, 43, 0));   // other seed: another order
  std::vector<int64_t> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> all(50);
  std::iota(all.begin(), all.end(), 0);
  EXPECT_EQ(sorted, all);
  EXPECT_NE(a, all);
}

TEST(DataDataset, NormalizationGivesZeroMeanUnitStd) {
  Dataset d = counting_dataset(9);
  Normalization n = compute_normalization(d);
  EXPECT_NEAR(n.mean, 4.f, 1e-6);
  EXPECT_NEAR(n.std, std::sqrt(60.f / 9.f), 1e-5);
  normalize(d, n);
  Normalization after = compute_normalization(d);
  EXPECT_NEAR(after.mean, 0.f, 1e-6);
  EXPECT_NEAR(after.std, 1.f, 1e-5);
}

TEST(DataDataset, ValidationSplitTakesTheTailAndSubsetsCopy) {
  Dataset d = counting_dataset(10);
  auto [train, val] = split_validation(d, 3);
  EXPECT_EQ(train.size(), 7);
  EXPECT_EQ(val.size(), 3);
  EXPECT_FLOAT_EQ(val.images.f32()[0], 7.f);
  EXPECT_EQ(val.labels.data<int64_t>()[2], 9);
  EXPECT_FALSE(train.images.shares_storage(d.images));
  EXPECT_EQ(d.subset({5, 1}).labels.data<int64_t>()[1], 1);
  EXPECT_EQ(d.sample_shape(), (Shape{1, 2, 2}));
  EXPECT_THROW(split_validation(d, 10), Error);
  EXPECT_THROW(d.slice(4, 11), Error);
}

TEST(DataDataset, ValidateCatchesMismatchesAndBadLabels) {
  Dataset d = counting_dataset(4);
  d.validate("ok");
  d.labels.data<int64_t>()[3] = 10;
  EXPECT_THROW(d.validate("bad label"), Error);
  Dataset e = counting_dataset(4);
  e.labels = Tensor::zeros(DType::i64, {3});
  EXPECT_THROW(e.validate("count"), Error);
}

}  // namespace
}  // namespace prunq
