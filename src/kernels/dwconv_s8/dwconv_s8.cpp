#include "kernels/dwconv_s8/dwconv_s8.h"

#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"
#include "kernels/conv_s8/window_checks.h"

namespace prunq {

const char* dwconv_s8_kernel_name(DwConvS8Kernel k) {
  switch (k) {
    case DwConvS8Kernel::scalar: return "scalar";
    case DwConvS8Kernel::avx2: return "avx2";
    case DwConvS8Kernel::avx512_vnni: return "avx512_vnni";
    case DwConvS8Kernel::neon: return "neon";
  }
  return "?";
}

bool dwconv_s8_kernel_available(DwConvS8Kernel k) {
  switch (k) {
    case DwConvS8Kernel::scalar: return true;
    case DwConvS8Kernel::avx2: return gemm_s8_kernel_available(GemmS8Kernel::avx2);
    case DwConvS8Kernel::avx512_vnni: return gemm_s8_kernel_available(GemmS8Kernel::avx512_vnni);
    case DwConvS8Kernel::neon: return gemm_s8_kernel_available(GemmS8Kernel::neon);
  }
  return false;
}

DwConvS8Kernel best_dwconv_s8_kernel() {
  if (dwconv_s8_kernel_available(DwConvS8Kernel::avx512_vnni)) return DwConvS8Kernel::avx512_vnni;
  if (dwconv_s8_kernel_available(DwConvS8Kernel::avx2)) return DwConvS8Kernel::avx2;
  if (dwconv_s8_kernel_available(DwConvS8Kernel::neon)) return DwConvS8Kernel::neon;
  return DwConvS8Kernel::scalar;
}

void check_dwconv_s8_shape(const DwConvS8Shape& s, const char* what) {
  PRUNQ_CHECK(s.in_h > 0 && s.in_w > 0 && s.channels > 0, what, ": empty input (H=", s.in_h, " W=", s.in_w,
              " C=", s.channels, ")");
  PRUNQ_CHECK(s.kernel_h > 0 && s.kernel_w > 0 && s.kernel_h * s.kernel_w <= 1024, what, ": kernel ", s.kernel_h,
              "x", s.kernel_w, " is empty or too large");
  check_conv_window(s, what);
}

PackedDwConvS8 pack_dwconv_s8(const DwConvS8Shape& shape, const int8_t* weights, const QuantSpec& spec,
                              DwConvS8Kernel k) {
  check_dwconv_s8_shape(shape, "dwconv_s8");
  PRUNQ_CHECK(weights != nullptr, "dwconv_s8: no weights");
  PRUNQ_CHECK(dwconv_s8_kernel_available(k) || k == DwConvS8Kernel::scalar, "dwconv_s8: kernel ",
              dwconv_s8_kernel_name(k), " is not available on this CPU / ISA cap");
  const int64_t c = shape.channels, taps = shape.kernel_h * shape.kernel_w;
  if (spec.a_signed)
    PRUNQ_CHECK(spec.a_zero_point >= -128 && spec.a_zero_point <= 127, "dwconv_s8: int8 activation zero point ",
                spec.a_zero_point, " out of range");
  else
    PRUNQ_CHECK(spec.a_zero_point >= 0 && spec.a_zero_point <= 255, "dwconv_s8: uint8 activation zero point ",
                spec.a_zero_point, " out of range");
  PRUNQ_CHECK(spec.w_zero_points.empty() || spec.w_zero_points.size() == 1 ||
                  static_cast<int64_t>(spec.w_zero_points.size()) == c,
              "dwconv_s8: w_zero_points has ", spec.w_zero_points.size(), " entries, expected 0, 1 or ", c);
  for (int32_t z : spec.w_zero_points)
    PRUNQ_CHECK(z >= -128 && z <= 127, "dwconv_s8: weight zero point ", z, " outside int8 range");
  PRUNQ_CHECK(spec.bias.empty() || static_cast<int64_t>(spec.bias.size()) == c, "dwconv_s8: bias has ",
              spec.bias.size(), " entries, expected ", c);

  PackedDwConvS8 p;
  p.shape = shape;
  p.kernel = k;
  p.block = k == DwConvS8Kernel::avx512_vnni ? 32 : 16;
  // AVX2 pairs two kernel rows at one kernel column (avx2.cpp), the others consecutive taps.
  const bool row_pairs = k == DwConvS8Kernel::avx2;
  p.tap_pairs = row_pairs ? shape.kernel_w * ((shape.kernel_h + 1) / 2) : (taps + 1) / 2;
  p.padded_channels = (c + p.block - 1) / p.block * p.block;
  p.a_signed = spec.a_signed;
  p.a_zero_point_u8 = spec.a_signed ? spec.a_zero_point + 128 : spec.a_zero_point;
  p.raw_weights.assign(weights, weights + c * taps);
  p.spec = spec;
  p.out = make_output_stage(spec, c, p.padded_channels, "dwconv_s8");

  // x86: the interleaved order of vpunpck{l,h}wd: within each 8-channel group of a 128-bit lane,
  // channels 0-3 land in the "lo" vector and 4-7 in "hi", each as an int16 pair: taps (t, t+1), or
  // on AVX2 kernel rows (2q, 2q+1) of column j, pair j * ceil(kh / 2) + q.
  // NEON: tap-major, channels in order (the widened activations line up with them as loaded).
  const int64_t blk = p.block;
  p.weights.assign(static_cast<size_t>(p.padded_channels / blk * p.tap_pairs * 2 * blk), 0);  // NEON: taps <= 2 * pairs
  p.correction.assign(static_cast<size_t>(p.padded_channels), 0);
  const uint32_t za = static_cast<uint32_t>(p.a_zero_point_u8);
  for (int64_t ch = 0; ch < c; ++ch) {
    const int32_t zw = per_channel(spec.w_zero_points, ch, 0);
    const int64_t cb = ch / blk, ci = ch % blk, lane = ci / 8, pos = ci % 8;
    uint32_t wsum = 0;
    for (int64_t t = 0; t < taps; ++t) {
      int32_t wv = weights[ch * taps + t] - zw;  // in [-255, 255]: exact in int16
      wsum += static_cast<uint32_t>(wv);
      const int64_t i = t / shape.kernel_w, j = t % shape.kernel_w;
      const int64_t pair = row_pairs ? j * ((shape.kernel_h + 1) / 2) + i / 2 : t / 2, half = pos / 4;
      const int64_t second = row_pairs ? i % 2 : t % 2;
      int64_t idx = k == DwConvS8Kernel::neon
                        ? (cb * taps + t) * blk + ci
                        : ((cb * p.tap_pairs + pair) * 2 + half) * blk + lane * 8 + (pos % 4) * 2 + second;
      p.weights[static_cast<size_t>(idx)] = static_cast<int16_t>(wv);
    }
    uint32_t corr = spec.bias.empty() ? 0u : static_cast<uint32_t>(spec.bias[ch]);
    p.correction[ch] = static_cast<int32_t>(corr - za * wsum);
  }
  return p;
}

void dwconv_s8(const PackedDwConvS8& p, int64_t batch, const void* input, void* output) {
  PRUNQ_CHECK(batch >= 0 && input != nullptr && output != nullptr, "dwconv_s8: bad batch ", batch,
              " or null tensor");
  if (batch == 0) return;
  if (p.kernel == DwConvS8Kernel::scalar) {
    dwconv_s8_reference(p.shape, p.raw_weights.data(), p.spec, batch, input, output);
    return;
  }
  dwconv_s8_detail::RowFn row = nullptr;
#if defined(__x86_64__) || defined(_M_X64)
  if (p.kernel == DwConvS8Kernel::avx2 || p.kernel == DwConvS8Kernel::avx512_vnni) {
    PRUNQ_CHECK(cpu_supports(p.kernel == DwConvS8Kernel::avx2 ? Isa::avx2 : Isa::avx512_vnni), "dwconv_s8: weights ",
                "packed for ", dwconv_s8_kernel_name(p.kernel), " which this CPU lacks");
    row = p.kernel == DwConvS8Kernel::avx2 ? dwconv_s8_detail::row_avx2 : dwconv_s8_detail::row_avx512_vnni;
  }
#endif
#if defined(__aarch64__)
  if (p.kernel == DwConvS8Kernel::neon) {
    PRUNQ_CHECK(cpu_supports(Isa::neon), "dwconv_s8: weights packed for neon, which this CPU lacks");
    row = dwconv_s8_detail::row_neon;
  }
#endif
  PRUNQ_CHECK(row != nullptr, "dwconv_s8: no ", dwconv_s8_kernel_name(p.kernel), " kernel in this build");
  const DwConvS8Shape& s = p.shape;
  const uint8_t* in = static_cast<const uint8_t*>(input);
  std::vector<uint8_t> flipped;
  if (p.a_signed) {  // int8 input runs as uint8 (x + 128), matching the shifted zero point
    const int64_t total = batch * s.in_h * s.in_w * s.channels;
    flipped.resize(static_cast<size_t>(total));
    parallel_for(total, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) flipped[i] = in[i] ^ 0x80;
    }, 4096);
    in = flipped.data();
  }
  const std::vector<uint8_t> zero_row(static_cast<size_t>(s.channels), static_cast<uint8_t>(p.a_zero_point_u8));
  const int64_t oh = s.out_h(), ow = s.out_w();
  parallel_for(batch * oh, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) row(p, in, zero_row.data(), r / oh, r % oh, output, r * ow * s.channels);
  });
}

