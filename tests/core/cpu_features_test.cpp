// CPU feature detection: what the hardware reports is consistent, and the PRUNQ_ISA cap only
// ever lowers the level kernels use.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "core/cpu_features.h"

using namespace prunq;

TEST(CpuFeatures, LevelsImplyTheirPrerequisites) {
  const CpuFeatures& f = cpu_features();
  if (cpu_supports(Isa::avx512_vnni)) {
    EXPECT_TRUE(f.avx512_vnni && f.avx512f && f.avx512bw);
  }
  if (cpu_supports(Isa::avx2)) {
    EXPECT_TRUE(f.avx2 && f.fma && f.f16c);
  }
  EXPECT_TRUE(cpu_supports(Isa::scalar));
  if (cpu_supports(Isa::neon_i8mm)) {
    EXPECT_TRUE(f.neon_i8mm && f.neon_dotprod && f.neon);
  }
  if (cpu_supports(Isa::neon_dotprod)) {
    EXPECT_TRUE(f.neon_dotprod && f.neon);
  }
#if defined(__aarch64__) && defined(__linux__)
  EXPECT_TRUE(f.neon) << "every AArch64 Linux CPU has ASIMD";
  EXPECT_TRUE(cpu_supports(Isa::neon));
  EXPECT_FALSE(f.avx2);
  EXPECT_FALSE(cpu_supports(Isa::avx2));
#else
  EXPECT_FALSE(f.neon);
  EXPECT_FALSE(cpu_supports(Isa::neon));
#endif
}

// scripts/cross-aarch64.sh runs the tests under several emulated CPUs and names the level each
// one must be detected at (qemu -cpu max: neon_i8mm, cortex-a76: neon_dotprod, cortex-a53: neon),
// so a detection bug cannot quietly send every run down the same kernels.
TEST(CpuFeatures, DetectedLevelIsTheEmulatedCpus) {
  const char* want = std::getenv("PRUNQ_EXPECT_BEST_ISA");
  if (!want || !*want) GTEST_SKIP() << "PRUNQ_EXPECT_BEST_ISA not set";
  Isa best = Isa::scalar;
  for (int l = 0; l < kNumIsaLevels; ++l)
    if (cpu_supports(static_cast<Isa>(l))) best = static_cast<Isa>(l);
  EXPECT_EQ(std::string(isa_name(best)), want);
}

TEST(CpuFeatures, CapOnlyLowersTheLevel) {
  const Isa before = active_isa();
  set_isa_cap(Isa::scalar);
  EXPECT_EQ(active_isa(), Isa::scalar);
  set_isa_cap(Isa::avx512_vnni);
  EXPECT_LE(static_cast<int>(active_isa()), static_cast<int>(Isa::avx512_vnni));
  EXPECT_TRUE(cpu_supports(active_isa()));
  set_isa_cap(Isa::neon_i8mm);
  EXPECT_TRUE(active_isa() == Isa::scalar || is_arm_isa(active_isa()));
  EXPECT_TRUE(cpu_supports(active_isa()));
  // A level of the other architecture allows only scalar kernels.
  set_isa_cap(is_arm_isa(before) ? Isa::avx2 : Isa::neon);
  EXPECT_EQ(active_isa(), Isa::scalar);
  EXPECT_TRUE(isa_allowed(Isa::scalar));
  if (before != Isa::scalar) {
    EXPECT_FALSE(isa_allowed(before));
  }
  set_isa_cap(before);
  EXPECT_EQ(active_isa(), before);
  EXPECT_TRUE(isa_allowed(before));
  Isa parsed;
  EXPECT_TRUE(parse_isa("avx2", &parsed));
  EXPECT_EQ(parsed, Isa::avx2);
  EXPECT_TRUE(parse_isa("neon_dotprod", &parsed));
  EXPECT_EQ(parsed, Isa::neon_dotprod);
  EXPECT_FALSE(parse_isa("sse9", &parsed));
}
