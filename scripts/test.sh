#!/usr/bin/env bash
# One command for all tests on a fresh Debian 12 machine: set up, build, run every test (2 in
# parallel), then the kernel tests again with the ISA capped to scalar and to AVX2.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
cd "${BUILD_DIR:-build}"
ctest -j2 --output-on-failure --timeout 900
for isa in scalar avx2; do
  echo "== kernel tests with PRUNQ_ISA=$isa =="
  PRUNQ_ISA=$isa ctest -j2 --output-on-failure -L kernels --timeout 900
done
