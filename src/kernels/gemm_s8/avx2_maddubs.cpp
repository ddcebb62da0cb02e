// int8 GEMM micro-kernel for AVX2 with vpmaddubsw, for weights proven not to saturate it.
//
// vpmaddubsw multiplies unsigned activation bytes by signed weight bytes and adds adjacent
// products into int16 WITH SATURATION; vpmaddwd against ones then adds two such int16 into int32,
// and vpaddd accumulates: 32 MACs for two multiplies and one add, against avx2.cpp's vpmaddwd on
// widened data (16 MACs per multiply plus one add each). Both use the same two multiplier pipes,
// so this kernel is faster only by the additions and loads it saves -- which is what lifts it from
// about 0.8 to about 0.95 of the multiplier peak.
//
// Why it is exact (checked per packed pair at pack time by weights_fit_maddubs, pack.cpp):
// the kernel's pairs are the weights of k positions (4g, 4g+1) and (4g+2, 4g+3) of each K segment
// for one column (a partial last group is padded with zero weights). For activation bytes
// a0, a1 in [0, 255] and one pair (w0, w1),
//   a0*w0 + a1*w1 <= 255 * (max(w0,0) + max(w1,0))  and  >= 255 * (min(w0,0) + min(w1,0)),
// with equality reachable (a = 255 or 0 where needed). So the int16 sum never saturates for every
// activation exactly when  max(w0,0) + max(w1,0) <= 128  and  min(w0,0) + min(w1,0) >= -128
// (255 * 128 = 32640 <= 32767 and 255 * -128 = -32640 >= -32768, while 255 * 129 = 32895 does
// not fit). Any weights in [-64, 64] qualify, and so does every pair with one zero or with opposite
// signs; (64, 65) or (-128, -1) do not, and such layers run avx2.cpp. Without saturation every
// step is plain integer arithmetic: vpmaddwd(x, 1) adds two int16 exactly, and the int32
// accumulators wrap like the reference's uint32 sum.
#include <immintrin.h>

#include <cstring>

#include "kernels/gemm_s8/ukernel.h"
#include "kernels/gemm_s8/ymm_common.h"

namespace prunq::gemm_s8_detail {
namespace {

// 12 accumulators + 2 weight vectors + broadcast + product: 16 ymm; vpmaddwd reads its ones
// from memory (one load per use, the load ports have room).
constexpr int kMr = 6;

alignas(32) const int16_t kOnes16[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};

// x's int16 pairs summed into int32 (vpmaddwd with ones). Written as assembly with a memory
// operand: given the intrinsic, GCC keeps the ones in a 17th register and spills an accumulator.
inline __m256i sum_pairs(__m256i x) {
  __asm__("vpmaddwd %1, %0, %0" : "+x"(x) : "m"(*reinterpret_cast<const __m256i*>(kOnes16)));
  return x;
}

inline __m256i bcast4(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return _mm256_set1_epi32(static_cast<int>(v));
}

template <bool RowSum>
void tile(const UkernelCall& call) {
  const PackedGemmS8& p = *call.p;
  __m256i rowsum[kMr];
  row_sums<kMr, RowSum>(call, rowsum);
  __m256i c00 = _mm256_setzero_si256(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00,
          c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  const uint8_t* w = call.w;
  // Row sums come from row_sums(), never from the products, so a whole-group read of a tail is
  // fine whenever the caller allows it: its extra bytes meet zero weights.
  const int tail = call.tail_overread ? 0 : p.segment_tail;

#define PRUNQ_STEP(a0, a1, a2, a3, a4, a5)                                                        \
  {                                                                                              \
    const __m256i w0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(w));                   \
    const __m256i w1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(w + 32));              \
    PRUNQ_ROW(0, a0) PRUNQ_ROW(1, a1) PRUNQ_ROW(2, a2) PRUNQ_ROW(3, a3) PRUNQ_ROW(4, a4) PRUNQ_ROW(5, a5) \
    w += 64;                                                                                     \
  }
#define PRUNQ_ROW(r, b_expr)                                                                             \
  {                                                                                                      \
    const __m256i b = b_expr;                                                                            \
    c##r##0 = _mm256_add_epi32(c##r##0, sum_pairs(_mm256_maddubs_epi16(b, w0)));                      \
    c##r##1 = _mm256_add_epi32(c##r##1, sum_pairs(_mm256_maddubs_epi16(b, w1)));                      \
  }
  for (int64_t s = 0; s < p.segments; ++s) {
    const uint8_t *a0 = call.a[s * kMr], *a1 = call.a[s * kMr + 1], *a2 = call.a[s * kMr + 2],
                  *a3 = call.a[s * kMr + 3], *a4 = call.a[s * kMr + 4], *a5 = call.a[s * kMr + 5];
    const int64_t groups = p.segment_groups + (p.segment_tail && !tail ? 1 : 0);
    for (int64_t o = 0; o < groups * 4; o += 4)
      PRUNQ_STEP(bcast4(a0 + o), bcast4(a1 + o), bcast4(a2 + o), bcast4(a3 + o), bcast4(a4 + o), bcast4(a5 + o))
    if (tail) {
      const int64_t o = p.segment_groups * 4;
      auto t = [&](const uint8_t* a) { return _mm256_set1_epi32(static_cast<int>(load_tail(a + o, tail))); };
      PRUNQ_STEP(t(a0), t(a1), t(a2), t(a3), t(a4), t(a5))
    }
  }
#undef PRUNQ_ROW
#undef PRUNQ_STEP
  const __m256i acc[kMr][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  store_tile<kMr, RowSum>(call, acc, rowsum);
}

void run(const UkernelCall& call) { run_tile_for_zero_points(call, tile<false>, tile<true>); }

}  // namespace

const UkernelInfo& ukernel_avx2_maddubs() {
  static const UkernelInfo info = single_panel_ukernel(run, Layout::vnni4, kMr);
  return info;
}

}  // namespace prunq::gemm_s8_detail
