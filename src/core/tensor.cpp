#include "core/tensor.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <cstring>
#include <map>
#include <mutex>
#include <new>
#include <sstream>

#include "core/half.h"

namespace prunq {

std::string shape_str(const Shape& s) {
  std::ostringstream os;
  os << '[';
  for (size_t i = 0; i < s.size(); ++i) os << (i ? ", " : "") << s[i];
  os << ']';
  return os.str();
}

int64_t shape_numel(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) {
    PRUNQ_CHECK(d >= 0, "shape ", shape_str(s), " has a negative (unresolved) dimension");
    n *= d;
  }
  return n;
}

Shape contiguous_strides(const Shape& s) {
  Shape st(s.size());
  int64_t acc = 1;
  for (size_t i = s.size(); i-- > 0;) {
    st[i] = acc;
    acc *= s[i];
  }
  return st;
}

namespace {
// Recycles large buffers. A training step allocates the same activation and gradient sizes every
// iteration; handing them back to the OS (glibc unmaps big blocks) made every step fault all
// their pages in again (measured: system time as large as compute time). Blocks are reused only
// at exactly the same rounded size, and the cache holds a bounded number of bytes.
class BufferCache {
 public:
  static constexpr size_t kMinBytes = size_t(256) << 10;  // smaller ones come from malloc's own bins
  static constexpr size_t kMaxCachedBytes = size_t(1) << 30;

  void* take(size_t rounded) {
    if (rounded < kMinBytes) return nullptr;
    std::lock_guard<std::mutex> lk(mu_);
    auto it = free_.find(rounded);
    if (it == free_.end()) return nullptr;
    void* p = it->second;
    free_.erase(it);
    cached_ -= rounded;
    return p;
  }

  void give(void* p, size_t rounded) {
    if (rounded >= kMinBytes) {
      std::lock_guard<std::mutex> lk(mu_);
      if (cached_ + rounded <= kMaxCachedBytes) {
        free_.emplace(rounded, p);
        cached_ += rounded;
        return;
      }
    }
    std::free(p);
  }

 private:
  std::mutex mu_;
  std::multimap<size_t, void*> free_;
  size_t cached_ = 0;
};

// Never destroyed: tensors in static storage may be released after any static destructor ran.
BufferCache& buffer_cache() {
  static BufferCache* cache = new BufferCache();
  return *cache;
}

size_t rounded_size(size_t bytes) {
  size_t r = (bytes + Buffer::kAlign - 1) / Buffer::kAlign * Buffer::kAlign;
  if (r >= BufferCache::kMinBytes) r = (r + 4095) / 4096 * 4096;  // page multiples: more reuse
  return r == 0 ? Buffer::kAlign : r;
}
}  // namespace

Buffer::Buffer(size_t bytes) : size_(bytes) {
  size_t rounded = rounded_size(bytes);
  data_ = buffer_cache().take(rounded);
  if (!data_) data_ = std::aligned_alloc(kAlign, rounded);
  if (!data_) fail("out of memory allocating ", bytes, " bytes for a tensor");
}
Buffer::~Buffer() { buffer_cache().give(data_, rounded_size(size_)); }

Tensor::Tensor(DType dtype, Shape shape)
    : dtype_(dtype), shape_(std::move(shape)), strides_(contiguous_strides(shape_)) {
  buf_ = std::make_shared<Buffer>(storage_bytes(dtype, shape_numel(shape_)));
}

Tensor Tensor::zeros(DType dtype, Shape shape) {
  Tensor t(dtype, std::move(shape));
  t.zero();
  return t;
}

Tensor Tensor::full(Shape shape, float value) {
  Tensor t(DType::f32, std::move(shape));
  t.fill(value);
  return t;
}

Tensor Tensor::from_vector(Shape shape, const std::vector<float>& values) {
  Tensor t(DType::f32, std::move(shape));
  PRUNQ_CHECK(static_cast<int64_t>(values.size()) == t.numel(), "from_vector: ", values.size(),
              " values for shape ", shape_str(t.shape()));
  if (!values.empty()) std::memcpy(t.raw(), values.data(), values.size() * sizeof(float));
  return t;
}

Tensor Tensor::from_vector_i64(Shape shape, const std::vector<int64_t>& values) {
  Tensor t(DType::i64, std::move(shape));
  PRUNQ_CHECK(static_cast<int64_t>(values.size()) == t.numel(), "from_vector_i64: ", values.size(),
              " values for shape ", shape_str(t.shape()));
  if (!values.empty()) std::memcpy(t.raw(), values.data(), values.size() * sizeof(int64_t));
  return t;
}

