// Weight packing and kernel selection for the int8 GEMM.
#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "kernels/gemm_s8/gemm_s8.h"
#include "kernels/gemm_s8/ukernel.h"

namespace prunq {

using gemm_s8_detail::kPanelCols;
using gemm_s8_detail::Layout;

std::string_view gemm_s8_kernel_name(GemmS8Kernel k) {
  switch (k) {
    case GemmS8Kernel::scalar: return "scalar";
    case GemmS8Kernel::avx2: return "avx2";
    case GemmS8Kernel::avx_vnni: return "avx_vnni";
    case GemmS8Kernel::avx512_vnni: return "avx512_vnni";
    case GemmS8Kernel::neon: return "neon";
    case GemmS8Kernel::neon_dotprod: return "neon_dotprod";
    case GemmS8Kernel::neon_i8mm: return "neon_i8mm";
  }
  return "?";
}

Isa gemm_s8_kernel_isa(GemmS8Kernel k) {
  switch (k) {
    case GemmS8Kernel::scalar: return Isa::scalar;
    case GemmS8Kernel::avx2: return Isa::avx2;
    case GemmS8Kernel::avx_vnni: return Isa::avx_vnni;
    case GemmS8Kernel::avx512_vnni: return Isa::avx512_vnni;
    case GemmS8Kernel::neon: return Isa::neon;
    case GemmS8Kernel::neon_dotprod: return Isa::neon_dotprod;
    case GemmS8Kernel::neon_i8mm: return Isa::neon_i8mm;
  }
  return Isa::scalar;
}

bool gemm_s8_kernel_available(GemmS8Kernel k) {
  const Isa isa = gemm_s8_kernel_isa(k);
#if !(defined(__x86_64__) || defined(_M_X64))
  if (isa != Isa::scalar && !is_arm_isa(isa)) return false;  // not compiled into this build
#endif
#if !defined(__aarch64__)
  if (is_arm_isa(isa)) return false;
#endif
  return isa_allowed(isa);
}

GemmS8Kernel best_gemm_s8_kernel() {
  for (GemmS8Kernel k : {GemmS8Kernel::avx512_vnni, GemmS8Kernel::avx_vnni, GemmS8Kernel::avx2,
                         GemmS8Kernel::neon_i8mm, GemmS8Kernel::neon_dotprod, GemmS8Kernel::neon})
    if (gemm_s8_kernel_available(k)) return k;
  return GemmS8Kernel::scalar;
}

std::string_view packed_gemm_s8_kernel_name(const PackedGemmS8& p) {
  return p.maddubs ? "avx2_maddubs" : gemm_s8_kernel_name(p.kernel);
}

bool weights_fit_maddubs(const int8_t* w, int64_t n, int64_t k, int64_t ldw, int64_t segments) {
  // The bound is derived in avx2_maddubs.cpp; pairs restart at every segment, and a segment's odd
  // last weight pairs with a zero (which the same test covers).
  const int64_t len = k / segments;
  for (int64_t col = 0; col < n; ++col)
    for (int64_t s = 0; s < segments; ++s) {
      const int8_t* seg = w + col * ldw + s * len;
      for (int64_t i = 0; i < len; i += 2) {
        const int w0 = seg[i], w1 = i + 1 < len ? seg[i + 1] : 0;
        if (std::max(w0, 0) + std::max(w1, 0) > 128 || std::min(w0, 0) + std::min(w1, 0) < -128) return false;
      }
    }
  return true;
}

int64_t qout_size(QOut t) { return t == QOut::u8 || t == QOut::s8 ? 1 : 4; }

const uint8_t* PackedGemmS8::panel_data() const {
  // panels holds 63 spare bytes so the first panel can start on a cache line.
  uintptr_t p = reinterpret_cast<uintptr_t>(panels.data());
  return panels.data() + ((64 - p % 64) % 64);
}

namespace {

// Byte offset of weight (column j of a panel, byte b of K group `group` in the packed order) in a panel.
int64_t packed_offset(Layout layout, int64_t group, int j, int b) {
  if (layout == Layout::vnni4) return (group * kPanelCols + j) * 4 + b;
  if (layout == Layout::s8x8) return (group * kPanelCols + j) * 8 + b;
  int64_t i16 = group * 64 + (b / 2) * 32 + (j / 8) * 16 + (j % 8) * 2 + (b % 2);
  return i16 * 2;
}

}  // namespace

PackedGemmS8 pack_gemm_s8(const int8_t* w, int64_t n, int64_t k, int64_t ldw, const QuantSpec& spec,
                          GemmS8Kernel kernel, int64_t segments) {
  PRUNQ_CHECK(n > 0 && k > 0, "gemm_s8: weights must be non-empty, got N=", n, " K=", k);
  PRUNQ_CHECK(w != nullptr && ldw >= k, "gemm_s8: weight row stride ", ldw, " < K=", k);
  PRUNQ_CHECK(segments > 0 && k % segments == 0, "gemm_s8: K=", k, " is not ", segments, " equal segments");
  PRUNQ_CHECK(k <= 32768, "gemm_s8: K=", k, " exceeds 32768 (int32 accumulators could overflow)");
  PRUNQ_CHECK(gemm_s8_kernel_available(kernel) || kernel == GemmS8Kernel::scalar, "gemm_s8: kernel ",
              gemm_s8_kernel_name(kernel), " is not available on this CPU / ISA cap");
  if (spec.a_signed)
    PRUNQ_CHECK(spec.a_zero_point >= -128 && spec.a_zero_point <= 127, "gemm_s8: int8 activation zero point ",
                spec.a_zero_point, " out of range");
  else
    PRUNQ_CHECK(spec.a_zero_point >= 0 && spec.a_zero_point <= 255, "gemm_s8: uint8 activation zero point ",
                spec.a_zero_point, " out of range");
  PRUNQ_CHECK(spec.w_zero_points.empty() || spec.w_zero_points.size() == 1 ||
                  static_cast<int64_t>(spec.w_zero_points.size()) == n,
              "gemm_s8: w_zero_points has ", spec.w_zero_points.size(), " entries, expected 0, 1 or ", n);
  for (int32_t z : spec.w_zero_points)
    PRUNQ_CHECK(z >= -128 && z <= 127, "gemm_s8: weight zero point ", z, " outside int8 range");
  PRUNQ_CHECK(spec.bias.empty() || static_cast<int64_t>(spec.bias.size()) == n, "gemm_s8: bias has ",
              spec.bias.size(), " entries, expected ", n);

  PackedGemmS8 p;
  p.kernel = kernel;
  p.maddubs = kernel == GemmS8Kernel::avx2 && weights_fit_maddubs(w, n, k, ldw, segments);
  const gemm_s8_detail::UkernelInfo& info = gemm_s8_detail::ukernel_info(p);
  p.n = n;
  p.k = k;
  p.segments = segments;
  p.segment_len = k / segments;
  p.k_group = gemm_s8_detail::layout_k_group(info.layout);
  p.segment_groups = p.segment_len / p.k_group;
  p.segment_tail = static_cast<int>(p.segment_len % p.k_group);
  p.n_padded = (n + kPanelCols - 1) / kPanelCols * kPanelCols;
  int64_t groups_per_segment = p.segment_groups + (p.segment_tail ? 1 : 0);
  int64_t groups = groups_per_segment * segments;
  int64_t elem = info.layout == Layout::i16x2 ? 2 : 1;  // bytes per packed weight
  p.panel_bytes = groups * p.k_group * kPanelCols * elem;
  p.panels.assign(static_cast<size_t>(p.panel_bytes * (p.n_padded / kPanelCols) + 63), 0);
  p.a_signed = spec.a_signed;
  p.a_zero_point_u8 = spec.a_signed ? spec.a_zero_point + 128 : spec.a_zero_point;

  uint8_t* base = const_cast<uint8_t*>(p.panel_data());
  for (int64_t col = 0; col < n; ++col) {
    uint8_t* panel = base + (col / kPanelCols) * p.panel_bytes;
    int j = static_cast<int>(col % kPanelCols);
    for (int64_t s = 0; s < segments; ++s)
      for (int64_t i = 0; i < p.segment_len; ++i) {
        int8_t v = w[col * ldw + s * p.segment_len + i];
        int64_t off = packed_offset(info.layout, s * groups_per_segment + i / p.k_group, j,
                                    static_cast<int>(i % p.k_group));
        if (elem == 1) {
          panel[off] = static_cast<uint8_t>(v);
        } else {
          int16_t v16 = v;
          std::memcpy(panel + off, &v16, 2);
        }
      }
  }

  // Zero-point algebra: sum (a - za)(w - zw) = sum a*w - zw * sum a - za * sum w + K * za * zw.
  // Everything but the zw * sum(a) term is known now. Wrapping uint32 arithmetic, like the kernels.
  // a and za are in the domain the kernel reads: the NEON kernels see byte - 128, and so does za.
  bool any_wzp = false;
  for (int32_t z : spec.w_zero_points) any_wzp |= z != 0;
  p.correction.assign(static_cast<size_t>(p.n_padded), 0);
  if (any_wzp) p.w_zero_points.assign(static_cast<size_t>(p.n_padded), 0);
  const bool signed_domain = is_arm_isa(gemm_s8_kernel_isa(kernel));
  uint32_t za = static_cast<uint32_t>(p.a_zero_point_u8 - (signed_domain ? 128 : 0));
  for (int64_t col = 0; col < n; ++col) {
    uint32_t colsum = 0;
    for (int64_t i = 0; i < k; ++i) colsum += static_cast<uint32_t>(static_cast<int32_t>(w[col * ldw + i]));
    int32_t zw = per_channel(spec.w_zero_points, col, 0);
    uint32_t corr = spec.bias.empty() ? 0u : static_cast<uint32_t>(spec.bias[col]);
    corr += 0u - za * colsum;
    corr += static_cast<uint32_t>(k) * za * static_cast<uint32_t>(zw);
    p.correction[col] = static_cast<int32_t>(corr);
    if (any_wzp) p.w_zero_points[col] = zw;
  }
  p.out = make_output_stage(spec, n, p.n_padded, "gemm_s8");
  return p;
}

}  // namespace prunq
