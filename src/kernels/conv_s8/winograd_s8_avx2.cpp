// AVX2 int8 Winograd stages (winograd_s8_ymm.h): channel-pair products with vpmaddwd, summed
// into the accumulators with vpaddd. vpmaddwd cannot overflow here: |V| <= 25500 and
// |U| <= 12495, so a pair's sum stays below 2^30.
#include "kernels/conv_s8/winograd_s8_ymm.h"

namespace prunq::winograd_s8_detail {
namespace {

struct MaddAdd {
  static __m256i dot(__m256i acc, __m256i a, __m256i b) { return _mm256_add_epi32(acc, _mm256_madd_epi16(a, b)); }
};

}  // namespace

const Kernels& kernels_avx2() {
  static const Kernels k = ymm_kernels<MaddAdd>();
  return k;
}

}  // namespace prunq::winograd_s8_detail
