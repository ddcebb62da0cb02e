#!/usr/bin/env bash
# The main job, start to finish on a fresh Debian 12 machine (run as root, or with sudo rights):
# installs what is missing, builds prunq, trains fmnist-cnn on Fashion-MNIST for 3 epochs,
# evaluates and inspects it, exports it to ONNX, and leaves everything under out/:
#   out/fmnist-cnn.prunq   the trained model (native file; takes raw [0, 1] pixels)
#   out/fmnist-cnn.onnx    the same model as ONNX (when prunq is built with ONNX support)
#   out/train.json         per-epoch training/test figures
#   out/eval.json          test-set accuracy, loss, samples of the saved model
#   out/inspect.json/.txt  layers, parameters, MACs, bytes
#   out/version.txt        prunq version, GEMM backend, ISA level used
#   out/summary.json       the headline figures of this run
# Environment: BUILD_DIR (default build), OUT_DIR (default out), EPOCHS (default 3), LIMIT
# (train on the first LIMIT images only: a quick smoke run; default all 60000),
# PRUNQ_NUM_THREADS / PRUNQ_ISA / PRUNQ_GEMM as for prunq itself.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
OUT_DIR=${OUT_DIR:-out}
EPOCHS=${EPOCHS:-3}
LIMIT=${LIMIT:-}
ARCH=fmnist-cnn

bash scripts/setup.sh
BUILD_DIR="$BUILD_DIR" bash scripts/build.sh
PRUNQ="$BUILD_DIR/prunq"
mkdir -p "$OUT_DIR"

# Writes a command's stdout to a file only when the command succeeds (no half-written results).
capture() {
  local dest=$1
  shift
  "$@" >"$dest.tmp"
  mv "$dest.tmp" "$dest"
}

echo "== prunq: version =="
capture "$OUT_DIR/version.txt" "$PRUNQ" --version
cat "$OUT_DIR/version.txt"

echo "== train $ARCH on Fashion-MNIST, $EPOCHS epochs =="
limit_args=()
[ -z "$LIMIT" ] || limit_args=(--limit "$LIMIT")
start=$(date +%s)
"$PRUNQ" train --arch "$ARCH" --data fashion-mnist --epochs "$EPOCHS" "${limit_args[@]}" \
  -o "$OUT_DIR/$ARCH.prunq" --metrics "$OUT_DIR/train.json"
train_seconds=$(($(date +%s) - start))

echo "== evaluate =="
capture "$OUT_DIR/eval.json" "$PRUNQ" eval "$OUT_DIR/$ARCH.prunq" --data fashion-mnist --json --no-progress
cat "$OUT_DIR/eval.json"

echo "== inspect =="
capture "$OUT_DIR/inspect.json" "$PRUNQ" inspect "$OUT_DIR/$ARCH.prunq" --json
capture "$OUT_DIR/inspect.txt" "$PRUNQ" inspect "$OUT_DIR/$ARCH.prunq"
cat "$OUT_DIR/inspect.txt"

onnx_file=null
if grep -q '^onnx: yes' "$OUT_DIR/version.txt"; then
  echo "== export to ONNX =="
  "$PRUNQ" export "$OUT_DIR/$ARCH.prunq" -o "$OUT_DIR/$ARCH.onnx"
  onnx_file="\"$OUT_DIR/$ARCH.onnx\""
fi

# The headline figures, pulled from the JSON files prunq wrote.
/usr/bin/python3 - "$OUT_DIR" "$ARCH" "$EPOCHS" "$train_seconds" "$onnx_file" <<'PY'
import json, os, sys
out, arch, epochs, seconds, onnx_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
ev = json.load(open(os.path.join(out, "eval.json")))
ins = json.load(open(os.path.join(out, "inspect.json")))
summary = {
    "arch": arch,
    "epochs": epochs,
    "train_samples": json.load(open(os.path.join(out, "train.json")))["train_samples"],
    "train_wall_seconds": seconds,
    "test_accuracy": ev["accuracy"],
    "test_loss": ev["loss"],
    "test_samples": ev["samples"],
    "params": ins["totals"]["params"],
    "macs_per_image": ins["totals"]["macs"],
    "weight_bytes": ins["totals"]["bytes"],
    "model": os.path.join(out, arch + ".prunq"),
    "onnx": json.loads(onnx_file),
}
path = os.path.join(out, "summary.json")
with open(path + ".tmp", "w") as f:
    json.dump(summary, f, indent=2)
    f.write("\n")
os.replace(path + ".tmp", path)
print(json.dumps(summary, indent=2))
PY
echo "main-job: done; results in $OUT_DIR/"
