#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <functional>

#include "io/data/idx.h"
#include "io/data/idx_dataset.h"
#include "io/data_temp.h"
#include "support/error_of.h"

namespace prunq {
namespace {

using testing::error_of;
using testing::gzip_bytes;
using testing::idx_bytes;
using testing::TempDir;

// Three 2x2 images with pixel values 0..11 and labels {0, 9, 4}.
void write_tiny_dataset(const TempDir& dir, const std::string& prefix, bool gz) {
  std::vector<uint8_t> pixels;
  for (int i = 0; i < 12; ++i) pixels.push_back(uint8_t(i * 20));
  auto images = idx_bytes(0x08, {3, 2, 2}, pixels);
  auto labels = idx_bytes(0x08, {3}, {0, 9, 4});
  const std::string ext = gz ? ".gz" : "";
  write_file_bytes(dir.file(prefix + "-images-idx3-ubyte" + ext), gz ? gzip_bytes(images) : images);
  write_file_bytes(dir.file(prefix + "-labels-idx1-ubyte" + ext), gz ? gzip_bytes(labels) : labels);
}

TEST(DataIdx, ParsesEveryElementTypeBigEndian) {
  Tensor u8 = parse_idx(idx_bytes(0x08, {2, 2}, {1, 2, 3, 255}), "u8");
  EXPECT_EQ(u8.dtype(), DType::u8);
  EXPECT_EQ(u8.shape(), (Shape{2, 2}));
  EXPECT_EQ(u8.data<uint8_t>()[3], 255);

  Tensor i16 = parse_idx(idx_bytes(0x0B, {2}, {0x01, 0x02, 0xFF, 0xFE}), "i16");
  EXPECT_EQ(i16.dtype(), DType::i32);
  EXPECT_EQ(i16.data<int32_t>()[0], 0x0102);
  EXPECT_EQ(i16.data<int32_t>()[1], -2);

  Tensor i32 = parse_idx(idx_bytes(0x0C, {1}, {0xFF, 0xFF, 0xFF, 0xFD}), "i32");
  EXPECT_EQ(i32.data<int32_t>()[0], -3);

  // 1.5f = 0x3FC00000, 1.5 (double) = 0x3FF8000000000000.
  Tensor f32 = parse_idx(idx_bytes(0x0D, {1}, {0x3F, 0xC0, 0, 0}), "f32");
  EXPECT_FLOAT_EQ(f32.f32()[0], 1.5f);
  Tensor f64 = parse_idx(idx_bytes(0x0E, {1}, {0x3F, 0xF8, 0, 0, 0, 0, 0, 0}), "f64");
  EXPECT_EQ(f64.dtype(), DType::f32);
  EXPECT_FLOAT_EQ(f64.f32()[0], 1.5f);
}

TEST(DataIdx, RejectsCorruptHeadersAndSizes) {
  EXPECT_NE(error_of([] { parse_idx({0, 0}, "short.idx"); }).find("too short"), std::string::npos);
  EXPECT_NE(error_of([] { parse_idx({1, 0, 8, 1, 0, 0, 0, 0}, "m.idx"); }).find("bad magic"), std::string::npos);
  EXPECT_NE(error_of([] { parse_idx(idx_bytes(0x07, {1}, {0}), "t.idx"); }).find("unknown element type"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_idx({0, 0, 8, 3, 0, 0, 0, 1}, "h.idx"); }).find("truncated header"),
            std::string::npos);
  const std::string truncated = error_of([] { parse_idx(idx_bytes(0x08, {2, 3}, {1, 2, 3}), "d.idx"); });
  EXPECT_NE(truncated.find("truncated data"), std::string::npos) << truncated;
  EXPECT_NE(truncated.find("d.idx"), std::string::npos);
  EXPECT_NE(error_of([] { parse_idx(idx_bytes(0x08, {1}, {1, 2}), "x.idx"); }).find("trailing"), std::string::npos);
  EXPECT_NE(error_of([] { parse_idx({0, 0, 8, 0}, "r.idx"); }).find("rank 0"), std::string::npos);
}

TEST(DataIdx, ImagesAndLabelsConversionChecksRangeAndRank) {
  Tensor images = idx_images_to_f32(parse_idx(idx_bytes(0x08, {1, 1, 2}, {0, 255}), "img"), "img");
  EXPECT_EQ(images.shape(), (Shape{1, 1, 1, 2}));
  EXPECT_FLOAT_EQ(images.f32()[1], 1.f);
  const std::string range = error_of([] { idx_labels_to_i64(parse_idx(idx_bytes(0x08, {2}, {3, 10}), "l"), 10, "lab"); });
  EXPECT_NE(range.find("label 10 at index 1"), std::string::npos) << range;
  EXPECT_THROW(idx_images_to_f32(parse_idx(idx_bytes(0x08, {4}, {1, 2, 3, 4}), "i"), "i"), Error);
  EXPECT_THROW(idx_labels_to_i64(parse_idx(idx_bytes(0x08, {1, 1}, {1}), "l"), 10, "l"), Error);
}

TEST(DataIdx, LoadsGzippedAndRawDirectoriesAndImageFiles) {
  for (bool gz : {true, false}) {
    TempDir dir;
    write_tiny_dataset(dir, "train", gz);
    write_tiny_dataset(dir, "t10k", gz);
    Dataset train = load_idx_dataset(dir.str(), "train");
    ASSERT_EQ(train.size(), 3);
    EXPECT_EQ(train.images.shape(), (Shape{3, 1, 2, 2}));
    EXPECT_FLOAT_EQ(train.images.f32()[5], 100.f / 255.f);
    EXPECT_EQ(train.labels.data<int64_t>()[1], 9);
    EXPECT_EQ(load_idx_dataset(dir.str(), "test").size(), 3);
    const std::string images = dir.file(std::string("train-images-idx3-ubyte") + (gz ? ".gz" : ""));
    EXPECT_EQ(load_idx_dataset(images, "train").labels.data<int64_t>()[2], 4);
  }
}

TEST(DataIdx, TruncatedAndCorruptGzipAreErrors) {
  TempDir dir;
  std::vector<uint8_t> pixels(784 * 4, 7);
  auto gz = gzip_bytes(idx_bytes(0x08, {4, 28, 28}, pixels));
  gz.resize(gz.size() / 2);
  write_file_bytes(dir.file("cut.gz"), gz);
  const std::string cut = error_of([&] { read_idx(dir.file("cut.gz")); });
  EXPECT_NE(cut.find("truncated"), std::string::npos) << cut;
  EXPECT_NE(cut.find("cut.gz"), std::string::npos) << cut;

  auto bad = gzip_bytes(idx_bytes(0x08, {4}, {1, 2, 3, 4}));
  bad[bad.size() / 2] ^= 0xFF;  // flips bits in the deflate stream or the CRC
  write_file_bytes(dir.file("bad.gz"), bad);
  EXPECT_THROW(read_idx(dir.file("bad.gz")), Error);
}

TEST(DataIdx, MissingDatasetNamesPathAndDebianPackage) {
  TempDir dir;
  ::setenv("PRUNQ_FASHION_MNIST_DIR", dir.file("nowhere").c_str(), 1);
  const std::string msg = error_of([] { load_idx_dataset("fashion-mnist", "train"); });
  ::unsetenv("PRUNQ_FASHION_MNIST_DIR");
  EXPECT_NE(msg.find(dir.file("nowhere") + "/train-images-idx3-ubyte.gz"), std::string::npos) << msg;
  EXPECT_NE(msg.find("dataset-fashion-mnist"), std::string::npos) << msg;

  const std::string other = error_of([&] { load_idx_dataset(dir.file("absent"), "train"); });
  EXPECT_NE(other.find(dir.file("absent")), std::string::npos) << other;
  EXPECT_THROW(load_idx_dataset(dir.str(), "validation"), Error);
}

TEST(DataIdx, MismatchedImageAndLabelCountsAreAnError) {
  TempDir dir;
  write_file_bytes(dir.file("train-images-idx3-ubyte"), idx_bytes(0x08, {2, 1, 1}, {1, 2}));
  write_file_bytes(dir.file("train-labels-idx1-ubyte"), idx_bytes(0x08, {3}, {1, 2, 3}));
  const std::string msg = error_of([&] { load_idx_dataset(dir.str(), "train"); });
  EXPECT_NE(msg.find("2 images"), std::string::npos) << msg;
}

TEST(DataIdx, LoadsTheDebianFashionMnistTestSplitWhenInstalled) {
  if (!std::filesystem::exists(fashion_mnist_dir() + "/t10k-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  Dataset test = load_idx_dataset("fashion-mnist", "test");
  EXPECT_EQ(test.images.shape(), (Shape{10000, 1, 28, 28}));
  EXPECT_EQ(test.labels.shape(), (Shape{10000}));
  std::vector<int64_t> per_class(10, 0);
  for (int64_t i = 0; i < test.size(); ++i) ++per_class[size_t(test.labels.data<int64_t>()[i])];
  for (int64_t c : per_class) EXPECT_EQ(c, 1000);  // the test split is balanced
}

}  // namespace
}  // namespace prunq
