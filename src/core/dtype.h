// Element types and their traits table. Adding a dtype means adding a row to kDTypeInfo;
// the static_assert below breaks the build if the table and the enum drift apart. The enum
// values are stored in .prunq files: new dtypes go at the end.
//
// i4 is packed: signed 4-bit integers two per byte, element 2i in the low nibble of byte i and
// element 2i+1 in the high nibble (ONNX's int4 packing); an odd count leaves the last high
// nibble zero. Packed tensors are always contiguous and have no per-element byte size: their
// bytes are storage_bytes(dtype, n) = ceil(n * bits / 8), and dtype_size() refuses them, so code
// that assumes whole-byte elements fails with a named error instead of misreading them.
#pragma once
#include <array>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace prunq {

enum class DType : uint8_t { f32 = 0, f16, bf16, i8, u8, i32, i64, i4, kCount };

struct DTypeInfo {
  DType dtype;
  std::string_view name;
  int bits;           // bits per element; below 8 means packed
  bool is_float;
  bool is_signed;
  int64_t int_min, int_max;  // value range of integer dtypes (0, 0 for floats)
};

inline constexpr std::array<DTypeInfo, static_cast<size_t>(DType::kCount)> kDTypeInfo{{
    {DType::f32, "f32", 32, true, true, 0, 0},
    {DType::f16, "f16", 16, true, true, 0, 0},
    {DType::bf16, "bf16", 16, true, true, 0, 0},
    {DType::i8, "i8", 8, false, true, -128, 127},
    {DType::u8, "u8", 8, false, false, 0, 255},
    {DType::i32, "i32", 32, false, true, INT32_MIN, INT32_MAX},
    {DType::i64, "i64", 64, false, true, INT64_MIN, INT64_MAX},
    {DType::i4, "i4", 4, false, true, -8, 7},
}};

constexpr bool dtype_table_is_ordered() {
  for (size_t i = 0; i < kDTypeInfo.size(); ++i)
    if (static_cast<size_t>(kDTypeInfo[i].dtype) != i) return false;
  return true;
}
static_assert(dtype_table_is_ordered(), "kDTypeInfo rows must follow the DType enum order");

constexpr const DTypeInfo& info(DType t) { return kDTypeInfo[static_cast<size_t>(t)]; }
constexpr std::string_view dtype_name(DType t) { return info(t).name; }
constexpr int dtype_bits(DType t) { return info(t).bits; }
constexpr bool is_packed(DType t) { return info(t).bits < 8; }
// Bytes of one element; throws for packed dtypes (use storage_bytes).
size_t dtype_size(DType t);
// Bytes that n elements occupy: ceil(n * bits / 8).
constexpr size_t storage_bytes(DType t, int64_t n) {
  return (static_cast<size_t>(n) * static_cast<size_t>(info(t).bits) + 7) / 8;
}

// Element i of packed i4 storage (see the top of this file), sign-extended.
inline int8_t i4_get(const uint8_t* p, int64_t i) {
  const uint8_t byte = p[i >> 1];
  const int nibble = (i & 1) ? byte >> 4 : byte & 0x0F;
  return static_cast<int8_t>(nibble >= 8 ? nibble - 16 : nibble);
}
// Stores v (must be in [-8, 7]) as element i, leaving the other nibble of its byte alone.
inline void i4_set(uint8_t* p, int64_t i, int v) {
  uint8_t& byte = p[i >> 1];
  const uint8_t nibble = static_cast<uint8_t>(v) & 0x0F;
  byte = (i & 1) ? static_cast<uint8_t>((byte & 0x0F) | (nibble << 4)) : static_cast<uint8_t>((byte & 0xF0) | nibble);
}
// Parses "f32", "i8", ...; returns false when unknown.
bool parse_dtype(std::string_view s, DType* out);

// Maps a C++ element type to its DType (used by Tensor::data<T>() to check access).
struct f16_t { uint16_t bits; };
struct bf16_t { uint16_t bits; };
template <typename T> struct dtype_of;
template <> struct dtype_of<float> { static constexpr DType value = DType::f32; };
template <> struct dtype_of<f16_t> { static constexpr DType value = DType::f16; };
template <> struct dtype_of<bf16_t> { static constexpr DType value = DType::bf16; };
template <> struct dtype_of<int8_t> { static constexpr DType value = DType::i8; };
template <> struct dtype_of<uint8_t> { static constexpr DType value = DType::u8; };
template <> struct dtype_of<int32_t> { static constexpr DType value = DType::i32; };
template <> struct dtype_of<int64_t> { static constexpr DType value = DType::i64; };

}  // namespace prunq
