#include "kernels/conv_s8/conv_s8.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"
#include "kernels/conv_s8/window_checks.h"
#include "kernels/gemm_s8/ukernel.h"

namespace prunq {

void check_conv_s8_shape(const ConvS8Shape& s, const char* what) {
  PRUNQ_CHECK(s.in_h > 0 && s.in_w > 0 && s.in_c > 0 && s.out_c > 0, what, ": empty tensor (H=", s.in_h,
              " W=", s.in_w, " C=", s.in_c, " out C=", s.out_c, ")");
  PRUNQ_CHECK(s.kernel_h > 0 && s.kernel_w > 0, what, ": kernel ", s.kernel_h, "x", s.kernel_w, " is empty");
  check_conv_window(s, what);
}

namespace {

bool winograd_disabled_by_env() {
  static const bool off = [] {
    const char* e = std::getenv("PRUNQ_CONV_S8");
    return e != nullptr && std::strcmp(e, "direct") == 0;
  }();
  return off;
}

// direct_maddubs: the direct convolution would run AVX2's vpmaddubsw form.
bool use_winograd(const ConvS8Shape& shape, const int8_t* w, const QuantSpec& spec, GemmS8Kernel k,
                  ConvS8Algorithm algorithm, bool direct_maddubs) {
  switch (algorithm) {
    case ConvS8Algorithm::direct: return false;
    case ConvS8Algorithm::winograd: return true;
    case ConvS8Algorithm::automatic: break;
  }
  // Measured faster than direct: AVX-512 VNNI, and AVX2 (about 2.2x on the fmnist layers).
  // AVX-VNNI stays direct until measured on a CPU that has it: its direct kernel has vpdpbusd,
  // twice vpdpwssd's MACs per instruction.
  const bool measured = k == GemmS8Kernel::avx512_vnni || k == GemmS8Kernel::avx2;
  return measured && shape.in_c >= winograd_min_channels(k, direct_maddubs) && !winograd_disabled_by_env() &&
         winograd_s8_exact(shape, w, spec);
}

}  // namespace

PackedConvS8 pack_conv_s8(const ConvS8Shape& shape, const int8_t* weights_oihw, const QuantSpec& spec,
                          GemmS8Kernel k, ConvS8Algorithm algorithm) {
  check_conv_s8_shape(shape, "conv_s8");
  PRUNQ_CHECK(weights_oihw != nullptr, "conv_s8: no weights");
  const int64_t taps = shape.kernel_h * shape.kernel_w, c = shape.in_c, kk = taps * c;
  // OIHW -> O(HW)I: each tap's input channels become one contiguous K segment.
  std::vector<int8_t> ohwi(static_cast<size_t>(shape.out_c * kk));
  for (int64_t o = 0; o < shape.out_c; ++o)
    for (int64_t i = 0; i < c; ++i)
      for (int64_t t = 0; t < taps; ++t) ohwi[(o * taps + t) * c + i] = weights_oihw[(o * c + i) * taps + t];
  const bool kernel_row_segments = shape.dilation_w == 1;
  const int64_t segments = kernel_row_segments ? shape.kernel_h : taps;
  const bool direct_maddubs = k == GemmS8Kernel::avx2 && weights_fit_maddubs(ohwi.data(), shape.out_c, kk, kk, segments);
  PackedConvS8 p;
  p.shape = shape;
  if (use_winograd(shape, weights_oihw, spec, k, algorithm, direct_maddubs)) {
    p.winograd = true;
    p.wino = pack_winograd_s8(shape, weights_oihw, spec, k);
    return p;
  }
  p.kernel_row_segments = kernel_row_segments;
  p.gemm = pack_gemm_s8(ohwi.data(), shape.out_c, kk, kk, spec, k, segments);
  return p;
}

namespace {

// The geometry a row filler needs, copied into plain values: the fillers store bytes and
// pointers, which may alias anything, and would otherwise reload every field after each store.
struct Geometry {
  int64_t c, kh, kw, in_h, in_w, sh, sw, dh, dw, pt, pl, oh, ow;
  explicit Geometry(const ConvS8Shape& s)
      : c(s.in_c), kh(s.kernel_h), kw(s.kernel_w), in_h(s.in_h), in_w(s.in_w), sh(s.stride_h), sw(s.stride_w),
        dh(s.dilation_h), dw(s.dilation_w), pt(s.pad_top), pl(s.pad_left), oh(s.out_h()), ow(s.out_w()) {}
};

// One pointer per tap (any dilation): into the input, or at `zero` in the padding.
void fill_taps(const Geometry g, const uint8_t* in, const uint8_t* zero, int64_t m0, int mr, int MR,
               const uint8_t** ptrs) {
  const int64_t taps = g.kh * g.kw;
  int64_t x = m0 % g.ow, y = (m0 / g.ow) % g.oh, b = m0 / (g.ow * g.oh);
  for (int r = 0; r < mr; ++r) {
    const uint8_t* image = in + b * g.in_h * g.in_w * g.c;
    for (int64_t i = 0; i < g.kh; ++i) {
      const int64_t iy = y * g.sh - g.pt + i * g.dh;
      const bool row_ok = iy >= 0 && iy < g.in_h;
      for (int64_t j = 0; j < g.kw; ++j) {
        const int64_t ix = x * g.sw - g.pl + j * g.dw;
        ptrs[(i * g.kw + j) * MR + r] = row_ok && ix >= 0 && ix < g.in_w ? image + (iy * g.in_w + ix) * g.c : zero;
      }
    }
    if (++x == g.ow) {
      x = 0;
      if (++y == g.oh) y = 0, ++b;
    }
  }
  for (int r = mr; r < MR; ++r)
    for (int64_t t = 0; t < taps; ++t) ptrs[t * MR + r] = ptrs[t * MR];
}

// Kernel-row segments (dilation_w == 1) read the input through a copy with the padding
// materialised as zero-point bytes: then every kernel row of every output pixel is a plain
// pointer (no per-pixel border tests, no per-pixel copies of rows that cross the padding), and
// the copy also flips int8 input to uint8 on the way. Measured on fmnist-cnn: 1.05 -> 0.72 ms for
// the 1-channel layer (whose 3 vpdpbusd per 16 outputs cost less than the border handling) and
// about 4% on the 32- and 64-channel ones, copy included. Unpadded uint8 input whose kernel rows
// are whole 4-byte groups (1x1 convolutions, mostly) is used in place.
struct PaddedInput {
  std::vector<uint8_t> copy;
  const uint8_t* data = nullptr;
  int64_t row_bytes = 0, image_bytes = 0;
};

PaddedInput pad_input(const Geometry& g, int64_t batch, const uint8_t* in, bool flip_sign, uint8_t zero_point) {
  PaddedInput p;
  const bool unpadded = g.pt == 0 && g.pl == 0 && (g.oh - 1) * g.sh + (g.kh - 1) * g.dh < g.in_h &&
                        (g.ow - 1) * g.sw + g.kw <= g.in_w;
  if (unpadded && !flip_sign && (g.kw * g.c) % 4 == 0) {  // no partial K group: nothing read past a row
    p.data = in;
    p.row_bytes = g.in_w * g.c;
    p.image_bytes = g.in_h * p.row_bytes;
    return p;
  }
  // Tall and wide enough for the input after the top/left padding and for every kernel row read.
  const int64_t ph = std::max(g.in_h + g.pt, (g.oh - 1) * g.sh + (g.kh - 1) * g.dh + 1);
  const int64_t pw = std::max(g.in_w + g.pl, (g.ow - 1) * g.sw + g.kw);
  p.row_bytes = pw * g.c;
  p.image_bytes = ph * p.row_bytes;
  // 3 bytes of slack: the micro-kernel may read a kernel row's last partial K group whole.
  p.copy.assign(static_cast<size_t>(batch * p.image_bytes + 3), zero_point);
  const int64_t in_row = g.in_w * g.c;
  parallel_for(batch, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b)
      for (int64_t y = 0; y < g.in_h; ++y) {
        uint8_t* dst = p.copy.data() + b * p.image_bytes + (y + g.pt) * p.row_bytes + g.pl * g.c;
        const uint8_t* src = in + (b * g.in_h + y) * in_row;
        if (flip_sign)  // int8 -> uint8 (x + 128), matching the shifted zero point
          for (int64_t i = 0; i < in_row; ++i) dst[i] = src[i] ^ 0x80;
        else
          std::memcpy(dst, src, static_cast<size_t>(in_row));
      }
  });
  p.data = p.copy.data();
  return p;
}

