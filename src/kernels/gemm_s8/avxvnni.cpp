// int8 GEMM micro-kernel for AVX-VNNI (VEX-coded 256-bit vpdpbusd: Alder Lake and later Intel
// cores, Zen 5): 32 MACs per instruction on the same packed layout as the AVX-512 kernel,
// one 16-column panel as two ymm halves.
#include <immintrin.h>

#include <cstring>

#include "kernels/gemm_s8/ukernel.h"
#include "kernels/requant/requant_avx2.h"

namespace prunq::gemm_s8_detail {
namespace {

constexpr int kMr = 6;  // 12 accumulators + 2 weight registers + 1 broadcast of 16 ymm

template <bool RowSum>
void tile(const UkernelCall& call) {
  const PackedGemmS8& p = *call.p;
  __m256i acc[kMr][2], rowsum[kMr];
#pragma GCC unroll 8
  for (int r = 0; r < kMr; ++r) acc[r][0] = acc[r][1] = rowsum[r] = _mm256_setzero_si256();
  const __m256i ones = _mm256_set1_epi8(1);
  const uint8_t* w = call.w;

  auto step = [&](const uint32_t (&bytes)[kMr]) {
    __m256i w0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(w));
    __m256i w1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(w + 32));
#pragma GCC unroll 8
    for (int r = 0; r < kMr; ++r) {
      __m256i b = _mm256_set1_epi32(static_cast<int>(bytes[r]));
      acc[r][0] = _mm256_dpbusd_avx_epi32(acc[r][0], b, w0);
      acc[r][1] = _mm256_dpbusd_avx_epi32(acc[r][1], b, w1);
      if constexpr (RowSum) rowsum[r] = _mm256_dpbusd_avx_epi32(rowsum[r], b, ones);
    }
    w += 64;
  };

  for (int64_t s = 0; s < p.segments; ++s) {
    const uint8_t* a[kMr];
#pragma GCC unroll 8
    for (int r = 0; r < kMr; ++r) a[r] = call.a[s * kMr + r];
    uint32_t bytes[kMr];
    for (int64_t g = 0; g < p.segment_groups; ++g) {
#pragma GCC unroll 8
      for (int r = 0; r < kMr; ++r) std::memcpy(&bytes[r], a[r] + g * 4, 4);
      step(bytes);
    }
    if (p.segment_tail) {
      for (int r = 0; r < kMr; ++r) bytes[r] = load_tail(a[r] + p.segment_groups * 4, p.segment_tail);
      step(bytes);
    }
  }

  const OutputStage& os = p.out;
  const avx2::OutBounds8 bounds = avx2::load_bounds8(os);
  const QOut type = os.type;
  const bool narrow = os.narrow_shift;
  for (int h = 0; h < 2; ++h) {
    const int64_t col = call.n0 + h * 8;
    const int rem = call.n_valid - h * 8;
    if (rem <= 0) break;
    const avx2::Requant8 rq = avx2::load_requant8(os, col);
    const __m256i corr = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.correction.data() + col));
    __m256i wzp = _mm256_setzero_si256();
    if constexpr (RowSum) wzp = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.w_zero_points.data() + col));
#pragma GCC unroll 8
    for (int r = 0; r < kMr; ++r) {
      if (r >= call.mr) break;
      __m256i x = _mm256_add_epi32(acc[r][h], corr);
      if constexpr (RowSum) x = _mm256_sub_epi32(x, _mm256_mullo_epi32(wzp, rowsum[r]));
      avx2::store_output8(type, narrow, rq, bounds, x, call.c, call.c_index + r * call.ldc + h * 8, rem < 8 ? rem : 8);
    }
  }
}

void run(const UkernelCall& call) {
  if (call.p->w_zero_points.empty())
    tile<false>(call);
  else
    tile<true>(call);
}

}  // namespace

const UkernelInfo& ukernel_avx_vnni() {
  static const UkernelInfo info = [] {
    UkernelInfo i;
    i.run = run;
    i.layout = Layout::vnni4;
    i.max_nv = 1;
    i.mr[0] = kMr;
    return i;
  }();
  return info;
}

}  // namespace prunq::gemm_s8_detail
