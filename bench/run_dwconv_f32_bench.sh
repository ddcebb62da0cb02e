#!/usr/bin/env bash
# Runs prunq's fp32 depthwise benchmarks (bench_kernels_f32, dwconv_f32/<layer>) and PyTorch's
# depthwise conv (bench/pytorch_dwconv_f32.py) on the same layers in one run, alternating ROUNDS
# times (the machine may be shared: medians of both sides are taken over the same period), then
# prints per-layer times, prunq's GFLOP/s and prunq's speed ratio (PyTorch time / prunq time).
# Both sides time 1-thread runs in the thread's CPU time and 2-thread runs in wall time, and
# report medians (robust to the bursts where a busy machine deschedules a thread).
#   bench/run_dwconv_f32_bench.sh [FILTER]      e.g. FILTER=mnv2 (default: every layer)
# Environment: BUILD_DIR (default build), THREADS (default 1,2), ROUNDS (default 3),
#              REPS (PyTorch timed runs per layer and round, default 30), PRUNQ_ISA (prunq's cap).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
FILTER=${1:-}
THREADS=${THREADS:-1,2}
ROUNDS=${ROUNDS:-3}
REPS=${REPS:-30}
PY=/usr/bin/python3

if [ ! -x "$BUILD_DIR/bench/bench_kernels_f32" ]; then
  [ -f "$BUILD_DIR/build.ninja" ] || cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  ninja -C "$BUILD_DIR" -j2 bench_kernels_f32
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Google Benchmark filter: the depthwise layers as dwconv2d_f32 runs them (not the forced-path
# rows), chosen threads.
thread_re=$(echo "$THREADS" | sed 's/,/|/g')
bench_filter="^dwconv_f32/[^/]*${FILTER}[^/]*/threads:(${thread_re})/"
for r in $(seq 1 "$ROUNDS"); do
  echo "== round $r/$ROUNDS: prunq" >&2
  "$BUILD_DIR/bench/bench_kernels_f32" --benchmark_filter="$bench_filter" --benchmark_format=csv \
    2>/dev/null >"$out/prunq_$r.csv"
  echo "== round $r/$ROUNDS: pytorch" >&2
  "$PY" bench/pytorch_dwconv_f32.py --threads "$THREADS" --filter "$FILTER" --reps "$REPS" >"$out/torch_$r.csv"
done

"$PY" - "$out" <<'PYEOF'
import csv, glob, os, re, statistics, sys
out = sys.argv[1]
prunq, gflops, torch = {}, {}, {}
for f in glob.glob(os.path.join(out, "prunq_*.csv")):
    lines = [l for l in open(f) if l.startswith("name,") or l.startswith('"dwconv_f32/')]
    for row in csv.DictReader(lines):
        m = re.match(r"dwconv_f32/([^/]+)/threads:(\d+)", row["name"])
        if m:
            key = (m.group(1), int(m.group(2)))
            prunq.setdefault(key, []).append(float(row["median_ms"]))
            gflops.setdefault(key, []).append(float(row["GFLOP/s"]))
for f in glob.glob(os.path.join(out, "torch_*.csv")):
    for line in open(f):
        name, t, ms = line.strip().split(",")
        torch.setdefault((name, int(t)), []).append(float(ms))
print(f"{'layer':22s} {'thr':>3s} {'prunq ms':>9s} {'GFLOP/s':>8s} {'torch ms':>9s} {'speed-up':>9s}")
for key in sorted(set(prunq) & set(torch), key=lambda k: (k[1], k[0].endswith("_n8"), k[0])):
    p, t = statistics.median(prunq[key]), statistics.median(torch[key])
    print(f"{key[0]:22s} {key[1]:3d} {p:9.4f} {statistics.median(gflops[key]):8.1f} {t:9.4f} {t / p:8.2f}x")
PYEOF
