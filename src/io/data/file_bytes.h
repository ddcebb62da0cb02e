// Whole-file reads for the dataset loaders. Datasets here are small (tens of MB), so reading a
// file into memory once and parsing from a byte span keeps every parser simple and testable
// on in-memory buffers.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace prunq {

// Reads a file; a missing or unreadable file is an Error naming the path.
std::vector<uint8_t> read_file_bytes(const std::string& path);

// True when the bytes start with the gzip magic (1f 8b).
bool is_gzip(const std::vector<uint8_t>& bytes);

// Inflates a gzip stream (concatenated members allowed). Truncated or corrupt data is an Error
// naming `origin` (usually the file path).
std::vector<uint8_t> gunzip(const std::vector<uint8_t>& compressed, const std::string& origin);

// read_file_bytes, inflated when the content is gzip (by magic, not by file name).
std::vector<uint8_t> read_maybe_gzip(const std::string& path);

// Writes bytes to a file, replacing it; failures are an Error naming the path.
void write_file_bytes(const std::string& path, const std::vector<uint8_t>& bytes);

}  // namespace prunq