int64_t Tensor::dim(int i) const {
  int r = rank();
  int j = i < 0 ? i + r : i;
  PRUNQ_CHECK(j >= 0 && j < r, "dimension ", i, " out of range for tensor ", desc());
  return shape_[static_cast<size_t>(j)];
}

bool Tensor::is_contiguous() const { return strides_ == contiguous_strides(shape_); }

void Tensor::check_type(DType t) const {
  PRUNQ_CHECK(defined(), "access to an undefined tensor");
  PRUNQ_CHECK(t == dtype_, "tensor of dtype ", dtype_name(dtype_), " accessed as ", dtype_name(t));
}

Tensor Tensor::reshape(Shape new_shape) const {
  PRUNQ_CHECK(is_contiguous(), "reshape of a non-contiguous tensor ", desc());
  int64_t known = 1;
  int infer = -1;
  for (size_t i = 0; i < new_shape.size(); ++i) {
    if (new_shape[i] == -1) {
      PRUNQ_CHECK(infer < 0, "reshape ", shape_str(new_shape), ": more than one -1");
      infer = static_cast<int>(i);
    } else {
      known *= new_shape[i];
    }
  }
  if (infer >= 0) {
    PRUNQ_CHECK(known > 0 && numel() % known == 0, "cannot reshape ", desc(), " to ", shape_str(new_shape));
    new_shape[static_cast<size_t>(infer)] = numel() / known;
  }
  PRUNQ_CHECK(shape_numel(new_shape) == numel(), "cannot reshape ", desc(), " to ", shape_str(new_shape));
  Tensor t = *this;
  std::optional<QuantPtr> q =
      remap_quant_axes(quant_, [&](int64_t axis) { return reshaped_axis(shape_, new_shape, axis); });
  PRUNQ_CHECK(q, "cannot reshape ", desc(), " to ", shape_str(new_shape), ": its quantization (", quant_str(quant_),
              ") is per channel along an axis the new shape splits or merges");
  t.quant_ = *q;
  t.shape_ = std::move(new_shape);
  t.strides_ = contiguous_strides(t.shape_);
  return t;
}

void Tensor::set_quant(QuantPtr q) {
  if (q) check_quant(*q, dtype_, shape_, "tensor " + desc());
  quant_ = std::move(q);
}

Tensor Tensor::with_quant(QuantPtr q) const {
  Tensor t = *this;
  t.set_quant(std::move(q));
  return t;
}

namespace {
// Copies a strided tensor into a contiguous destination, element by element.
void strided_copy(const Tensor& src, void* dst) {
  size_t es = dtype_size(src.dtype());  // packed dtypes are never strided
  int64_t n = src.numel();
  int r = src.rank();
  std::vector<int64_t> idx(static_cast<size_t>(r), 0);
  const char* base = static_cast<const char*>(src.raw());
  char* out = static_cast<char*>(dst);
  for (int64_t k = 0; k < n; ++k) {
    int64_t off = 0;
    for (int d = 0; d < r; ++d) off += idx[static_cast<size_t>(d)] * src.strides()[static_cast<size_t>(d)];
    std::memcpy(out + static_cast<size_t>(k) * es, base + static_cast<size_t>(off) * es, es);
    for (int d = r - 1; d >= 0; --d) {
      if (++idx[static_cast<size_t>(d)] < src.shape()[static_cast<size_t>(d)]) break;
      idx[static_cast<size_t>(d)] = 0;
    }
  }
}

double load_as_double(DType t, const void* p, int64_t i) {
  switch (t) {
    case DType::f32: return static_cast<const float*>(p)[i];
    case DType::f16: return f16_to_f32(static_cast<const uint16_t*>(p)[i]);
    case DType::bf16: return bf16_to_f32(static_cast<const uint16_t*>(p)[i]);
    case DType::i8: return static_cast<const int8_t*>(p)[i];
    case DType::u8: return static_cast<const uint8_t*>(p)[i];
    case DType::i32: return static_cast<const int32_t*>(p)[i];
    case DType::i64: return static_cast<double>(static_cast<const int64_t*>(p)[i]);
    case DType::i4: return i4_get(static_cast<const uint8_t*>(p), i);
    default: fail("unknown dtype");
  }
}

// v truncated toward zero and clamped to T's range; NaN -> 0. Casting an out-of-range double to
// an integer is undefined behaviour, so the bounds are tested first (in double, where
// 2^63 is exact: `v >= hi + 1` with hi + 1 a power of two).
template <class T>
T saturate_to(double v, int64_t lo = std::numeric_limits<T>::min(), int64_t hi = std::numeric_limits<T>::max()) {
  if (std::isnan(v)) return T(0);
  v = std::trunc(v);
  if (v <= static_cast<double>(lo)) return static_cast<T>(lo);
  if (v >= static_cast<double>(hi) + 1.0) return static_cast<T>(hi);
  return static_cast<T>(v);
}

void store_from_double(DType t, void* p, int64_t i, double v) {
  switch (t) {
    case DType::f32: static_cast<float*>(p)[i] = static_cast<float>(v); break;
    case DType::f16: static_cast<uint16_t*>(p)[i] = f32_to_f16(static_cast<float>(v)); break;
    case DType::bf16: static_cast<uint16_t*>(p)[i] = f32_to_bf16(static_cast<float>(v)); break;
    case DType::i8: static_cast<int8_t*>(p)[i] = saturate_to<int8_t>(v); break;
    case DType::u8: static_cast<uint8_t*>(p)[i] = saturate_to<uint8_t>(v); break;
    case DType::i32: static_cast<int32_t*>(p)[i] = saturate_to<int32_t>(v); break;
    case DType::i64: static_cast<int64_t*>(p)[i] = saturate_to<int64_t>(v); break;
    case DType::i4: i4_set(static_cast<uint8_t*>(p), i, saturate_to<int8_t>(v, -8, 7)); break;
    default: fail("unknown dtype");
  }
}
}  // namespace

