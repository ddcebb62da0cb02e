#include "io/data/idx.h"

#include <cstring>

#include "io/data/file_bytes.h"

namespace prunq {
namespace {

uint32_t be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

struct IdxType {
  uint8_t code;
  const char* name;
  size_t bytes;  // size of one element in the file
  DType dtype;   // element type of the tensor we return
};

constexpr IdxType kIdxTypes[] = {
    {0x08, "u8", 1, DType::u8},   {0x09, "i8", 1, DType::i8},   {0x0B, "i16", 2, DType::i32},
    {0x0C, "i32", 4, DType::i32}, {0x0D, "f32", 4, DType::f32}, {0x0E, "f64", 8, DType::f32},
};

const IdxType* find_type(uint8_t code) {
  for (const IdxType& t : kIdxTypes)
    if (t.code == code) return &t;
  return nullptr;
}

// Converts `n` big-endian elements of the file type into the tensor's element type.
void decode(const IdxType& t, const uint8_t* src, int64_t n, void* dst) {
  switch (t.code) {
    case 0x08:
    case 0x09:
      std::memcpy(dst, src, size_t(n));
      return;
    case 0x0B: {
      auto* o = static_cast<int32_t*>(dst);
      for (int64_t i = 0; i < n; ++i) o[i] = int16_t(uint16_t((src[2 * i] << 8) | src[2 * i + 1]));
      return;
    }
    case 0x0C: {
      auto* o = static_cast<int32_t*>(dst);
      for (int64_t i = 0; i < n; ++i) o[i] = int32_t(be32(src + 4 * i));
      return;
    }
    case 0x0D: {
      auto* o = static_cast<float*>(dst);
      for (int64_t i = 0; i < n; ++i) {
        uint32_t u = be32(src + 4 * i);
        std::memcpy(&o[i], &u, 4);
      }
      return;
    }
    case 0x0E: {
      auto* o = static_cast<float*>(dst);
      for (int64_t i = 0; i < n; ++i) {
        uint64_t u = (uint64_t(be32(src + 8 * i)) << 32) | be32(src + 8 * i + 4);
        double d;
        std::memcpy(&d, &u, 8);
        o[i] = float(d);
      }
      return;
    }
  }
}

}  // namespace

Tensor parse_idx(const std::vector<uint8_t>& bytes, const std::string& origin) {
  PRUNQ_CHECK(bytes.size() >= 4, "IDX '", origin, "': file is too short (", bytes.size(), " bytes) for the header");
  PRUNQ_CHECK(bytes[0] == 0 && bytes[1] == 0, "IDX '", origin, "': bad magic (first two bytes must be 0; got ",
              int(bytes[0]), ", ", int(bytes[1]), ") - not an IDX file");
  const IdxType* type = find_type(bytes[2]);
  PRUNQ_CHECK(type, "IDX '", origin, "': unknown element type code 0x", std::hex, int(bytes[2]));
  const int rank = bytes[3];
  PRUNQ_CHECK(rank >= 1, "IDX '", origin, "': rank 0 is not supported");
  const size_t header = 4 + 4 * size_t(rank);
  PRUNQ_CHECK(bytes.size() >= header, "IDX '", origin, "': truncated header (rank ", rank, " needs ", header,
              " bytes, file has ", bytes.size(), ")");
  Shape dims;
  uint64_t count = 1;
  for (int i = 0; i < rank; ++i) {
    uint32_t d = be32(bytes.data() + 4 + 4 * i);
    dims.push_back(int64_t(d));
    count *= d;
    PRUNQ_CHECK(count <= (uint64_t(1) << 40), "IDX '", origin, "': dimensions ", shape_str(dims), " are implausibly large");
  }
  const uint64_t need = count * type->bytes;
  const uint64_t have = bytes.size() - header;
  PRUNQ_CHECK(have >= need, "IDX '", origin, "': truncated data: shape ", shape_str(dims), " of ", type->name,
              " needs ", need, " bytes, file has ", have);
  PRUNQ_CHECK(have == need, "IDX '", origin, "': ", have - need, " unexpected trailing bytes after the data of shape ",
              shape_str(dims));
  Tensor t(type->dtype, dims);
  decode(*type, bytes.data() + header, int64_t(count), t.raw());
  return t;
}

Tensor read_idx(const std::string& path) { return parse_idx(read_maybe_gzip(path), path); }

Tensor idx_images_to_f32(const Tensor& raw, const std::string& origin) {
  PRUNQ_CHECK(raw.dtype() == DType::u8, "IDX images '", origin, "': expected u8 pixels, got ", dtype_name(raw.dtype()));
  PRUNQ_CHECK(raw.rank() == 3 || raw.rank() == 4, "IDX images '", origin, "': expected [N, H, W] or [N, C, H, W], got ",
              shape_str(raw.shape()));
  Shape s = raw.shape();
  if (s.size() == 3) s.insert(s.begin() + 1, 1);
  Tensor out(DType::f32, s);
  const uint8_t* src = raw.data<uint8_t>();
  float* dst = out.f32();
  for (int64_t i = 0, n = raw.numel(); i < n; ++i) dst[i] = float(src[i]) * (1.f / 255.f);
  return out;
}

Tensor idx_labels_to_i64(const Tensor& raw, int64_t num_classes, const std::string& origin) {
  PRUNQ_CHECK(raw.rank() == 1, "IDX labels '", origin, "': expected rank 1 [N], got ", shape_str(raw.shape()));
  Tensor out(DType::i64, raw.shape());
  int64_t* dst = out.data<int64_t>();
  for (int64_t i = 0; i < raw.numel(); ++i) {
    int64_t v = 0;
    switch (raw.dtype()) {
      case DType::u8: v = raw.data<uint8_t>()[i]; break;
      case DType::i8: v = raw.data<int8_t>()[i]; break;
      case DType::i32: v = raw.data<int32_t>()[i]; break;
      default: fail("IDX labels '", origin, "': labels must be integers, got ", dtype_name(raw.dtype()));
    }
    PRUNQ_CHECK(v >= 0 && v < num_classes, "IDX labels '", origin, "': label ", v, " at index ", i,
                " is outside [0, ", num_classes, ")");
    dst[i] = v;
  }
  return out;
}

}  // namespace prunq
