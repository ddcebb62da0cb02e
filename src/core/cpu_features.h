// Run-time CPU feature detection (CPUID + XGETBV on x86, HWCAP on aarch64 Linux) and the ISA
// level kernels may use. PRUNQ_ISA=scalar|avx2|avx_vnni|avx512|avx512_vnni (x86) or
// scalar|neon|neon_dotprod|neon_i8mm (aarch64) caps the level (never raises it), so tests and
// users with a misbehaving CPU can force plainer kernels. set_isa_cap() does the same in code.
// A cap naming the other architecture's level allows only the scalar kernels there.
#pragma once
#include <string_view>

namespace prunq {

// Two chains above scalar, one per architecture, each ordered: a level implies the ones below it
// in its chain on the machines we target. Levels of the other chain are never supported.
enum class Isa : int {
  scalar = 0,       // portable C++, the reference
  avx2 = 1,         // AVX2 + FMA + F16C
  avx_vnni = 2,     // AVX2 + 256-bit VNNI (Alder Lake+, Zen 5)
  avx512 = 3,       // AVX-512 F/BW/DQ/VL
  avx512_vnni = 4,  // AVX-512 + VNNI
  neon = 5,         // AArch64 Advanced SIMD (every ARMv8-A core: Cortex-A53, A72, ...)
  neon_dotprod = 6, // + SDOT/UDOT (ARMv8.2 dot product: Cortex-A55/A76, Neoverse N1, ...)
  neon_i8mm = 7     // + SMMLA/USDOT (ARMv8.6 int8 matrix multiply: Cortex-A510/A710, Neoverse V1/N2, ...)
};
constexpr int kNumIsaLevels = 8;  // kernel dispatch tables are indexed by static_cast<int>(Isa)

// True for the aarch64 levels (neon and up).
constexpr bool is_arm_isa(Isa isa) { return static_cast<int>(isa) >= static_cast<int>(Isa::neon); }

struct CpuFeatures {
  bool avx2 = false, fma = false, f16c = false;
  bool avx_vnni = false;
  bool avx512f = false, avx512bw = false, avx512dq = false, avx512vl = false;
  bool avx512_vnni = false, avx512_bf16 = false;
  bool neon = false, neon_dotprod = false, neon_i8mm = false;  // aarch64 Linux, from HWCAP / HWCAP2
};

const CpuFeatures& cpu_features();  // detected once
bool cpu_supports(Isa isa);         // hardware + OS support, ignoring any cap
// cpu_supports(isa) and the cap allows it: isa is scalar, or in the cap's chain at or below it.
bool isa_allowed(Isa isa);
Isa active_isa();                   // best supported level, limited by the cap
void set_isa_cap(Isa cap);          // tests: cap the level (kernel tables re-read active_isa())
std::string_view isa_name(Isa isa);
bool parse_isa(std::string_view s, Isa* out);

}  // namespace prunq
