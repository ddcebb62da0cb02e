#!/usr/bin/env bash
# The structured-pruning figures of issue 10: 50 % conv channel pruning of a trained fmnist-cnn,
# fine-tuned, with accuracy, MACs and batch-64 latency of the dense and the pruned model in the
# same run; then the latency again with the kernels capped at AVX2 (machines without AVX-512).
#   bench/run_structured_prune.sh [MODEL]     MODEL: a trained fmnist-cnn .prunq (trained here,
#                                             3 epochs, when the file does not exist)
# Environment: BUILD_DIR (default build), RATIO (0.5), CRITERION (l1), EPOCHS (fine-tune, 2),
#              THREADS (2), REPS (timed runs per model, 30), OUT (pruned model, optional).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
MODEL=${1:-$BUILD_DIR/structured/fmnist-cnn.prunq}
RATIO=${RATIO:-0.5}
CRITERION=${CRITERION:-l1}
EPOCHS=${EPOCHS:-2}
THREADS=${THREADS:-2}
REPS=${REPS:-30}

[ -f "$BUILD_DIR/build.ninja" ] || cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$BUILD_DIR" -j2 prunq bench_structured_prune
if [ ! -f "$MODEL" ]; then
  mkdir -p "$(dirname "$MODEL")"
  "$BUILD_DIR/prunq" train --arch fmnist-cnn --data fashion-mnist --epochs 3 --threads "$THREADS" -o "$MODEL"
fi
echo "$(lscpu | grep 'Model name' | sed 's/  */ /g'), load: $(cut -d' ' -f1-3 /proc/loadavg)"
args=(--model "$MODEL" --ratio "$RATIO" --criterion "$CRITERION" --threads "$THREADS" --reps "$REPS")
"$BUILD_DIR/bench/bench_structured_prune" "${args[@]}" --finetune-epochs "$EPOCHS" ${OUT:+-o "$OUT"}
echo "--- kernels capped at AVX2:"
PRUNQ_ISA=avx2 "$BUILD_DIR/bench/bench_structured_prune" "${args[@]}" --latency-only | grep -E '^(CPU|latency|RESULT)'
