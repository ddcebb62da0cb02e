#!/usr/bin/env bash
# Cross-compiles prunq's runtime layer (core, kernels, graph, ops, runtime; no third-party
# dependency) for aarch64 Linux with Debian's aarch64-linux-gnu-g++, then runs its tests under
# qemu-aarch64 through CTest on emulated CPUs that take every NEON path:
#   -cpu max         every test; dot product + i8mm, so the kernel tests run every int8 kernel
#                    (scalar, neon, neon_dotprod, neon_i8mm: they test all the CPU allows)
#   -cpu cortex-a53  ARMv8.0 without the dot product: the kernel tests again (detection and the
#                    SMULL/SADALP path as the best one), not the whole set
#   -cpu cortex-a76  dot product without i8mm: the detection test only
# Each run also checks that the CPU is detected at the level it emulates (PRUNQ_EXPECT_BEST_ISA).
# Needs g++-aarch64-linux-gnu, qemu-user and libgtest-dev (the GoogleTest sources, built here
# with the cross compiler).
#   BUILD_DIR  build folder (default build-aarch64)
#   JOBS       parallel compile jobs and parallel tests (default 2)
#   extra arguments go to the -cpu max ctest run (e.g. -L ops, -R Gemm)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build-aarch64}
JOBS=${JOBS:-2}

for tool in aarch64-linux-gnu-g++ qemu-aarch64 cmake ninja; do
  command -v "$tool" >/dev/null || { echo "cross-aarch64: '$tool' not found (run scripts/setup.sh)" >&2; exit 1; }
done
[ -f /usr/src/googletest/googletest/CMakeLists.txt ] ||
  { echo "cross-aarch64: GoogleTest sources missing in /usr/src/googletest (install libgtest-dev)" >&2; exit 1; }

if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake \
    -DPRUNQ_RUNTIME_ONLY=ON
fi

start=$(date +%s)
ninja -C "$BUILD_DIR" -j"$JOBS" test_core test_kernels test_graph test_ops test_runtime
built=$(date +%s)
echo "cross-aarch64: build took $((built - start)) s"

# Emulated code runs roughly 10-30x slower than native: give each test a generous limit.
# qemu-user reads the emulated CPU model from QEMU_CPU.
status=0
run_on() {  # run_on CPU EXPECTED_LEVEL ctest-arguments...
  local cpu=$1 level=$2 t0
  shift 2
  t0=$(date +%s)
  echo "== cross-aarch64: qemu-aarch64 -cpu $cpu (expected ISA level $level): ctest $*"
  (cd "$BUILD_DIR" && QEMU_CPU=$cpu PRUNQ_EXPECT_BEST_ISA=$level ctest -j"$JOBS" --output-on-failure --timeout 1800 "$@") ||
    status=1
  echo "cross-aarch64: -cpu $cpu took $(($(date +%s) - t0)) s"
}
run_on max neon_i8mm "$@"
run_on cortex-a53 neon -L kernels
run_on cortex-a53 neon -R CpuFeatures
run_on cortex-a76 neon_dotprod -R CpuFeatures
echo "cross-aarch64: tests took $(($(date +%s) - built)) s under qemu-aarch64"
exit $status
