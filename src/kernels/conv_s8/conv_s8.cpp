#include "kernels/conv_s8/conv_s8.h"

#include <cstring>
#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"
#include "kernels/gemm_s8/ukernel.h"

namespace prunq {

void check_conv_s8_shape(const ConvS8Shape& s, const char* what) {
  PRUNQ_CHECK(s.in_h > 0 && s.in_w > 0 && s.in_c > 0 && s.out_c > 0, what, ": empty tensor (H=", s.in_h,
              " W=", s.in_w, " C=", s.in_c, " out C=", s.out_c, ")");
  PRUNQ_CHECK(s.kernel_h > 0 && s.kernel_w > 0, what, ": kernel ", s.kernel_h, "x", s.kernel_w, " is empty");
  PRUNQ_CHECK(s.stride_h > 0 && s.stride_w > 0 && s.dilation_h > 0 && s.dilation_w > 0, what,
              ": strides and dilations must be positive");
  PRUNQ_CHECK(s.pad_top >= 0 && s.pad_left >= 0 && s.pad_bottom >= 0 && s.pad_right >= 0, what,
              ": negative padding");
  PRUNQ_CHECK(s.out_h() > 0 && s.out_w() > 0, what, ": kernel ", s.kernel_h, "x", s.kernel_w,
              " does not fit the padded ", s.in_h, "x", s.in_w, " input");
}

PackedConvS8 pack_conv_s8(const ConvS8Shape& shape, const int8_t* weights_oihw, const QuantSpec& spec,
                          GemmS8Kernel k) {
  check_conv_s8_shape(shape, "conv_s8");
  PRUNQ_CHECK(weights_oihw != nullptr, "conv_s8: no weights");
  const int64_t taps = shape.kernel_h * shape.kernel_w, c = shape.in_c, kk = taps * c;
  // OIHW -> O(HW)I: each tap's input channels become one contiguous K segment.
  std::vector<int8_t> ohwi(static_cast<size_t>(shape.out_c * kk));
  for (int64_t o = 0; o < shape.out_c; ++o)
    for (int64_t i = 0; i < c; ++i)
      for (int64_t t = 0; t < taps; ++t) ohwi[(o * taps + t) * c + i] = weights_oihw[(o * c + i) * taps + t];
  PackedConvS8 p;
  p.shape = shape;
  p.gather_rows = c % 4 != 0 && taps > 1;
  p.gemm = pack_gemm_s8(ohwi.data(), shape.out_c, kk, kk, spec, k, p.gather_rows ? 1 : taps);
  return p;
}

void conv_s8(const PackedConvS8& p, int64_t batch, const void* input, void* output) {
  PRUNQ_CHECK(batch >= 0 && input != nullptr && output != nullptr, "conv_s8: bad batch ", batch, " or null tensor");
  if (batch == 0) return;
  const ConvS8Shape& s = p.shape;
  const int64_t oh = s.out_h(), ow = s.out_w(), c = s.in_c;
  const uint8_t* in = static_cast<const uint8_t*>(input);
  std::vector<uint8_t> flipped;
  if (p.gemm.a_signed) {  // int8 input runs as uint8 (x + 128), matching the shifted zero point
    const int64_t total = batch * s.in_h * s.in_w * c;
    flipped.resize(static_cast<size_t>(total));
    parallel_for(total, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) flipped[i] = in[i] ^ 0x80;
    }, 4096);
    in = flipped.data();
  }
  // Taps in the padding read this row: zero-point bytes contribute (za - za) * w = 0.
  const std::vector<uint8_t> zero_row(static_cast<size_t>(c), static_cast<uint8_t>(p.gemm.a_zero_point_u8));
  const uint8_t* zero = zero_row.data();
  const int64_t kh = s.kernel_h, kw = s.kernel_w, taps = kh * kw;
  // Row pointers of output pixel (b, y, x), one per tap: ptrs[tap * MR + r].
  auto tap_pointers = [&](int64_t b, int64_t y, int64_t x, int MR, int r, const uint8_t** ptrs) {
    const uint8_t* image = in + b * s.in_h * s.in_w * c;
    for (int64_t i = 0; i < kh; ++i) {
      int64_t iy = y * s.stride_h - s.pad_top + i * s.dilation_h;
      bool row_ok = iy >= 0 && iy < s.in_h;
      for (int64_t j = 0; j < kw; ++j) {
        int64_t ix = x * s.stride_w - s.pad_left + j * s.dilation_w;
        ptrs[(i * kw + j) * MR + r] = row_ok && ix >= 0 && ix < s.in_w ? image + (iy * s.in_w + ix) * c : zero;
      }
    }
  };
  gemm_s8_detail::RowFiller fill = [&](int64_t m0, int mr, int MR, const uint8_t** ptrs) {
    int64_t x = m0 % ow, y = (m0 / ow) % oh, b = m0 / (ow * oh);
    for (int r = 0; r < mr; ++r) {  // walk the pixels in order instead of dividing per row
      tap_pointers(b, y, x, MR, r, ptrs);
      if (++x == ow) {
        x = 0;
        if (++y == oh) y = 0, ++b;
      }
    }
    for (int r = mr; r < MR; ++r)
      for (int64_t t = 0; t < taps; ++t) ptrs[t * MR + r] = ptrs[t * MR];
  };
  gemm_s8_detail::RowFiller gather = [&](int64_t m0, int mr, int MR, const uint8_t** ptrs) {
    // Per-thread tile buffer: MR rows of taps * c bytes, each the row's receptive field.
    thread_local std::vector<uint8_t> tile;
    const int64_t kk = taps * c;
    tile.resize(static_cast<size_t>(MR * kk));
    int64_t x = m0 % ow, y = (m0 / ow) % oh, b = m0 / (ow * oh);
    for (int r = 0; r < mr; ++r) {
      uint8_t* dst = tile.data() + r * kk;
      const uint8_t* image = in + b * s.in_h * s.in_w * c;
      const int64_t ix0 = x * s.stride_w - s.pad_left;
      // With dilation_w 1 a kernel row's kw taps are kw * c contiguous input bytes.
      const bool row_inside = s.dilation_w == 1 && ix0 >= 0 && ix0 + kw <= s.in_w;
      for (int64_t i = 0; i < kh; ++i) {
        int64_t iy = y * s.stride_h - s.pad_top + i * s.dilation_h;
        bool row_ok = iy >= 0 && iy < s.in_h;
        if (row_ok && row_inside) {
          const uint8_t* src = image + (iy * s.in_w + ix0) * c;
          for (int64_t q = 0; q < kw * c; ++q) dst[q] = src[q];
          dst += kw * c;
          continue;
        }
        for (int64_t j = 0; j < kw; ++j, dst += c) {
          int64_t ix = ix0 + j * s.dilation_w;
          const uint8_t* src = row_ok && ix >= 0 && ix < s.in_w ? image + (iy * s.in_w + ix) * c : zero;
          for (int64_t ci = 0; ci < c; ++ci) dst[ci] = src[ci];  // c < 4 typically: no memcpy call
        }
      }
      ptrs[r] = tile.data() + r * kk;
      if (++x == ow) {
        x = 0;
        if (++y == oh) y = 0, ++b;
      }
    }
    for (int r = mr; r < MR; ++r) ptrs[r] = ptrs[0];
  };
  gemm_s8_detail::run_packed(p.gemm, batch * oh * ow, p.gather_rows ? gather : fill, output, s.out_c);
}

