// AVX-VNNI int8 Winograd stages (winograd_s8_ymm.h): channel-pair products accumulated by the
// VEX-coded vpdpwssd (Alder Lake and later Intel cores, Zen 5), one instruction where AVX2
// needs two.
#include "kernels/conv_s8/winograd_s8_ymm.h"

namespace prunq::winograd_s8_detail {
namespace {

struct DotWssd {
  static __m256i dot(__m256i acc, __m256i a, __m256i b) { return _mm256_dpwssd_avx_epi32(acc, a, b); }
};

}  // namespace

const Kernels& kernels_avx_vnni() {
  static const Kernels k = ymm_kernels<DotWssd>();
  return k;
}

}  // namespace prunq::winograd_s8_detail
