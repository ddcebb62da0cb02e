// The fp32 GEMM dispatch table: for every ISA level, the best micro-kernel compiled into this
// build that the CPU can run at or below that level. Filled once; gemm_f32_prunq then indexes
// it with active_isa() on each call, so a changed PRUNQ_ISA cap takes effect immediately.
#include <array>

#include "kernels/gemm_f32/ukernel.h"

namespace prunq::gemm_detail {
namespace {

constexpr size_t kNumLevels = kNumIsaLevels;

// Levels of the other architecture's chain find nothing here and get the scalar kernel.
const Ukernel* best_for(Isa level) {
#if defined(__x86_64__) || defined(__i386__)
  if (!is_arm_isa(level) && level >= Isa::avx512 && cpu_supports(Isa::avx512)) return &ukernel_avx512();
  if (!is_arm_isa(level) && level >= Isa::avx2 && cpu_supports(Isa::avx2)) return &ukernel_avx2();
#endif
#if defined(__aarch64__)
  if (is_arm_isa(level) && cpu_supports(Isa::neon)) return &ukernel_neon();
#endif
  return &ukernel_scalar();
}

std::array<const Ukernel*, kNumLevels> build_table() {
  std::array<const Ukernel*, kNumLevels> t{};
  for (size_t i = 0; i < kNumLevels; ++i) t[i] = best_for(static_cast<Isa>(i));
  return t;
}

const std::array<const Ukernel*, kNumLevels>& table() {
  static const std::array<const Ukernel*, kNumLevels> t = build_table();
  return t;
}

}  // namespace

const Ukernel& ukernel_active() { return *table()[static_cast<size_t>(active_isa())]; }

const Ukernel* ukernel_for(Isa isa) {
  const Ukernel* k = table()[static_cast<size_t>(isa)];
  // The table falls back to plainer variants; asking for a level explicitly must not silently
  // get one (the VNNI, dot-product and i8mm levels name the fp32 variant below them: they are
  // int8 features).
  Isa want = isa == Isa::avx_vnni ? Isa::avx2 : isa == Isa::avx512_vnni ? Isa::avx512 : isa;
  if (is_arm_isa(isa)) want = Isa::neon;
  return k->isa == want ? k : nullptr;
}

}  // namespace prunq::gemm_detail
