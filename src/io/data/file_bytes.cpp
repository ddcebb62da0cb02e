#include "io/data/file_bytes.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "core/error.h"

namespace prunq {

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  PRUNQ_CHECK(in, "cannot open '", path, "': ", std::strerror(errno));
  std::streamsize size = in.tellg();
  PRUNQ_CHECK(size >= 0, "cannot determine the size of '", path, "'");
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  in.seekg(0);
  PRUNQ_CHECK(in.read(reinterpret_cast<char*>(bytes.data()), size), "cannot read '", path, "'");
  return bytes;
}

bool is_gzip(const std::vector<uint8_t>& bytes) {
  return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

std::vector<uint8_t> gunzip(const std::vector<uint8_t>& compressed, const std::string& origin) {
  z_stream zs{};
  // 16 + MAX_WBITS: expect a gzip header and trailer (the CRC is then checked by zlib).
  PRUNQ_CHECK(inflateInit2(&zs, 16 + MAX_WBITS) == Z_OK, "zlib: cannot initialise inflate for '", origin, "'");
  std::vector<uint8_t> out;
  out.reserve(compressed.size() * 4);
  zs.next_in = const_cast<Bytef*>(compressed.data());
  zs.avail_in = static_cast<uInt>(compressed.size());
  uint8_t chunk[1 << 16];
  int rc = Z_OK;
  for (;;) {
    zs.next_out = chunk;
    zs.avail_out = sizeof(chunk);
    rc = inflate(&zs, Z_NO_FLUSH);
    out.insert(out.end(), chunk, chunk + (sizeof(chunk) - zs.avail_out));
    if (rc == Z_STREAM_END) {
      // Concatenated gzip members (as written by `cat a.gz b.gz`) are one logical stream.
      if (zs.avail_in == 0) break;
      inflateReset(&zs);
      continue;
    }
    if (rc != Z_OK) break;
    if (zs.avail_in == 0 && zs.avail_out != 0) {
      rc = Z_BUF_ERROR;  // input exhausted before the end of the stream
      break;
    }
  }
  std::string msg = zs.msg ? zs.msg : "";
  inflateEnd(&zs);
  if (rc == Z_BUF_ERROR) fail("'", origin, "' is truncated: the gzip stream ends early (", compressed.size(), " compressed bytes)");
  PRUNQ_CHECK(rc == Z_STREAM_END, "'", origin, "' is not valid gzip data (zlib: ", msg.empty() ? "error" : msg, ")");
  return out;
}

std::vector<uint8_t> read_maybe_gzip(const std::string& path) {
  std::vector<uint8_t> bytes = read_file_bytes(path);
  return is_gzip(bytes) ? gunzip(bytes, path) : bytes;
}

void write_file_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  PRUNQ_CHECK(out, "cannot create '", path, "': ", std::strerror(errno));
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  PRUNQ_CHECK(out, "cannot write '", path, "'");
}

}  // namespace prunq
