#include "io/data/npy.h"

#include <cctype>
#include <cstring>

#include "io/data/file_bytes.h"

namespace prunq {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;

// Maps a descr (after validating byte order) to the tensor dtype; f64 is narrowed on read.
bool descr_to_dtype(const std::string& d, DType* out, bool* is_f64) {
  *is_f64 = false;
  if (d.size() < 3) return false;
  const char order = d[0];
  const std::string code = d.substr(1);
  const bool single_byte = code == "u1" || code == "i1";
  // '|' means "not applicable" (single bytes); '<' little-endian; '=' native (we are little-endian).
  if (!(order == '<' || order == '=' || (order == '|' && single_byte))) return false;
  if (code == "f4") *out = DType::f32;
  else if (code == "f8") { *out = DType::f32; *is_f64 = true; }
  else if (code == "f2") *out = DType::f16;
  else if (code == "i8") *out = DType::i64;
  else if (code == "i4") *out = DType::i32;
  else if (code == "u1") *out = DType::u8;
  else if (code == "i1") *out = DType::i8;
  else return false;
  return true;
}

const char* dtype_to_descr(DType t) {
  switch (t) {
    case DType::f32: return "<f4";
    case DType::f16: return "<f2";
    case DType::i64: return "<i8";
    case DType::i32: return "<i4";
    case DType::u8: return "|u1";
    case DType::i8: return "|i1";
    default: return nullptr;
  }
}

// Minimal reader for the header's Python dict literal: {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& origin) : s_(text), origin_(origin) {}

  std::string string_value(const std::string& key) {
    size_t p = value_pos(key);
    PRUNQ_CHECK(p < s_.size() && (s_[p] == '\'' || s_[p] == '"'), bad("'", key, "' is not a string"));
    char q = s_[p];
    size_t e = s_.find(q, p + 1);
    PRUNQ_CHECK(e != std::string::npos, bad("unterminated string for '", key, "'"));
    return s_.substr(p + 1, e - p - 1);
  }

  bool bool_value(const std::string& key) {
    size_t p = value_pos(key);
    if (s_.compare(p, 4, "True") == 0) return true;
    if (s_.compare(p, 5, "False") == 0) return false;
    fail(bad("'", key, "' is not True/False"));
  }

  Shape tuple_value(const std::string& key) {
    size_t p = value_pos(key);
    PRUNQ_CHECK(p < s_.size() && s_[p] == '(', bad("'", key, "' is not a tuple"));
    size_t e = s_.find(')', p);
    PRUNQ_CHECK(e != std::string::npos, bad("unterminated tuple for '", key, "'"));
    Shape dims;
    size_t i = p + 1;
    while (i < e) {
      while (i < e && (s_[i] == ' ' || s_[i] == ',')) ++i;
      if (i >= e) break;
      PRUNQ_CHECK(std::isdigit(static_cast<unsigned char>(s_[i])), bad("bad dimension in shape '", s_.substr(p, e - p + 1), "'"));
      int64_t d = 0;
      while (i < e && std::isdigit(static_cast<unsigned char>(s_[i]))) {
        d = d * 10 + (s_[i++] - '0');
        PRUNQ_CHECK(d < (int64_t(1) << 40), bad("dimension too large"));
      }
      // NumPy may write "3L" in old Python 2 files.
      if (i < e && s_[i] == 'L') ++i;
      dims.push_back(d);
    }
    return dims;
  }

 private:
  template <typename... A>
  std::string bad(A&&... a) const {
    return detail::concat("NPY '", origin_, "': malformed header: ", std::forward<A>(a)..., " (header: ", s_, ")");
  }
  size_t value_pos(const std::string& key) {
    size_t k = s_.find("'" + key + "'");
    if (k == std::string::npos) k = s_.find("\"" + key + "\"");
    PRUNQ_CHECK(k != std::string::npos, bad("missing key '", key, "'"));
    size_t c = s_.find(':', k);
    PRUNQ_CHECK(c != std::string::npos, bad("no ':' after '", key, "'"));
    size_t p = c + 1;
    while (p < s_.size() && s_[p] == ' ') ++p;
    return p;
  }
  const std::string& s_;
  const std::string& origin_;
};

uint32_t le32(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24; }

}  // namespace