Tensor Tensor::clone() const {
  PRUNQ_CHECK(defined(), "clone of an undefined tensor");
  Tensor t(dtype_, shape_);
  if (is_contiguous())
    std::memcpy(t.raw(), raw(), nbytes());
  else
    strided_copy(*this, t.raw());
  t.quant_ = quant_;
  return t;
}

Tensor Tensor::contiguous() const { return is_contiguous() ? *this : clone(); }

Tensor Tensor::to(DType dtype) const {
  Tensor src = contiguous();
  if (dtype == dtype_) {
    Tensor t = src.clone();
    t.quant_ = nullptr;
    return t;
  }
  Tensor t(dtype, shape_);
  if (is_packed(dtype)) t.zero();  // nibble stores keep the other half of each byte
  int64_t n = numel();
  for (int64_t i = 0; i < n; ++i) store_from_double(dtype, t.raw(), i, load_as_double(dtype_, src.raw(), i));
  return t;
}

void Tensor::fill(float v) {
  float* p = f32();
  int64_t n = numel();
  PRUNQ_CHECK(is_contiguous(), "fill of a non-contiguous tensor");
  for (int64_t i = 0; i < n; ++i) p[i] = v;
}

void Tensor::zero() {
  PRUNQ_CHECK(defined() && is_contiguous(), "zero of an undefined or non-contiguous tensor");
  std::memset(raw(), 0, nbytes());
}

std::string Tensor::desc() const {
  if (!defined()) return "<undefined>";
  return std::string(dtype_name(dtype_)) + shape_str(shape_);
}

float max_abs_diff(const Tensor& a, const Tensor& b) {
  PRUNQ_CHECK(a.shape() == b.shape(), "max_abs_diff: shapes ", shape_str(a.shape()), " and ",
              shape_str(b.shape()), " differ");
  Tensor ca = a.to(DType::f32), cb = b.to(DType::f32);
  const float* pa = ca.f32();
  const float* pb = cb.f32();
  float m = 0;
  for (int64_t i = 0; i < ca.numel(); ++i) {
    float d = std::fabs(pa[i] - pb[i]);
    if (std::isnan(d)) return INFINITY;
    m = d > m ? d : m;
  }
  return m;
}

size_t dtype_size(DType t) {
  PRUNQ_CHECK(!is_packed(t), dtype_name(t), " is packed (", dtype_bits(t),
              " bits per element) and has no per-element byte size; use storage_bytes");
  return static_cast<size_t>(info(t).bits / 8);
}

bool parse_dtype(std::string_view s, DType* out) {
  for (const auto& r : kDTypeInfo)
    if (r.name == s) {
      *out = r.dtype;
      return true;
    }
  return false;
}

}  // namespace prunq
