// Whole-file reads and crash-safe writes (POSIX; the runtime has no other dependency).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace prunq {

// Writes `path` so that readers see either the old file or the complete new one, never a
// partial file: the data goes to a temporary file in the same folder, is fsync'ed, renamed
// over `path`, and the folder is fsync'ed so the rename survives a power cut.
void write_file_atomic(const std::string& path, const void* data, size_t size);

// The whole file; an Error naming the file when it cannot be opened or read.
std::vector<uint8_t> read_file(const std::string& path);

}  // namespace prunq
