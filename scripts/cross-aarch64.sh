#!/usr/bin/env bash
# Cross-compiles prunq's runtime layer (core, kernels, graph, ops, runtime; no third-party
# dependency) for aarch64 Linux with Debian's aarch64-linux-gnu-g++, then runs its tests under
# qemu-aarch64 through CTest. Needs g++-aarch64-linux-gnu, qemu-user and libgtest-dev (the
# GoogleTest sources, built here with the cross compiler).
#   BUILD_DIR  build folder (default build-aarch64)
#   JOBS       parallel compile jobs and parallel tests (default 2)
#   extra arguments go to ctest (e.g. -L ops, -R Gemm)
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
status=0
(cd "$BUILD_DIR" && ctest -j"$JOBS" --output-on-failure --timeout 1800 "$@") || status=$?
echo "cross-aarch64: tests took $(($(date +%s) - built)) s under qemu-aarch64"
exit $status
