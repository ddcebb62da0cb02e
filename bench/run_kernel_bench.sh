#!/usr/bin/env bash
# Runs prunq's int8 conv benchmarks and PyTorch's quantized conv (oneDNN engine) on the same
# layers in one run, alternating ROUNDS times (the machine may be shared: medians of both sides
# are taken over the same period), then prints per-layer times and prunq's speed ratio.
# Both sides time 1-thread runs in the thread's CPU time and 2-thread runs in wall time, and
# report medians (robust to the bursts where a busy machine deschedules a thread).
#   bench/run_kernel_bench.sh [FILTER]      e.g. FILTER=fmnist (default: every layer)
# Environment: BUILD_DIR (default build), THREADS (default 1,2), ROUNDS (default 3),
#              ENGINE (default onednn), REPS (timed runs per layer and round, default 20).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
FILTER=${1:-}
THREADS=${THREADS:-1,2}
ROUNDS=${ROUNDS:-3}
ENGINE=${ENGINE:-onednn}
REPS=${REPS:-20}
PY=/usr/bin/python3

if [ ! -x "$BUILD_DIR/bench/bench_kernels_s8" ]; then
  [ -f "$BUILD_DIR/build.ninja" ] || cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  ninja -C "$BUILD_DIR" -j2 bench_kernels_s8
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Google Benchmark filter: the conv layers (not GEMM) as the runtime runs them (not the direct
# or scalar comparison runs), chosen threads.
thread_re=$(echo "$THREADS" | sed 's/,/|/g')
bench_filter="BM_(conv_s8|dwconv_s8)/[^/]*${FILTER}[^/]*/(avx[^/]*/)?threads:(${thread_re})/"
for r in $(seq 1 "$ROUNDS"); do
  echo "== round $r/$ROUNDS: prunq" >&2
  "$BUILD_DIR/bench/bench_kernels_s8" --benchmark_filter="$bench_filter" \
    --benchmark_min_time=0.2 --benchmark_format=csv 2>/dev/null >"$out/prunq_$r.csv"
  echo "== round $r/$ROUNDS: pytorch ($ENGINE)" >&2
  "$PY" bench/pytorch_qconv.py --engine "$ENGINE" --threads "$THREADS" --filter "$FILTER" --reps "$REPS" \
    >"$out/torch_$r.csv"
done

"$PY" - "$out" "$ROUNDS" <<'PYEOF'
import csv, glob, os, re, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
prunq, torch = {}, {}
for f in glob.glob(os.path.join(out, "prunq_*.csv")):
    lines = [l for l in open(f) if l.startswith("name,") or l.startswith('"BM_')]
    for row in csv.DictReader(lines):
        m = re.match(r"BM_(?:conv_s8|dwconv_s8)/([^/]+)/(?:[^/]+/)?threads:(\d+)", row["name"])
        if m:
            prunq.setdefault((m.group(1), int(m.group(2))), []).append(float(row["median_ms"]))
for f in glob.glob(os.path.join(out, "torch_*.csv")):
    for line in open(f):
        name, t, ms = line.strip().split(",")
        torch.setdefault((name, int(t)), []).append(float(ms))
print(f"{'layer':34s} {'thr':>3s} {'prunq ms':>10s} {'torch ms':>10s} {'speed-up':>9s}")
totals = {}
for key in sorted(set(prunq) & set(torch), key=lambda k: (k[1], k[0])):
    p, t = statistics.median(prunq[key]), statistics.median(torch[key])
    print(f"{key[0]:34s} {key[1]:3d} {p:10.3f} {t:10.3f} {t / p:8.2f}x")
    if key[0].startswith("fmnist_"):
        a = totals.setdefault(key[1], [0.0, 0.0, 0])
        a[0] += p; a[1] += t; a[2] += 1
for thr, (p, t, n) in sorted(totals.items()):
    if n == 3:
        print(f"fmnist-cnn 3 conv layers, batch 64, {thr} thread(s): prunq {p:.3f} ms, "
              f"pytorch {t:.3f} ms -> prunq {t / p:.2f}x faster")
PYEOF
