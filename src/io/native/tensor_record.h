// Reading and writing one tensor record of the native model file (layout in model_file.h).
#pragma once
#include <string>

#include "core/tensor.h"
#include "io/native/byte_stream.h"

namespace prunq {

inline constexpr uint32_t kMaxTensorRank = 16;
inline constexpr size_t kTensorDataAlign = 64;

// Writes `t` densely. `file_offset` is the writer's position 0 as a file offset (the header
// length), so the data lands on a 64-byte file offset.
void write_tensor_record(ByteWriter& w, const Tensor& t, size_t file_offset);

// `what` names the tensor in errors ("initializer 'conv1.weight'").
Tensor read_tensor_record(ByteReader& r, const std::string& what);

// Shared by value types and tensor records: a dtype byte must name a known dtype.
DType read_dtype(ByteReader& r, const std::string& what);

}  // namespace prunq
