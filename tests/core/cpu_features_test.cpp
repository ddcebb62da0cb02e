// CPU feature detection: what the hardware reports is consistent, and the PRUNQ_ISA cap only
// ever lowers the level kernels use.
#include <gtest/gtest.h>

#include "core/cpu_features.h"

using namespace prunq;

TEST(CpuFeatures, LevelsImplyTheirPrerequisites) {
  const CpuFeatures& f = cpu_features();
  if (cpu_supports(Isa::avx512_vnni)) EXPECT_TRUE(f.avx512_vnni && f.avx512f && f.avx512bw);
  if (cpu_supports(Isa::avx2)) EXPECT_TRUE(f.avx2 && f.fma && f.f16c);
  EXPECT_TRUE(cpu_supports(Isa::scalar));
#if defined(__aarch64__) && defined(__linux__)
  EXPECT_TRUE(f.neon) << "every AArch64 Linux CPU has ASIMD";
  EXPECT_FALSE(f.avx2);
#else
  EXPECT_FALSE(f.neon);
#endif
}

TEST(CpuFeatures, CapOnlyLowersTheLevel) {
  const Isa before = active_isa();
  set_isa_cap(Isa::scalar);
  EXPECT_EQ(active_isa(), Isa::scalar);
  set_isa_cap(Isa::avx512_vnni);
  EXPECT_LE(static_cast<int>(active_isa()), static_cast<int>(Isa::avx512_vnni));
  EXPECT_TRUE(cpu_supports(active_isa()));
  set_isa_cap(before);
  Isa parsed;
  EXPECT_TRUE(parse_isa("avx2", &parsed));
  EXPECT_EQ(parsed, Isa::avx2);
  EXPECT_FALSE(parse_isa("sse9", &parsed));
}
