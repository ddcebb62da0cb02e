// A tiny, learnable IDX dataset written into a folder, so CLI tests do not depend on the size or
// presence of Fashion-MNIST: class k is a bright 6x6 square at one of ten fixed positions, on
// light noise. Files use the MNIST names (train-/t10k-{images-idx3,labels-idx1}-ubyte, no gzip).
#pragma once
#include <cstdint>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace prunq::testing {

inline void write_be32(std::ofstream& f, uint32_t v) {
  const char b[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
  f.write(b, 4);
}

inline void write_idx_split(const std::string& dir, const std::string& prefix, int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> noise(0, 40);
  std::ofstream images(dir + "/" + prefix + "-images-idx3-ubyte", std::ios::binary);
  std::ofstream labels(dir + "/" + prefix + "-labels-idx1-ubyte", std::ios::binary);
  write_be32(images, 0x00000803);
  write_be32(images, uint32_t(n));
  write_be32(images, 28);
  write_be32(images, 28);
  write_be32(labels, 0x00000801);
  write_be32(labels, uint32_t(n));
  std::vector<char> img(28 * 28);
  for (int i = 0; i < n; ++i) {
    const int label = i % 10;
    const int top = 2 + (label / 5) * 14, left = 1 + (label % 5) * 5;
    for (int y = 0; y < 28; ++y)
      for (int x = 0; x < 28; ++x) {
        bool on = y >= top && y < top + 6 && x >= left && x < left + 6;
        img[size_t(y * 28 + x)] = char(on ? 255 - noise(rng) : noise(rng));
      }
    images.write(img.data(), std::streamsize(img.size()));
    labels.put(char(label));
  }
}

// Writes train (n_train images) and test ("t10k", n_test images) splits into `dir`.
inline void write_synthetic_idx(const std::string& dir, int n_train = 400, int n_test = 200) {
  write_idx_split(dir, "train", n_train, 1);
  write_idx_split(dir, "t10k", n_test, 2);
}

}  // namespace prunq::testing