// One pointer per kernel row (segment) of output pixels m0 .. m0+mr-1, into the padded input.
void fill_padded_rows(const Geometry g, const PaddedInput& pad, int64_t m0, int mr, int MR, const uint8_t** ptrs) {
  // Runs once per micro-kernel tile (conv1: every 12 pixels), so it walks the pixels with
  // additions only; two divisions locate the first one.
  const int64_t rb = pad.row_bytes, ib = pad.image_bytes, xstep = g.sw * g.c, ystep = g.sh * rb,
                row_step = g.dh * rb, image_pixels = g.oh * g.ow;
  const int64_t b = m0 / image_pixels, in_image = m0 - b * image_pixels, y0 = in_image / g.ow;
  int64_t x = in_image - y0 * g.ow, y = y0;
  const uint8_t* image = pad.data + b * ib;
  const uint8_t* row = image + y * ystep;
  const uint8_t* p = row + x * xstep;
  for (int r = 0; r < mr; ++r) {
    for (int64_t i = 0; i < g.kh; ++i) ptrs[i * MR + r] = p + i * row_step;
    p += xstep;
    if (++x == g.ow) {
      x = 0;
      if (++y == g.oh) {
        y = 0;
        image += ib;
        row = image;
      } else {
        row += ystep;
      }
      p = row;
    }
  }
  for (int r = mr; r < MR; ++r)
    for (int64_t i = 0; i < g.kh; ++i) ptrs[i * MR + r] = ptrs[i * MR];
}

}  // namespace

