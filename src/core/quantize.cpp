#include "core/quantize.h"

namespace prunq {
namespace {

// Typed element access, so the loops below are written once for every quantized dtype.
template <DType D> struct Elem;
template <> struct Elem<DType::i8> {
  static int32_t get(const void* p, int64_t i) { return static_cast<const int8_t*>(p)[i]; }
  static void set(void* p, int64_t i, int32_t v) { static_cast<int8_t*>(p)[i] = static_cast<int8_t>(v); }
};
template <> struct Elem<DType::u8> {
  static int32_t get(const void* p, int64_t i) { return static_cast<const uint8_t*>(p)[i]; }
  static void set(void* p, int64_t i, int32_t v) { static_cast<uint8_t*>(p)[i] = static_cast<uint8_t>(v); }
};
template <> struct Elem<DType::i32> {
  static int32_t get(const void* p, int64_t i) { return static_cast<const int32_t*>(p)[i]; }
  static void set(void* p, int64_t i, int32_t v) { static_cast<int32_t*>(p)[i] = v; }
};
template <> struct Elem<DType::i4> {
  static int32_t get(const void* p, int64_t i) { return i4_get(static_cast<const uint8_t*>(p), i); }
  static void set(void* p, int64_t i, int32_t v) { i4_set(static_cast<uint8_t*>(p), i, v); }
};

// f(Elem<D>) for the quantized dtype d.
template <class F>
void with_elem(DType d, const char* what, F&& f) {
  switch (d) {
    case DType::i8: f(Elem<DType::i8>{}); break;
    case DType::u8: f(Elem<DType::u8>{}); break;
    case DType::i32: f(Elem<DType::i32>{}); break;
    case DType::i4: f(Elem<DType::i4>{}); break;
    default: fail(what, ": ", dtype_name(d), " is not a quantized dtype (i8, u8, i4 or i32)");
  }
}

}  // namespace

Tensor quantize(const Tensor& x_in, QuantPtr params, DType dtype) {
  PRUNQ_CHECK(x_in.defined() && x_in.dtype() == DType::f32, "quantize: input must be f32, got ", x_in.desc());
  PRUNQ_CHECK(params, "quantize: no quantization parameters");
  check_quant(*params, dtype, x_in.shape(), "quantize of " + x_in.desc() + " to " + std::string(dtype_name(dtype)));
  const Tensor x = x_in.contiguous();
  Tensor q(dtype, x.shape());
  if (is_packed(dtype)) q.zero();
  const QuantParams& p = *params;
  const QuantIndex index(p, x.shape());
  const int64_t lo = info(dtype).int_min, hi = info(dtype).int_max, n = x.numel();
  const float* src = x.f32();
  with_elem(dtype, "quantize", [&](auto elem) {
    for (int64_t i = 0; i < n; ++i) {
      const size_t k = index(i);
      elem.set(q.raw(), i, quantize_value(src[i], p.scales[k], p.zero_point(k), lo, hi));
    }
  });
  q.set_quant(std::move(params));
  return q;
}

Tensor dequantize(const Tensor& q_in) {
  PRUNQ_CHECK(q_in.defined() && q_in.quantized(), "dequantize: ", q_in.desc(), " has no quantization parameters");
  const Tensor q = q_in.contiguous();
  const QuantParams& p = *q.quant();
  const QuantIndex index(p, q.shape());
  Tensor x(DType::f32, q.shape());
  float* dst = x.f32();
  const int64_t n = q.numel();
  with_elem(q.dtype(), "dequantize", [&](auto elem) {
    for (int64_t i = 0; i < n; ++i) {
      const size_t k = index(i);
      dst[i] = dequantize_value(elem.get(q.raw(), i), p.scales[k], p.zero_point(k));
    }
  });
  return x;
}

Tensor pack_int4(const Tensor& values_in) {
  PRUNQ_CHECK(values_in.defined() && values_in.dtype() == DType::i8, "pack_int4: input must be i8, got ",
              values_in.desc());
  const Tensor v = values_in.contiguous();
  Tensor out = Tensor::zeros(DType::i4, v.shape());
  const int8_t* src = v.data<int8_t>();
  uint8_t* dst = static_cast<uint8_t*>(out.raw());
  for (int64_t i = 0; i < v.numel(); ++i) {
    PRUNQ_CHECK(src[i] >= -8 && src[i] <= 7, "pack_int4: element ", i, " of ", v.desc(), " is ", int(src[i]),
                ", outside i4's [-8, 7]");
    i4_set(dst, i, src[i]);
  }
  if (v.quant()) out.set_quant(v.quant());
  return out;
}

Tensor unpack_int4(const Tensor& packed) {
  PRUNQ_CHECK(packed.defined() && packed.dtype() == DType::i4, "unpack_int4: input must be i4, got ", packed.desc());
  Tensor out(DType::i8, packed.shape());
  const uint8_t* src = static_cast<const uint8_t*>(packed.raw());
  int8_t* dst = out.data<int8_t>();
  for (int64_t i = 0; i < packed.numel(); ++i) dst[i] = i4_get(src, i);
  if (packed.quant()) out.set_quant(packed.quant());
  return out;
}

}  // namespace prunq
