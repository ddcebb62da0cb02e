#include "io/native/byte_stream.h"

#include <cstring>

#include "core/error.h"

namespace prunq {

void ByteWriter::put_le(uint64_t v, int n) {
  for (int i = 0; i < n; ++i) bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void ByteWriter::f32(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  u32(bits);
}

void ByteWriter::str(const std::string& s) {
  PRUNQ_CHECK(s.size() <= UINT32_MAX, "string of ", s.size(), " bytes is too long to serialise");
  u32(static_cast<uint32_t>(s.size()));
  raw(s.data(), s.size());
}

void ByteWriter::raw(const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  bytes_.insert(bytes_.end(), p, p + n);
}

void ByteWriter::patch_u32(size_t pos, uint32_t v) {
  PRUNQ_CHECK(pos + 4 <= bytes_.size(), "patch_u32 at ", pos, " past the end (", bytes_.size(), ")");
  for (int i = 0; i < 4; ++i) bytes_[pos + static_cast<size_t>(i)] = static_cast<uint8_t>(v >> (8 * i));
}

void ByteWriter::patch_u64(size_t pos, uint64_t v) {
  PRUNQ_CHECK(pos + 8 <= bytes_.size(), "patch_u64 at ", pos, " past the end (", bytes_.size(), ")");
  for (int i = 0; i < 8; ++i) bytes_[pos + static_cast<size_t>(i)] = static_cast<uint8_t>(v >> (8 * i));
}

void ByteReader::corrupt(const std::string& problem) const {
  fail(source_, ": corrupt or truncated model file at offset ", offset(), ": ", problem);
}

void ByteReader::need(size_t n, const char* what) const {
  if (n > remaining())
    corrupt(detail::concat("truncated while reading ", what, " (need ", n, " bytes, ", remaining(), " left)"));
}

const uint8_t* ByteReader::take(size_t n, const char* what) {
  need(n, what);
  const uint8_t* p = p_ + pos_;
  pos_ += n;
  return p;
}

uint8_t ByteReader::u8(const char* what) { return *take(1, what); }

uint32_t ByteReader::u32(const char* what) {
  const uint8_t* p = take(4, what);
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(p[i]) << (8 * i);
  return v;
}

uint64_t ByteReader::u64(const char* what) {
  const uint8_t* p = take(8, what);
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

float ByteReader::f32(const char* what) {
  uint32_t bits = u32(what);
  float v;
  std::memcpy(&v, &bits, 4);
  return v;
}

std::string ByteReader::str(const char* what) {
  uint32_t n = u32(what);
  const uint8_t* p = take(n, what);
  return std::string(reinterpret_cast<const char*>(p), n);
}

uint32_t ByteReader::count(const char* what, size_t min_item_bytes) {
  uint32_t n = u32(what);
  if (min_item_bytes > 0 && n > remaining() / min_item_bytes)
    corrupt(detail::concat(what, " is ", n, ", more than the ", remaining(), " remaining bytes can hold"));
  return n;
}

}  // namespace prunq