void conv_s8(const PackedConvS8& p, int64_t batch, const void* input, void* output) {
  PRUNQ_CHECK(batch >= 0 && input != nullptr && output != nullptr, "conv_s8: bad batch ", batch, " or null tensor");
  if (batch == 0) return;
  if (p.winograd) return conv_winograd_s8(p.wino, p.shape, batch, input, output);
  const ConvS8Shape& s = p.shape;
  const int64_t oh = s.out_h(), ow = s.out_w(), c = s.in_c;
  const uint8_t* in = static_cast<const uint8_t*>(input);
  const Geometry g(s);
  const int64_t m = batch * oh * ow;
  if (p.kernel_row_segments) {
    const PaddedInput padded =
        pad_input(g, batch, in, p.gemm.a_signed, static_cast<uint8_t>(p.gemm.a_zero_point_u8));
    // The padded copy has 3 readable bytes after every kernel row; in-place input has no partial groups.
    gemm_s8_detail::run_packed(
        p.gemm, m, [&](int64_t m0, int mr, int MR, const uint8_t** ptrs) { fill_padded_rows(g, padded, m0, mr, MR, ptrs); },
        output, s.out_c, true);
    return;
  }
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
  gemm_s8_detail::run_packed(
      p.gemm, m, [&](int64_t m0, int mr, int MR, const uint8_t** ptrs) { fill_taps(g, in, zero, m0, mr, MR, ptrs); },
      output, s.out_c, false);
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
