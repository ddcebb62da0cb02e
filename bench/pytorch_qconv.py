#!/usr/bin/python3
"""PyTorch's quantized int8 convolution on the layers bench/kernels_s8.cpp measures (keep the
LAYERS table in sync with kConvLayers there), as the peer for bench/run_kernel_bench.sh.

Same arithmetic as prunq's benchmark: uint8 NHWC (channels_last) activations, per-channel int8
weights, int32 bias, fused ReLU, uint8 output. Prints one CSV line per layer and thread count:
    layer,threads,median_ms
Timing: 1 thread in the thread's CPU time (as bench_kernels_s8 does), more threads in wall time.
Usage: pytorch_qconv.py [--engine onednn|x86|fbgemm] [--threads 1,2] [--filter SUBSTRING] [--reps N]
"""
import argparse
import statistics
import sys
import time

import torch
try:
    import torch.ao.nn.intrinsic.quantized as nniq
except ImportError:  # torch < 2.0 (Debian 12 ships 1.13)
    import torch.nn.intrinsic.quantized as nniq

# name, batch, in_c, out_c, hw, kernel, stride (padding kernel // 2)
LAYERS = [
    ("fmnist_conv1", 64, 1, 32, 28, 3, 1),
    ("fmnist_conv2", 64, 32, 64, 28, 3, 1),
    ("fmnist_conv3", 64, 64, 128, 14, 3, 1),
    ("mobilenetv2_stem", 1, 3, 32, 224, 3, 2),
    ("mobilenetv2_expand_1x1", 1, 24, 144, 56, 1, 1),
    ("mobilenetv2_project_1x1", 1, 144, 24, 56, 1, 1),
    ("mobilenetv2_head_1x1", 1, 320, 1280, 7, 1, 1),
    ("resnet18_conv1_7x7", 1, 3, 64, 224, 7, 2),
    ("resnet18_layer1_3x3", 1, 64, 64, 56, 3, 1),
    ("resnet18_layer2_3x3s2", 1, 64, 128, 56, 3, 2),
    ("resnet18_layer3_3x3", 1, 256, 256, 14, 3, 1),
    ("resnet18_layer4_3x3", 1, 512, 512, 7, 3, 1),
    # depthwise (groups = channels), mirrored from the dwconv benchmarks
    ("dw3x3_mobilenetv2_144_56", 1, 144, 144, 56, 3, 1),
    ("dw3x3s2_mobilenetv2_96_112", 1, 96, 96, 112, 3, 2),
    ("dw5x5_192_28", 1, 192, 192, 28, 5, 1),
]


def make_conv(c, o, k, stride, groups):
    conv = nniq.ConvReLU2d(c, o, k, stride=stride, padding=k // 2, groups=groups)
    w = torch.randn(o, c // groups, k, k)
    scales = (w.abs().amax(dim=(1, 2, 3)) / 127).clamp(min=1e-6)
    qw = torch.quantize_per_channel(w, scales, torch.zeros(o, dtype=torch.long), 0, torch.qint8)
    conv.set_weight_bias(qw, torch.randn(o))
    conv.scale, conv.zero_point = 0.05, 0
    return conv


def time_layer(conv, x, reps, clock):
    with torch.no_grad():
        for _ in range(3):
            conv(x)
        times = []
        for _ in range(reps):
            t0 = clock()
            conv(x)
            times.append(clock() - t0)
    return statistics.median(times) * 1e3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--engine", default="onednn")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--filter", default="")
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument("--wall", action="store_true",
                    help="wall time for 1 thread too (default: the thread's CPU time, like bench_kernels_s8)")
    args = ap.parse_args()
    if args.engine not in torch.backends.quantized.supported_engines:
        sys.exit(f"pytorch_qconv: engine {args.engine} not in {torch.backends.quantized.supported_engines}")
    torch.backends.quantized.engine = args.engine
    torch.manual_seed(0)
    print(f"# torch {torch.__version__}, engine {args.engine}", file=sys.stderr)
    for name, batch, c, o, hw, k, stride in LAYERS:
        if args.filter not in name:
            continue
        groups = c if name.startswith("dw") else 1
        conv = make_conv(c, o, k, stride, groups)
        x = torch.quantize_per_tensor(torch.rand(batch, c, hw, hw), 0.02, 3, torch.quint8)
        x = x.contiguous(memory_format=torch.channels_last)
        for t in (int(s) for s in args.threads.split(",")):
            torch.set_num_threads(t)
            # One thread runs the conv on this thread: its CPU time is immune to a busy machine.
            clock = time.thread_time if t == 1 and not args.wall else time.perf_counter
            print(f"{name},{t},{time_layer(conv, x, args.reps, clock):.4f}", flush=True)


if __name__ == "__main__":
    main()
