#include "kernels/gemm_s8/s8_peak.h"

#include "core/error.h"
#include "kernels/peak/peak.h"

namespace prunq {

double measure_s8_peak_gmacs(GemmS8Kernel k, double seconds) {
  using Loop = uint64_t (*)(uint64_t, int, int*);
  Loop loop = nullptr;
#if defined(__x86_64__) || defined(_M_X64)
  if (k == GemmS8Kernel::avx512_vnni && cpu_supports(Isa::avx512_vnni)) loop = s8_peak_detail::dpbusd_loop_avx512_vnni;
  if (k == GemmS8Kernel::avx_vnni && cpu_supports(Isa::avx_vnni)) loop = s8_peak_detail::dpbusd_loop_avx_vnni;
  if (k == GemmS8Kernel::avx2 && cpu_supports(Isa::avx2)) loop = s8_peak_detail::maddubs_loop_avx2;
#endif
  PRUNQ_CHECK(loop, "s8 peak: no dot-product loop for kernel ", gemm_s8_kernel_name(k), " on this CPU");
  PRUNQ_CHECK(seconds > 0, "s8 peak: measuring time must be positive, got ", seconds);
  int sink = 0;
  return best_rate_giga(seconds, [&](uint64_t iters, int rep) { return loop(iters, rep < 0 ? 1 : rep + 2, &sink); });
}

}  // namespace prunq
