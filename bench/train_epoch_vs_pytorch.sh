#!/usr/bin/env bash
# One epoch of fmnist-cnn on Fashion-MNIST (Adam lr 1e-3, batch 128, 2 threads) with prunq and
# with PyTorch (Debian's python3-torch), back to back in the same run; prints both times and the
# ratio prunq / PyTorch (target: <= 1.0). Wall time is the headline; CPU time (user + sys of all
# threads) is printed too because it is less disturbed by other jobs on a shared machine.
#
# Usage: bench/train_epoch_vs_pytorch.sh [--limit N] [--epochs N]
#   --limit N   train on the first N images only (a quicker, partial epoch for both sides)
# Environment: BUILD_DIR (default build), THREADS (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
THREADS=${THREADS:-2}
EXTRA=("$@")

BIN="$BUILD_DIR/bench/bench_train_epoch"
if [ ! -x "$BIN" ]; then
  [ -f "$BUILD_DIR/build.ninja" ] || cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  ninja -C "$BUILD_DIR" -j2 bench_train_epoch
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# prunq's pool gets the same thread budget as PyTorch (OpenBLAS runs single-threaded inside it).
echo "== prunq =="
PRUNQ_NUM_THREADS=$THREADS \
  "$BIN" --threads "$THREADS" --arch fmnist-cnn --batch 128 --lr 1e-3 --optimizer adam --schedule constant "${EXTRA[@]}" \
  | tee "$tmp/prunq.txt"
echo "== pytorch =="
OMP_NUM_THREADS=$THREADS /usr/bin/python3 bench/train_pytorch_epoch.py --threads "$THREADS" --batch 128 --lr 1e-3 \
  "${EXTRA[@]}" | tee "$tmp/pytorch.txt"
prunq_out=$(cat "$tmp/prunq.txt")
torch_out=$(cat "$tmp/pytorch.txt")

field() { echo "$1" | grep '^RESULT' | tr ' ' '\n' | sed -n "s/^$2=//p"; }
pw=$(field "$prunq_out" epoch_seconds); pc=$(field "$prunq_out" epoch_cpu_seconds)
tw=$(field "$torch_out" epoch_seconds); tc=$(field "$torch_out" epoch_cpu_seconds)
/usr/bin/python3 - "$pw" "$pc" "$tw" "$tc" <<'PY'
import sys
pw, pc, tw, tc = map(float, sys.argv[1:])
print(f"fmnist-cnn epoch, wall: prunq {pw:.2f} s, pytorch {tw:.2f} s, ratio prunq/pytorch {pw / tw:.3f}")
print(f"fmnist-cnn epoch, cpu:  prunq {pc:.2f} s, pytorch {tc:.2f} s, ratio prunq/pytorch {pc / tc:.3f}")
print("target (wall ratio <= 1.0):", "met" if pw / tw <= 1.0 else "MISSED")
PY
