#!/usr/bin/python3
"""PyTorch's fp32 depthwise convolution on the layers bench/kernels_f32.cpp measures as
dwconv_f32/<layer> (keep LAYERS in sync with kDwLayers there), as the peer for
bench/run_dwconv_f32_bench.sh.

Same arithmetic as prunq's benchmark: NCHW (channels-first) fp32 input, weight [C, 1, k, k],
bias, padding k // 2, then ReLU6: torch.nn.functional.conv2d(groups=C) + relu6, under no_grad.
Prints one CSV line per layer and thread count:
    layer,threads,median_ms
Timing: 1 thread in the thread's CPU time (as bench_kernels_f32 does), more threads in wall time.
Usage: pytorch_dwconv_f32.py [--threads 1,2] [--filter SUBSTRING] [--reps N] [--wall]
"""
import argparse
import statistics
import sys
import time

import torch
import torch.nn.functional as F

# name, batch, channels, hw, kernel, stride (padding kernel // 2)
LAYERS = [
    ("mnv2_dw32_112", 1, 32, 112, 3, 1),
    ("mnv2_dw96_112s2", 1, 96, 112, 3, 2),
    ("mnv2_dw144_56", 1, 144, 56, 3, 1),
    ("mnv2_dw144_56s2", 1, 144, 56, 3, 2),
    ("mnv2_dw192_28", 1, 192, 28, 3, 1),
    ("mnv2_dw192_28s2", 1, 192, 28, 3, 2),
    ("mnv2_dw384_14", 1, 384, 14, 3, 1),
    ("mnv2_dw576_14", 1, 576, 14, 3, 1),
    ("mnv2_dw576_14s2", 1, 576, 14, 3, 2),
    ("mnv2_dw960_7", 1, 960, 7, 3, 1),
    ("effb0_dw144_56s2_k5", 1, 144, 56, 5, 2),
    ("effb0_dw240_28_k5", 1, 240, 28, 5, 1),
    ("effb0_dw480_14_k5", 1, 480, 14, 5, 1),
    ("effb0_dw672_14_k5", 1, 672, 14, 5, 1),
    ("effb0_dw672_14s2_k5", 1, 672, 14, 5, 2),
    ("effb0_dw1152_7_k5", 1, 1152, 7, 5, 1),
    ("mnv2_dw144_56_n8", 8, 144, 56, 3, 1),
    ("mnv2_dw144_56s2_n8", 8, 144, 56, 3, 2),
    ("mnv2_dw960_7_n8", 8, 960, 7, 3, 1),
]


def time_layer(fn, reps, clock):
    with torch.no_grad():
        for _ in range(3):
            fn()
        times = []
        for _ in range(reps):
            t0 = clock()
            fn()
            times.append(clock() - t0)
    return statistics.median(times) * 1e3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--filter", default="")
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument("--wall", action="store_true",
                    help="wall time for 1 thread too (default: the thread's CPU time, like bench_kernels_f32)")
    args = ap.parse_args()
    torch.manual_seed(0)
    print(f"# torch {torch.__version__}, mkldnn {torch.backends.mkldnn.is_available()}", file=sys.stderr)
    for name, batch, c, hw, k, stride in LAYERS:
        if args.filter not in name:
            continue
        x = torch.rand(batch, c, hw, hw) * 2 - 1  # contiguous NCHW
        w = torch.rand(c, 1, k, k) * 2 - 1
        b = torch.rand(c) * 2 - 1

        def layer():
            return F.relu6(F.conv2d(x, w, b, stride=stride, padding=k // 2, groups=c))

        for t in (int(s) for s in args.threads.split(",")):
            torch.set_num_threads(t)
            # One thread runs the conv on this thread: its CPU time is immune to a busy machine.
            clock = time.thread_time if t == 1 and not args.wall else time.perf_counter
            print(f"{name},{t},{time_layer(layer, args.reps, clock):.4f}", flush=True)


if __name__ == "__main__":
    main()
