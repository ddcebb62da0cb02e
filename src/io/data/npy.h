// NumPy .npy files: version 1.0/2.0/3.0 headers, little-endian (or byte-order free) element types
// f32 '<f4', f64 '<f8' (read as f32), f16 '<f2', i64 '<i8', i32 '<i4', u8 '|u1', i8 '|i1', C order.
// Anything else (big-endian, Fortran order, object arrays, ...) is an Error that says what and why.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace prunq {

Tensor parse_npy(const std::vector<uint8_t>& bytes, const std::string& origin);
Tensor read_npy(const std::string& path);

// Serialises a tensor as .npy (version 1.0, or 2.0 when the header needs it). bf16 has no
// NumPy type and is an Error.
std::vector<uint8_t> serialize_npy(const Tensor& t);
void write_npy(const std::string& path, const Tensor& t);

}  // namespace prunq
