// Little-endian byte serialisation with bounds-checked reads. Every read checks the remaining
// length first, so a truncated or corrupted buffer is an Error naming the source and the field
// being read, never an out-of-bounds access.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace prunq {

class ByteWriter {
 public:
  void u8(uint8_t v) { bytes_.push_back(v); }
  void u32(uint32_t v) { put_le(v, 4); }
  void u64(uint64_t v) { put_le(v, 8); }
  void i32(int32_t v) { put_le(static_cast<uint32_t>(v), 4); }
  void i64(int64_t v) { put_le(static_cast<uint64_t>(v), 8); }
  void f32(float v);
  void str(const std::string& s);  // u32 length + bytes
  void raw(const void* data, size_t n);
  void zeros(size_t n) { bytes_.insert(bytes_.end(), n, 0); }
  // Overwrites 4 bytes at `pos` (for fields known only at the end, like checksums).
  void patch_u32(size_t pos, uint32_t v);
  void patch_u64(size_t pos, uint64_t v);
  size_t size() const { return bytes_.size(); }
  std::vector<uint8_t>& bytes() { return bytes_; }

 private:
  void put_le(uint64_t v, int n);
  std::vector<uint8_t> bytes_;
};

class ByteReader {
 public:
  // `source` names the file (or "<buffer>") in error messages; `base` is the offset of data[0]
  // in that source, so reported offsets are file offsets.
  ByteReader(const uint8_t* data, size_t size, std::string source, size_t base = 0)
      : p_(data), size_(size), source_(std::move(source)), base_(base) {}

  uint8_t u8(const char* what);
  uint32_t u32(const char* what);
  uint64_t u64(const char* what);
  int32_t i32(const char* what) { return static_cast<int32_t>(u32(what)); }
  int64_t i64(const char* what) { return static_cast<int64_t>(u64(what)); }
  float f32(const char* what);
  std::string str(const char* what);
  // Points at the next n bytes and skips them.
  const uint8_t* take(size_t n, const char* what);
  void skip(size_t n, const char* what) { take(n, what); }

  // A count of items each at least `min_item_bytes` long: rejects counts the remaining bytes
  // cannot possibly hold, before anything is allocated for them.
  uint32_t count(const char* what, size_t min_item_bytes);

  size_t remaining() const { return size_ - pos_; }
  size_t offset() const { return base_ + pos_; }  // in the source
  const std::string& source() const { return source_; }
  [[noreturn]] void corrupt(const std::string& problem) const;  // "<source>: corrupt at offset N: problem"

 private:
  void need(size_t n, const char* what) const;
  const uint8_t* p_;
  size_t size_;
  size_t pos_ = 0;
  std::string source_;
  size_t base_;
};

}  // namespace prunq