void dwconv_s8_reference(const DwConvS8Shape& s, const int8_t* w, const QuantSpec& spec, int64_t batch,
                         const void* input, void* output) {
  check_dwconv_s8_shape(s, "dwconv_s8_reference");
  OutputStage os = make_output_stage(spec, s.channels, s.channels, "dwconv_s8_reference");
  const int64_t oh = s.out_h(), ow = s.out_w(), c = s.channels, taps = s.kernel_h * s.kernel_w;
  std::vector<int64_t> acc(static_cast<size_t>(c));
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x) {
        for (int64_t ch = 0; ch < c; ++ch) acc[ch] = spec.bias.empty() ? 0 : spec.bias[ch];
        for (int64_t i = 0; i < s.kernel_h; ++i)
          for (int64_t j = 0; j < s.kernel_w; ++j) {
            int64_t iy = y * s.stride_h - s.pad_top + i * s.dilation_h;
            int64_t ix = x * s.stride_w - s.pad_left + j * s.dilation_w;
            if (iy < 0 || iy >= s.in_h || ix < 0 || ix >= s.in_w) continue;  // padding: a == zero point
            const int64_t base = ((b * s.in_h + iy) * s.in_w + ix) * c;
            for (int64_t ch = 0; ch < c; ++ch) {
              int64_t av = spec.a_signed ? static_cast<const int8_t*>(input)[base + ch]
                                         : static_cast<const uint8_t*>(input)[base + ch];
              int64_t wv = w[ch * taps + i * s.kernel_w + j] - per_channel(spec.w_zero_points, ch, 0);
              acc[ch] += (av - spec.a_zero_point) * wv;
            }
          }
        for (int64_t ch = 0; ch < c; ++ch)
          store_output_scalar(os, ch, static_cast<int32_t>(static_cast<uint32_t>(acc[ch])), output,
                              ((b * oh + y) * ow + x) * c + ch);
      }
}

