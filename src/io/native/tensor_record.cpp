#include "io/native/tensor_record.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "io/native/model_file.h"

namespace prunq {
namespace {

const char* encoding_name(uint8_t e) {
  switch (static_cast<TensorEncoding>(e)) {
    case TensorEncoding::dense: return "dense";
    case TensorEncoding::csr: return "csr";
    case TensorEncoding::nm_sparse: return "nm_sparse";
    case TensorEncoding::quant_int8: return "quant_int8";
    case TensorEncoding::quant_int4: return "quant_int4";
  }
  return "unknown";
}

size_t padding_for(size_t offset) { return (kTensorDataAlign - offset % kTensorDataAlign) % kTensorDataAlign; }

// Element bytes are stored little-endian; big-endian hosts swap each element.
void swap_elements_if_big_endian(uint8_t* p, size_t n, size_t elem) {
  if constexpr (std::endian::native == std::endian::big) {
    for (size_t i = 0; i < n; ++i) std::reverse(p + i * elem, p + (i + 1) * elem);
  } else {
    (void)p, (void)n, (void)elem;
  }
}

}  // namespace

DType read_dtype(ByteReader& r, const std::string& what) {
  uint8_t code = r.u8("dtype");
  if (code >= static_cast<uint8_t>(DType::kCount))
    r.corrupt(detail::concat(what, ": unknown dtype code ", int(code)));
  return static_cast<DType>(code);
}

void write_tensor_record(ByteWriter& w, const Tensor& t, size_t file_offset) {
  PRUNQ_CHECK(t.defined(), "cannot serialise an undefined tensor");
  Tensor c = t.contiguous();
  w.u8(static_cast<uint8_t>(TensorEncoding::dense));
  w.u8(static_cast<uint8_t>(c.dtype()));
  w.u32(static_cast<uint32_t>(c.rank()));
  for (int64_t d : c.shape()) w.i64(d);
  w.u64(c.nbytes());
  w.zeros(padding_for(file_offset + w.size()));
  size_t at = w.size();
  w.raw(c.raw(), c.nbytes());
  if (!is_packed(c.dtype()))
    swap_elements_if_big_endian(w.bytes().data() + at, static_cast<size_t>(c.numel()), dtype_size(c.dtype()));
}

Tensor read_tensor_record(ByteReader& r, const std::string& what) {
  uint8_t encoding = r.u8("tensor encoding");
  if (encoding != static_cast<uint8_t>(TensorEncoding::dense))
    r.corrupt(detail::concat(what, " uses tensor encoding ", int(encoding), " (", encoding_name(encoding),
                             "), which this build cannot read"));
  DType dtype = read_dtype(r, what);
  uint32_t rank = r.u32("tensor rank");
  if (rank > kMaxTensorRank) r.corrupt(detail::concat(what, ": rank ", rank, " exceeds the limit ", kMaxTensorRank));
  Shape shape(rank);
  // The element count is bounded by the bytes left in the file before anything is allocated.
  const uint64_t max_elems = r.remaining() * 8 / static_cast<uint64_t>(dtype_bits(dtype));
  uint64_t numel = 1;
  bool too_big = false, empty = false;
  for (uint32_t i = 0; i < rank; ++i) {
    int64_t d = r.i64("tensor dim");
    if (d < 0) r.corrupt(detail::concat(what, ": negative dimension ", d));
    shape[i] = d;
    if (d == 0) empty = true;
    else if (numel > max_elems / static_cast<uint64_t>(d)) too_big = true;  // checked before multiplying
    else numel *= static_cast<uint64_t>(d);
  }
  if (empty) numel = 0, too_big = false;
  if (too_big || numel > max_elems)
    r.corrupt(detail::concat(what, ": shape ", shape_str(shape), " needs more bytes than the file has left"));
  uint64_t byte_len = r.u64("tensor byte length");
  uint64_t expected = storage_bytes(dtype, static_cast<int64_t>(numel));
  if (byte_len != expected)
    r.corrupt(detail::concat(what, ": ", byte_len, " data bytes for dense ", dtype_name(dtype), shape_str(shape),
                             ", expected ", expected));
  r.skip(padding_for(r.offset()), "tensor padding");
  const uint8_t* src = r.take(static_cast<size_t>(byte_len), "tensor data");
  Tensor t(dtype, std::move(shape));
  if (byte_len) std::memcpy(t.raw(), src, static_cast<size_t>(byte_len));
  if (!is_packed(dtype))
    swap_elements_if_big_endian(static_cast<uint8_t*>(t.raw()), static_cast<size_t>(numel), dtype_size(dtype));
  return t;
}

}  // namespace prunq
