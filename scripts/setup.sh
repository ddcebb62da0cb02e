#!/usr/bin/env bash
# Installs everything prunq needs on Debian 12 (run as root; idempotent: installs only what is
# missing). Also installs ONNX Runtime for node, used only as a test/benchmark peer.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(
  build-essential cmake ninja-build pkg-config
  libgtest-dev libgmock-dev libbenchmark-dev
  zlib1g-dev libopenblas-dev
  libcli11-dev nlohmann-json3-dev libyaml-cpp-dev chromium
  libonnx-dev libonnx-testdata libprotobuf-dev protobuf-compiler
  dataset-fashion-mnist
  python3 python3-numpy python3-onnx python3-torch python3-torchvision
  g++-aarch64-linux-gnu qemu-user
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ONNX Runtime (peer for tests/benchmarks only; never linked into prunq).
if [ ! -d tests/peers/node_modules/onnxruntime-node ]; then
  echo "setup: installing onnxruntime-node (test peer)"
  (cd tests/peers && npm install --ignore-scripts --no-audit --no-fund >/dev/null 2>&1) ||
    echo "setup: warning: onnxruntime-node could not be installed; ONNX Runtime checks will be skipped"
fi
echo "setup: done"