void conv_s8_reference(const ConvS8Shape& s, const int8_t* w, const QuantSpec& spec, int64_t batch,
                       const void* input, void* output) {
  check_conv_s8_shape(s, "conv_s8_reference");
  OutputStage os = make_output_stage(spec, s.out_c, s.out_c, "conv_s8_reference");
  const int64_t oh = s.out_h(), ow = s.out_w();
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x)
        for (int64_t o = 0; o < s.out_c; ++o) {
          int64_t zw = per_channel(spec.w_zero_points, o, 0);
          int64_t sum = spec.bias.empty() ? 0 : spec.bias[o];
          for (int64_t i = 0; i < s.kernel_h; ++i)
            for (int64_t j = 0; j < s.kernel_w; ++j) {
              int64_t iy = y * s.stride_h - s.pad_top + i * s.dilation_h;
              int64_t ix = x * s.stride_w - s.pad_left + j * s.dilation_w;
              if (iy < 0 || iy >= s.in_h || ix < 0 || ix >= s.in_w) continue;  // padding: a == zero point
              for (int64_t ci = 0; ci < s.in_c; ++ci) {
                int64_t idx = ((b * s.in_h + iy) * s.in_w + ix) * s.in_c + ci;
                int64_t av = spec.a_signed ? static_cast<const int8_t*>(input)[idx]
                                           : static_cast<const uint8_t*>(input)[idx];
                int64_t wv = w[((o * s.in_c + ci) * s.kernel_h + i) * s.kernel_w + j];
                sum += (av - spec.a_zero_point) * (wv - zw);
              }
            }
          store_output_scalar(os, o, static_cast<int32_t>(static_cast<uint32_t>(sum)), output,
                              ((b * oh + y) * ow + x) * s.out_c + o);
        }
}

}  // namespace prunq
