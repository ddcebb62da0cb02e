#!/usr/bin/env bash
# int8 kernels against fp32 on the same shapes, in one run of one binary (bench_kernels_s8): every
# int8 GEMM and conv layer next to the fp32 GEMM of the same M x N x K through gemm_f32's backend
# (OpenBLAS when linked, with OPENBLAS_CORETYPE as the environment sets it) and through prunq's
# own fp32 kernel, and every depthwise layer next to dwconv2d_f32 on it. Prints MAC rates, the
# int8 fraction of its peak (vpmaddubsw + vpmaddwd on AVX2, vpdpbusd with VNNI) and the ratios.
# Winograd rows count the direct convolution's MACs (an effective rate).
#   bench/run_s8_vs_f32.sh [FILTER]          e.g. FILTER=gemm, fmnist, resnet18, dw
# Environment: BUILD_DIR (default build), PRUNQ_ISA (default avx2: the int8 AVX2 kernels and the
# fp32 AVX2 kernel; PRUNQ_ISA= for the machine's best), THREADS (default 1, e.g. 1,2),
# ROUNDS (default 1; medians over rounds), MIN_TIME (default 0.2 s per row).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
FILTER=${1:-}
THREADS=${THREADS:-1}
ROUNDS=${ROUNDS:-1}
MIN_TIME=${MIN_TIME:-0.2}
export PRUNQ_ISA=${PRUNQ_ISA-avx2}

if [ ! -x "$BUILD_DIR/bench/bench_kernels_s8" ]; then
  [ -f "$BUILD_DIR/build.ninja" ] || cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  ninja -C "$BUILD_DIR" -j2 bench_kernels_s8
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

thread_re=$(echo "$THREADS" | sed 's/,/|/g')
# int8 rows as the runtime runs them (best kernel, automatic algorithm) plus the direct-conv and
# 7-bit-weight rows (the weights AVX2 runs with vpmaddubsw); fp32 rows of the same cases. FILTER: gemm, conv or dw picks a family,
# anything else a part of the layer name.
gemm="gemm_s8|gemm_s8_w7|f32_gemm_blas|f32_gemm_prunq" conv="conv_s8|f32_conv_gemm" dw="dwconv_s8|f32_dwconv"
case "$FILTER" in
  gemm) families=$gemm name="" ;;
  conv) families=$conv name="" ;;
  dw) families=$dw name="" ;;
  *) families="$gemm|$conv|$dw" name=$FILTER ;;
esac
filter="^BM_(${families})/[^/]*${name}[^/]*/.*threads:(${thread_re})/"
for r in $(seq 1 "$ROUNDS"); do
  echo "== round $r/$ROUNDS" >&2
  "$BUILD_DIR/bench/bench_kernels_s8" --benchmark_filter="$filter" --benchmark_min_time="$MIN_TIME" \
    --benchmark_format=json 2>"$out/stderr_$r.txt" >"$out/rows_$r.json"
done

model=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
/usr/bin/python3 - "$out" "$ROUNDS" "$model" "${PRUNQ_ISA:-<none>}" "${OPENBLAS_CORETYPE:-<unset>}" <<'PYEOF'
import glob, json, os, re, statistics, sys
out, rounds, model, isa, coretype = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
rates, labels = {}, {}
for f in sorted(glob.glob(os.path.join(out, "rows_*.json"))):
    for row in json.load(open(f))["benchmarks"]:
        if row.get("error_occurred") or "GMAC" not in row:
            continue
        name = row["name"].replace("/manual_time", "")
        rates.setdefault(name, []).append(float(row["GMAC"]))
        labels[name] = row.get("label", "")
rate = {k: statistics.median(v) for k, v in rates.items()}
print(f"CPU: {model}; PRUNQ_ISA={isa}; OPENBLAS_CORETYPE={coretype}; rounds: {rounds}")
for line in open(os.path.join(out, "stderr_1.txt")):
    if "peak" in line:
        print(line.strip())
print()
hdr = f"{'case':52s} {'thr':>3s} {'int8 kernel':>22s} {'int8':>7s} {'peak%':>6s} {'fp32 ref':>9s} {'fp32 prunq':>10s} {'x ref':>6s} {'x prunq':>7s}"
print(hdr)
print(f"{'':52s} {'':3s} {'':22s} {'GMAC/s':>7s} {'':6s} {'GMAC/s':>9s} {'GMAC/s':>10s}")
peak = None
for line in open(os.path.join(out, "stderr_1.txt")):
    m = re.search(r"int8 kernel: \S+, \S+ peak \(1 thread\): ([0-9.]+)", line)
    if m:
        peak = float(m.group(1))
rows = []
for name, r in rate.items():
    m = re.match(r"BM_(gemm_s8|gemm_s8_w7)/M:(\d+)/N:(\d+)/K:(\d+)/threads:(\d+)", name)
    if m:
        kind, mm, nn, kk, t = m.groups()
        shape = f"M:{mm}/N:{nn}/K:{kk}/threads:{t}"
        case = f"gemm {mm}x{nn}x{kk}" + (" (7-bit weights)" if kind == "gemm_s8_w7" else "")
        rows.append((case, int(t), name, rate.get(f"BM_f32_gemm_blas/{shape}"), rate.get(f"BM_f32_gemm_prunq/{shape}")))
        continue
    m = re.match(r"BM_conv_s8/([^/]+)/(direct/|w7/)?threads:(\d+)", name)
    if m:
        layer, variant, t = m.groups()
        suffix = {"direct/": " (direct)", "w7/": " (direct, 7-bit weights)"}.get(variant, "")
        rows.append((f"conv {layer}{suffix}", int(t), name,
                     rate.get(f"BM_f32_conv_gemm/{layer}/blas/threads:{t}"),
                     rate.get(f"BM_f32_conv_gemm/{layer}/prunq/threads:{t}")))
        continue
    m = re.match(r"BM_dwconv_s8/([^/]+)/([^/]+)/threads:(\d+)", name)
    if m and m.group(2) != "scalar":
        layer, kern, t = m.groups()
        labels[name] = kern
        rows.append((f"dwconv {layer} (fp32 ref: dwconv2d_f32)", int(t), name,
                     rate.get(f"BM_f32_dwconv/{layer}/threads:{t}"), None))
fmt = lambda x, w, p=1: f"{x:{w}.{p}f}" if x else f"{'-':>{w}s}"
for case, t, name, ref, pr in sorted(rows, key=lambda r: (r[1], r[0])):
    r = rate[name]
    frac = 100 * r / (peak * t) if peak else None
    print(f"{case:52s} {t:3d} {labels.get(name, ''):>22s} {r:7.1f} {fmt(frac, 6, 0)} {fmt(ref, 9)} {fmt(pr, 10)} "
          f"{fmt(r / ref if ref else None, 6, 2)} {fmt(r / pr if pr else None, 7, 2)}")
PYEOF
