#!/usr/bin/env bash
# Configures and builds prunq (Release) into build/ once; later calls rebuild incrementally.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
fi
ninja -C "$BUILD_DIR"
