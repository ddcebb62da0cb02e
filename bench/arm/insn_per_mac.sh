#!/usr/bin/env bash
# Instructions per multiply-accumulate of each NEON kernel against the scalar one, counted under
# qemu-aarch64 -cpu max (every extension: dot product, i8mm) by the QEMU plugin in
# qemu_insn_count.c: the speed proxy a machine without ARM hardware can give (it counts
# instructions, not cycles: no latencies, no memory system). Each variant runs its layer 1 and
# 1 + REPS times (kernel_calls.cpp); the difference divided by REPS x MACs is the kernel's count.
#   BUILD_DIR  the aarch64 cross build (default build-aarch64; configured here if missing)
#   REPS       extra calls per measurement (default 4)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${BUILD_DIR:-build-aarch64}
REPS=${REPS:-4}
SYSROOT=/usr/aarch64-linux-gnu

for tool in aarch64-linux-gnu-g++ qemu-aarch64 cc cmake ninja; do
  command -v "$tool" >/dev/null || { echo "insn_per_mac: '$tool' not found (run scripts/setup.sh)" >&2; exit 1; }
done
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake -DPRUNQ_RUNTIME_ONLY=ON >/dev/null
fi
ninja -C "$BUILD_DIR" kernel_calls >/dev/null
plugin="$BUILD_DIR/qemu_insn_count.so"
cc -shared -fPIC -O2 -o "$plugin" bench/arm/qemu_insn_count.c

# count FAMILY VARIANT CALLS -> "instructions macs"
count() {
  local out
  out=$(qemu-aarch64 -L "$SYSROOT" -cpu max -plugin "$plugin" -d plugin "$BUILD_DIR/bench/arm/kernel_calls" "$@" 2>&1)
  echo "$(sed -n 's/.*insns: \([0-9]*\).*/\1/p' <<<"$out") $(sed -n 's/^macs: \([0-9]*\)/\1/p' <<<"$out")"
}

echo "instructions per MAC under qemu-aarch64 -cpu max ($(qemu-aarch64 --version | head -1)), 1 thread, REPS=$REPS"
printf '%-11s %-13s %10s %10s\n' family variant insn/MAC vs_scalar
for family in gemm_f32 conv_f32 dwconv_f32 gemm_s8 conv_s8 dwconv_s8; do
  case $family in
    gemm_s8 | conv_s8) variants="scalar neon neon_dotprod neon_i8mm" ;;
    *) variants="scalar neon" ;;
  esac
  scalar=""
  for v in $variants; do
    read -r i1 macs < <(count "$family" "$v" 1)
    read -r i2 _ < <(count "$family" "$v" $((REPS + 1)))
    per=$(awk -v a="$i1" -v b="$i2" -v r="$REPS" -v m="$macs" 'BEGIN { printf "%.4f", (b - a) / (r * m) }')
    [ -z "$scalar" ] && scalar=$per
    printf '%-11s %-13s %10s %9sx\n' "$family" "$v" "$per" "$(awk -v s="$scalar" -v p="$per" 'BEGIN { printf "%.1f", s / p }')"
  done
done
