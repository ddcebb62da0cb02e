// Dense n-d tensor: dtype, shape, strides (in elements) and 64-byte aligned, reference-counted
// storage, plus optional quantization parameters (quant()) for integer tensors. Copies share
// storage (like a view); clone() makes a deep copy. Most kernels expect contiguous tensors: call
// contiguous() when in doubt. Packed dtypes (i4) are always contiguous.
#pragma once
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/error.h"
#include "core/quant_params.h"

namespace prunq {

using Shape = std::vector<int64_t>;

std::string shape_str(const Shape& s);      // "[64, 1, 28, 28]"
int64_t shape_numel(const Shape& s);        // product of dims; throws on negative dims
Shape contiguous_strides(const Shape& s);

// Aligned byte buffer. alignment: 64 bytes, so AVX-512 loads of row starts never split lines.
class Buffer {
 public:
  static constexpr size_t kAlign = 64;
  explicit Buffer(size_t bytes);
  ~Buffer();
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  void* data() { return data_; }
  const void* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

class Tensor {
 public:
  Tensor() = default;  // undefined tensor: defined() == false
  Tensor(DType dtype, Shape shape);  // uninitialised contents

  static Tensor zeros(DType dtype, Shape shape);
  static Tensor full(Shape shape, float value);  // f32
  static Tensor from_vector(Shape shape, const std::vector<float>& values);
  static Tensor from_vector_i64(Shape shape, const std::vector<int64_t>& values);
  static Tensor scalar(float v) { return from_vector({}, {v}); }

  bool defined() const { return buf_ != nullptr; }
  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  const std::vector<int64_t>& strides() const { return strides_; }
  int64_t dim(int i) const;  // negative i counts from the end
  int rank() const { return static_cast<int>(shape_.size()); }
  int64_t numel() const { return shape_numel(shape_); }
  size_t nbytes() const { return storage_bytes(dtype_, numel()); }
  bool is_contiguous() const;

  void* raw() { return static_cast<char*>(buf_->data()) + offset_; }
  const void* raw() const { return static_cast<const char*>(buf_->data()) + offset_; }
  template <typename T> T* data() { check_type(dtype_of<T>::value); return static_cast<T*>(raw()); }
  template <typename T> const T* data() const { check_type(dtype_of<T>::value); return static_cast<const T*>(raw()); }
  float* f32() { return data<float>(); }
  const float* f32() const { return data<float>(); }

  // Quantization parameters (real = scale * (q - zero_point)); null for plain tensors.
  const QuantPtr& quant() const { return quant_; }
  bool quantized() const { return quant_ != nullptr; }
  // Attaches (or, with null, removes) parameters; checks them against the dtype and shape.
  void set_quant(QuantPtr q);
  Tensor with_quant(QuantPtr q) const;  // same storage, other parameters

  // Same storage and parameters, new shape (must be contiguous, same numel; one dim may be -1).
  // A per-axis quantized tensor keeps its axis where that dim survives whole, else it is an Error.
  Tensor reshape(Shape new_shape) const;
  Tensor clone() const;          // deep, contiguous copy (parameters kept)
  Tensor contiguous() const;     // this if contiguous, else a copy
  // Converting copy of the stored values (the parameters are dropped: an i8 -> f32 copy holds the
  // integers, not the real values; core/quantize.h converts those). float -> half rounds to
  // nearest even; float -> int truncates toward zero; every conversion to an integer dtype
  // saturates at its range, NaN gives 0.
  Tensor to(DType dtype) const;
  void fill(float v);            // f32 only
  void zero();                   // any dtype
  bool shares_storage(const Tensor& o) const { return buf_ == o.buf_; }

  std::string desc() const;  // "f32[64, 10]"

 private:
  void check_type(DType t) const;
  DType dtype_ = DType::f32;
  Shape shape_;
  std::vector<int64_t> strides_;
  std::shared_ptr<Buffer> buf_;
  size_t offset_ = 0;  // bytes
  QuantPtr quant_;
};

// Max |a-b| over elements (f32). Throws on shape mismatch. Used by tests and checks.
float max_abs_diff(const Tensor& a, const Tensor& b);

}  // namespace prunq
