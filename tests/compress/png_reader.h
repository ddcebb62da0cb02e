// Reads the 8-bit RGB / RGBA non-interlaced PNGs Chromium writes for screenshots (enough for
// the report-rendering test; anything else is refused by name).
#pragma once
#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace prunq::testing {

struct Image {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;  // width * height * 3
  const uint8_t* at(int x, int y) const { return &rgb[(size_t(y) * size_t(width) + size_t(x)) * 3]; }
};

inline Image read_png(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string d = ss.str();
  auto be32 = [&](size_t p) {
    return (uint32_t(uint8_t(d[p])) << 24) | (uint32_t(uint8_t(d[p + 1])) << 16) | (uint32_t(uint8_t(d[p + 2])) << 8) |
           uint32_t(uint8_t(d[p + 3]));
  };
  if (d.size() < 8 || d.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) throw std::runtime_error(path + ": not a PNG");
  Image img;
  int channels = 0;
  std::string idat;
  for (size_t p = 8; p + 8 <= d.size();) {
    const uint32_t len = be32(p);
    const std::string type = d.substr(p + 4, 4);
    if (p + 12 + len > d.size()) throw std::runtime_error(path + ": truncated chunk");
    if (type == "IHDR") {
      img.width = int(be32(p + 8));
      img.height = int(be32(p + 12));
      const int depth = uint8_t(d[p + 16]), color = uint8_t(d[p + 17]), interlace = uint8_t(d[p + 20]);
      if (depth != 8 || (color != 2 && color != 6) || interlace != 0)
        throw std::runtime_error(path + ": only 8-bit RGB/RGBA non-interlaced PNGs are read");
      channels = color == 2 ? 3 : 4;
    } else if (type == "IDAT") {
      idat += d.substr(p + 8, len);
    } else if (type == "IEND") {
      break;
    }
    p += 12 + len;
  }
  if (channels == 0) throw std::runtime_error(path + ": no IHDR");
  const size_t stride = size_t(img.width) * size_t(channels);
  std::vector<uint8_t> raw((stride + 1) * size_t(img.height));
  uLongf raw_len = uLongf(raw.size());
  if (uncompress(raw.data(), &raw_len, reinterpret_cast<const Bytef*>(idat.data()), uLong(idat.size())) != Z_OK ||
      raw_len != raw.size())
    throw std::runtime_error(path + ": bad image data");
  // Undo the per-row filters (PNG spec, section 9).
  std::vector<uint8_t> prev(stride, 0), cur(stride);
  img.rgb.resize(size_t(img.width) * size_t(img.height) * 3);
  for (int y = 0; y < img.height; ++y) {
    const uint8_t* row = &raw[size_t(y) * (stride + 1)];
    const int filter = row[0];
    for (size_t i = 0; i < stride; ++i) {
      const int a = i >= size_t(channels) ? cur[i - channels] : 0, b = prev[i],
                c = i >= size_t(channels) ? prev[i - channels] : 0;
      int pred = 0;
      switch (filter) {
        case 0: pred = 0; break;
        case 1: pred = a; break;
        case 2: pred = b; break;
        case 3: pred = (a + b) / 2; break;
        case 4: {
          const int pa = std::abs(b - c), pb = std::abs(a - c), pc = std::abs(a + b - 2 * c);
          pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: throw std::runtime_error(path + ": bad filter type");
      }
      cur[i] = uint8_t(row[1 + i] + pred);
    }
    for (int x = 0; x < img.width; ++x)
      for (int k = 0; k < 3; ++k) img.rgb[(size_t(y) * size_t(img.width) + size_t(x)) * 3 + size_t(k)] = cur[size_t(x) * channels + size_t(k)];
    std::swap(prev, cur);
  }
  return img;
}

}  // namespace prunq::testing
