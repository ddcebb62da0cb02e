#!/usr/bin/env bash
# One command for all tests on a fresh Debian 12 machine: set up, build, run every test (2 in
# parallel), run the kernel tests again with the ISA capped to scalar and to AVX2, then
# cross-compile the runtime for aarch64 and run its tests under qemu (the runtime must travel
# alone): every test on an emulated CPU with the dot product and i8mm, the kernel tests again on
# one without the dot product (see cross-aarch64.sh). PRUNQ_SKIP_CROSS=1 skips that step on
# machines without the cross toolchain.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
bash scripts/build.sh
BUILD="$ROOT/${BUILD_DIR:-build}"
(cd "$BUILD" && ctest -j2 --output-on-failure --timeout 900)
for isa in scalar avx2; do
  echo "== kernel tests with PRUNQ_ISA=$isa =="
  (cd "$BUILD" && PRUNQ_ISA=$isa ctest -j2 --output-on-failure -L kernels --timeout 900)
done
if [ "${PRUNQ_SKIP_CROSS:-0}" != 1 ]; then
  echo "== runtime cross-compiled for aarch64, tests under qemu-aarch64 =="
  BUILD_DIR=build-aarch64 bash scripts/cross-aarch64.sh
fi