namespace dwconv_s8_detail {

const uint8_t* const* row_tap_pointers(const PackedDwConvS8& p, const uint8_t* in, const uint8_t* zero_row, int64_t b,
                                       int64_t y) {
  const DwConvS8Shape& s = p.shape;
  const int64_t c = s.channels, kh = s.kernel_h, kw = s.kernel_w, taps = kh * kw, ow = s.out_w();
  thread_local std::vector<const uint8_t*> ptrs;
  ptrs.resize(static_cast<size_t>(ow * taps));
  const uint8_t* image = in + b * s.in_h * s.in_w * c;
  for (int64_t x = 0; x < ow; ++x)
    for (int64_t i = 0; i < kh; ++i) {
      int64_t iy = y * s.stride_h - s.pad_top + i * s.dilation_h;
      for (int64_t j = 0; j < kw; ++j) {
        int64_t ix = x * s.stride_w - s.pad_left + j * s.dilation_w;
        bool inside = iy >= 0 && iy < s.in_h && ix >= 0 && ix < s.in_w;
        ptrs[static_cast<size_t>(x * taps + i * kw + j)] = inside ? image + (iy * s.in_w + ix) * c : zero_row;
      }
    }
  return ptrs.data();
}

}  // namespace dwconv_s8_detail

}  // namespace prunq
