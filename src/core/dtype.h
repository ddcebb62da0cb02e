// Element types and their traits table. Adding a dtype means adding a row to kDTypeInfo;
// the static_assert below breaks the build if the table and the enum drift apart.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace prunq {

enum class DType : uint8_t { f32 = 0, f16, bf16, i8, u8, i32, i64, kCount };

struct DTypeInfo {
  DType dtype;
  std::string_view name;
  size_t size;        // bytes per element
  bool is_float;
  bool is_signed;
};

inline constexpr std::array<DTypeInfo, static_cast<size_t>(DType::kCount)> kDTypeInfo{{
    {DType::f32, "f32", 4, true, true},
    {DType::f16, "f16", 2, true, true},
    {DType::bf16, "bf16", 2, true, true},
    {DType::i8, "i8", 1, false, true},
    {DType::u8, "u8", 1, false, false},
    {DType::i32, "i32", 4, false, true},
    {DType::i64, "i64", 8, false, true},
}};

constexpr bool dtype_table_is_ordered() {
  for (size_t i = 0; i < kDTypeInfo.size(); ++i)
    if (static_cast<size_t>(kDTypeInfo[i].dtype) != i) return false;
  return true;
}
static_assert(dtype_table_is_ordered(), "kDTypeInfo rows must follow the DType enum order");

constexpr const DTypeInfo& info(DType t) { return kDTypeInfo[static_cast<size_t>(t)]; }
constexpr size_t dtype_size(DType t) { return info(t).size; }
constexpr std::string_view dtype_name(DType t) { return info(t).name; }
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
