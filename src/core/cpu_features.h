// Run-time CPU feature detection (CPUID + XGETBV on x86) and the ISA level kernels may use.
// PRUNQ_ISA=scalar|avx2|avx_vnni|avx512|avx512_vnni caps the level (never raises it), so tests
// and users with a misbehaving CPU can force plainer kernels. set_isa_cap() does the same in code.
#pragma once
#include <string_view>

namespace prunq {

// Ordered: each level implies the ones below it on the machines we target.
enum class Isa : int {
  scalar = 0,     // portable C++, the reference
  avx2 = 1,       // AVX2 + FMA + F16C
  avx_vnni = 2,   // AVX2 + 256-bit VNNI (Alder Lake+, Zen 5)
  avx512 = 3,     // AVX-512 F/BW/DQ/VL
  avx512_vnni = 4 // AVX-512 + VNNI
};

struct CpuFeatures {
  bool avx2 = false, fma = false, f16c = false;
  bool avx_vnni = false;
  bool avx512f = false, avx512bw = false, avx512dq = false, avx512vl = false;
  bool avx512_vnni = false, avx512_bf16 = false;
  bool neon = false, neon_dotprod = false;  // aarch64 Linux, from HWCAP (no NEON kernels use them yet)
};

const CpuFeatures& cpu_features();  // detected once
bool cpu_supports(Isa isa);         // hardware + OS support, ignoring any cap
Isa active_isa();                   // best supported level, limited by the cap
void set_isa_cap(Isa cap);          // tests: cap the level (kernel tables re-read active_isa())
std::string_view isa_name(Isa isa);
bool parse_isa(std::string_view s, Isa* out);

}  // namespace prunq
