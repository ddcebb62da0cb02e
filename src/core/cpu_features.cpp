#include "core/cpu_features.h"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/error.h"

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
#include <cpuid.h>
#define PRUNQ_X86 1
#endif
#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#endif

namespace prunq {
namespace {

#ifdef PRUNQ_X86
uint64_t xgetbv0() {
  uint32_t eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<uint64_t>(edx) << 32) | eax;
}
#endif

CpuFeatures detect() {
  CpuFeatures f;
#ifdef PRUNQ_X86
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
  bool osxsave = c & (1u << 27);
  bool avx = c & (1u << 28);
  bool fma = c & (1u << 12);
  bool f16c = c & (1u << 29);
  if (!osxsave || !avx) return f;
  uint64_t xcr0 = xgetbv0();
  bool os_ymm = (xcr0 & 0x6) == 0x6;
  bool os_zmm = (xcr0 & 0xe6) == 0xe6;
  if (!os_ymm) return f;
  unsigned max_leaf = __get_cpuid_max(0, nullptr);
  if (max_leaf < 7) return f;
  __cpuid_count(7, 0, a, b, c, d);
  f.avx2 = b & (1u << 5);
  f.fma = fma;
  f.f16c = f16c;
  if (os_zmm) {
    f.avx512f = b & (1u << 16);
    f.avx512dq = b & (1u << 17);
    f.avx512bw = b & (1u << 30);
    f.avx512vl = b & (1u << 31);
    f.avx512_vnni = c & (1u << 11);
  }
  __cpuid_count(7, 1, a, b, c, d);
  f.avx_vnni = a & (1u << 4);
  if (os_zmm) f.avx512_bf16 = a & (1u << 5);
#endif
#if defined(__aarch64__) && defined(__linux__)
  // The kernel's HWCAP bits (asm/hwcap.h): ASIMD (NEON) is bit 1 of AT_HWCAP, the dot-product
  // extension (sdot/udot) bit 20; the int8 matrix multiply extension (smmla/usdot) is bit 13 of
  // AT_HWCAP2.
  const unsigned long hwcap = getauxval(AT_HWCAP), hwcap2 = getauxval(AT_HWCAP2);
  f.neon = hwcap & (1ul << 1);
  f.neon_dotprod = f.neon && (hwcap & (1ul << 20));
  f.neon_i8mm = f.neon && (hwcap2 & (1ul << 13));
#endif
  return f;
}

Isa best_supported() {
  const CpuFeatures& f = cpu_features();
  // i8mm without the dot-product extension exists on no core; the i8mm kernels use both.
  if (f.neon && f.neon_dotprod && f.neon_i8mm) return Isa::neon_i8mm;
  if (f.neon && f.neon_dotprod) return Isa::neon_dotprod;
  if (f.neon) return Isa::neon;
  bool avx2 = f.avx2 && f.fma && f.f16c;
  bool avx512 = avx2 && f.avx512f && f.avx512bw && f.avx512dq && f.avx512vl;
  if (avx512 && f.avx512_vnni) return Isa::avx512_vnni;
  if (avx512) return Isa::avx512;
  if (avx2 && f.avx_vnni) return Isa::avx_vnni;
  if (avx2) return Isa::avx2;
  return Isa::scalar;
}

constexpr int kNoCap = kNumIsaLevels;  // g_cap: PRUNQ_ISA unset

int env_cap() {
  const char* e = std::getenv("PRUNQ_ISA");
  if (!e || !*e) return kNoCap;
  Isa cap;
  if (!parse_isa(e, &cap))
    fail("PRUNQ_ISA='", e, "' is not one of scalar, avx2, avx_vnni, avx512, avx512_vnni (x86), neon, neon_dotprod, ",
         "neon_i8mm (aarch64)");
  return static_cast<int>(cap);
}

std::atomic<int> g_cap{-1};  // -1: PRUNQ_ISA not read yet

}  // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures f = detect();
  return f;
}

bool cpu_supports(Isa isa) {
  Isa best = best_supported();
  if (isa == Isa::scalar) return true;
  if (best == Isa::scalar || is_arm_isa(isa) != is_arm_isa(best)) return false;
  if (isa == Isa::avx_vnni) {  // AVX-512 machines do not always have the VEX-coded VNNI
    const CpuFeatures& f = cpu_features();
    return f.avx_vnni && f.avx2 && f.fma;
  }
  return static_cast<int>(isa) <= static_cast<int>(best);
}

Isa active_isa() {
  int cap = g_cap.load(std::memory_order_relaxed);
  if (cap < 0) {
    cap = static_cast<int>(env_cap());
    g_cap.store(cap, std::memory_order_relaxed);
  }
  Isa best = best_supported();
  if (cap == kNoCap) return best;
  Isa capped = static_cast<Isa>(cap);
  // A level of the other architecture's chain allows none of this CPU's SIMD kernels.
  if (capped == Isa::scalar || best == Isa::scalar || is_arm_isa(capped) != is_arm_isa(best)) return Isa::scalar;
  if (static_cast<int>(best) <= cap) return best;
  if (capped == Isa::avx_vnni && !cpu_supports(Isa::avx_vnni)) return Isa::avx2;
  return capped;
}

bool isa_allowed(Isa isa) {
  // A supported level is in this CPU's chain, and so is the active one unless it is scalar.
  return cpu_supports(isa) && static_cast<int>(isa) <= static_cast<int>(active_isa());
}

void set_isa_cap(Isa cap) { g_cap.store(static_cast<int>(cap), std::memory_order_relaxed); }

std::string_view isa_name(Isa isa) {
  switch (isa) {
    case Isa::scalar: return "scalar";
    case Isa::avx2: return "avx2";
    case Isa::avx_vnni: return "avx_vnni";
    case Isa::avx512: return "avx512";
    case Isa::avx512_vnni: return "avx512_vnni";
    case Isa::neon: return "neon";
    case Isa::neon_dotprod: return "neon_dotprod";
    case Isa::neon_i8mm: return "neon_i8mm";
  }
  return "?";
}

bool parse_isa(std::string_view s, Isa* out) {
  for (int l = 0; l < kNumIsaLevels; ++l) {
    const Isa i = static_cast<Isa>(l);
    if (isa_name(i) == s) {
      *out = i;
      return true;
    }
  }
  return false;
}

}  // namespace prunq
