// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum zlib and PNG use; own code
// because the runtime links no third-party library. crc32("123456789") == 0xCBF43926.
#pragma once
#include <cstddef>
#include <cstdint>

namespace prunq {

// Continues a running CRC: crc32(b, nb, crc32(a, na)) == crc32 of a followed by b.
uint32_t crc32(const void* data, size_t size, uint32_t crc = 0);

}  // namespace prunq
