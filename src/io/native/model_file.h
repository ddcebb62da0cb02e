// prunq's native model file (".prunq"): the whole Graph in one versioned, checksummed,
// little-endian file the runtime can load without any third-party library.
//
// File layout, format version 1 (all integers little-endian):
//
//   offset 0     magic        8 bytes  "PRUNQMDL"
//   offset 8     version      u32      1 (readers refuse newer versions)
//   offset 12    flags        u32      0 (reserved; readers refuse unknown bits)
//   offset 16    payload_len  u64      P; the file is exactly 28 + P bytes
//   offset 24    payload      P bytes  (below)
//   offset 24+P  crc32        u32      CRC-32 (IEEE) of bytes [0, 24 + P)
//
// Payload, in order (str = u32 length + UTF-8 bytes; id = i32 ValueId):
//   str graph_name
//   u32 n_values,  each: str name, u8 dtype, u8 rank_known, u32 rank, i64 dims[rank] (-1 = unknown)
//   u32 n_inputs,  id each
//   u32 n_outputs, id each
//   u32 n_nodes,   each: str op, str name, str domain,
//                        u32 n_in,  id each (-1 = omitted optional input),
//                        u32 n_out, id each,
//                        u32 n_attrs, each: str key, u8 kind, value
//                          kind 0 int: i64 | 1 float: f32 | 2 string: str | 3 ints: u32 n, i64[n]
//                          4 floats: u32 n, f32[n] | 5 tensor: tensor record
//   u32 n_inits,   each: id, u8 flags (bit 0 trainable, bit 1 has mask), tensor record data,
//                        [tensor record mask]
//
// Tensor record:
//   u8 encoding, u8 dtype, u32 rank, i64 dims[rank] (>= 0), u64 byte_len,
//   zero padding up to the next 64-byte file offset (so a loader may map the data in place),
//   byte_len bytes of encoded data.
//
// Encodings (TensorEncoding). `dtype` and `dims` always describe the logical dense tensor.
//   0 dense        row-major elements, little-endian; byte_len = numel * dtype size.
//   1 csr          reserved (sparse weights): the tensor as a [rows = dims[0], cols = rest] matrix:
//                  u64 nnz, i32 row_ptr[rows + 1], i32 col_idx[nnz], values[nnz] of `dtype`.
//   2 nm_sparse    reserved (N:M structured sparsity along the last dim): u8 n, u8 m, then per
//                  group of m: the n kept values of `dtype` and their n in-group indices (u8).
//   3 quant_int8   reserved: u32 axis (-1 per tensor), u32 n_scales, f32 scales[n_scales],
//                  i8 zero_points[n_scales], then numel i8 values; dtype = the dequantized type.
//   4 quant_int4   reserved: as quant_int8, values packed two per byte, low nibble first.
// A reader that meets an encoding it does not implement refuses the file with a named Error.
// New fields go into a new format version; readers keep reading every older version.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace prunq {

inline constexpr uint32_t kModelFormatVersion = 1;

enum class TensorEncoding : uint8_t { dense = 0, csr = 1, nm_sparse = 2, quant_int8 = 3, quant_int4 = 4 };

std::vector<uint8_t> serialize_model(const Graph& graph);
// Validates everything (magic, version, checksum, every length, dtype and value id); any problem is
// an Error starting with `source` (the file name) that says what is wrong.
Graph deserialize_model(const uint8_t* data, size_t size, const std::string& source = "<buffer>");

void save_model(const Graph& graph, const std::string& path);  // atomic (see file_util.h)
Graph load_model(const std::string& path);

}  // namespace prunq