Tensor parse_npy(const std::vector<uint8_t>& bytes, const std::string& origin) {
  PRUNQ_CHECK(bytes.size() >= 10 && std::memcmp(bytes.data(), kMagic, kMagicLen) == 0, "NPY '", origin,
              "': not a .npy file (missing \\x93NUMPY magic)");
  const int major = bytes[6];
  PRUNQ_CHECK(major >= 1 && major <= 3, "NPY '", origin, "': unsupported format version ", major, ".", int(bytes[7]));
  size_t header_len, header_start;
  if (major == 1) {
    header_len = size_t(bytes[8]) | size_t(bytes[9]) << 8;
    header_start = 10;
  } else {
    PRUNQ_CHECK(bytes.size() >= 12, "NPY '", origin, "': truncated header");
    header_len = le32(bytes.data() + 8);
    header_start = 12;
  }
  PRUNQ_CHECK(bytes.size() >= header_start + header_len, "NPY '", origin, "': truncated header (needs ",
              header_start + header_len, " bytes, file has ", bytes.size(), ")");
  const std::string header(reinterpret_cast<const char*>(bytes.data() + header_start), header_len);
  HeaderParser hp(header, origin);
  const std::string descr = hp.string_value("descr");
  DType dtype;
  bool is_f64 = false;
  PRUNQ_CHECK(descr_to_dtype(descr, &dtype, &is_f64), "NPY '", origin, "': unsupported dtype '", descr,
              "' (supported: little-endian <f4 <f8 <f2 <i8 <i4 |u1 |i1)");
  PRUNQ_CHECK(!hp.bool_value("fortran_order"), "NPY '", origin,
              "': Fortran-order arrays are not supported (save with np.ascontiguousarray)");
  const Shape shape = hp.tuple_value("shape");

  Tensor t(dtype, shape);
  const size_t elem = is_f64 ? 8 : dtype_size(dtype);
  const size_t need = size_t(t.numel()) * elem;
  const size_t have = bytes.size() - header_start - header_len;
  PRUNQ_CHECK(have >= need, "NPY '", origin, "': truncated data: shape ", shape_str(shape), " of '", descr, "' needs ",
              need, " bytes, file has ", have);
  PRUNQ_CHECK(have == need, "NPY '", origin, "': ", have - need, " unexpected trailing bytes after the data");
  const uint8_t* src = bytes.data() + header_start + header_len;
  if (is_f64) {
    float* o = t.f32();
    for (int64_t i = 0; i < t.numel(); ++i) {
      double d;
      std::memcpy(&d, src + 8 * size_t(i), 8);
      o[i] = float(d);
    }
  } else {
    std::memcpy(t.raw(), src, need);
  }
  return t;
}

Tensor read_npy(const std::string& path) { return parse_npy(read_file_bytes(path), path); }

std::vector<uint8_t> serialize_npy(const Tensor& tensor) {
  PRUNQ_CHECK(tensor.defined(), "NPY: cannot write an undefined tensor");
  const char* descr = dtype_to_descr(tensor.dtype());
  PRUNQ_CHECK(descr, "NPY: dtype ", dtype_name(tensor.dtype()), " has no NumPy equivalent; convert it first");
  Tensor t = tensor.contiguous();
  std::string shape = "(";
  for (size_t i = 0; i < t.shape().size(); ++i) shape += std::to_string(t.shape()[i]) + (t.rank() == 1 ? "," : i + 1 < t.shape().size() ? ", " : "");
  shape += ")";
  std::string header = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  // The data must start 64-byte aligned; the header ends with '\n' (NumPy's convention).
  const bool v2 = header.size() + 1 + 10 > 65535;
  const size_t prefix = v2 ? 12 : 10;
  const size_t total = (prefix + header.size() + 1 + 63) / 64 * 64;
  header.append(total - prefix - header.size() - 1, ' ');
  header += '\n';

  std::vector<uint8_t> out(kMagic, kMagic + kMagicLen);
  out.push_back(v2 ? 2 : 1);
  out.push_back(0);
  const size_t hl = header.size();
  out.push_back(uint8_t(hl));
  out.push_back(uint8_t(hl >> 8));
  if (v2) {
    out.push_back(uint8_t(hl >> 16));
    out.push_back(uint8_t(hl >> 24));
  }
  out.insert(out.end(), header.begin(), header.end());
  const auto* data = static_cast<const uint8_t*>(t.raw());
  out.insert(out.end(), data, data + t.nbytes());
  return out;
}

void write_npy(const std::string& path, const Tensor& t) { write_file_bytes(path, serialize_npy(t)); }

}  // namespace prunq
