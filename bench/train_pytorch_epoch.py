#!/usr/bin/python3
"""PyTorch side of bench/train_epoch_vs_pytorch.sh: the same fmnist-cnn as prunq's model zoo
(src/models/fmnist_cnn.cpp), Adam lr 1e-3, batch 128, 2 threads, on Debian's Fashion-MNIST.

Like bench_train_epoch, data loading and normalisation are not timed; each epoch is (shuffle,
batches, forward, backward, optimiser step). Prints "RESULT pytorch epoch_seconds=<wall> epoch_cpu_seconds=<user+sys> [test_accuracy=<0..1>]".
Options: --epochs N --batch N --lr X --threads N --limit N --seed N --eval
"""
import argparse
import gzip
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA_DIR = os.environ.get("PRUNQ_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    _, _, dtype, rank = struct.unpack(">BBBB", data[:4])
    if dtype != 0x08:
        sys.exit(f"{path}: expected u8 IDX data")
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def load(split):
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(f"{DATA_DIR}/{prefix}-images-idx3-ubyte.gz").astype(np.float32) / 255.0
    y = read_idx(f"{DATA_DIR}/{prefix}-labels-idx1-ubyte.gz").astype(np.int64)
    return torch.from_numpy(x).unsqueeze(1), torch.from_numpy(y)


class FmnistCnn(nn.Module):
    """Conv3x3 32 -> BN -> ReLU, Conv3x3 64 -> BN -> ReLU -> MaxPool 2, Conv3x3 128 -> BN -> ReLU ->
    MaxPool 2, Flatten, FC 256 -> ReLU, FC 10 (convs without bias: BN follows)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(32)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(64)
        self.conv3 = nn.Conv2d(64, 128, 3, padding=1, bias=False)
        self.bn3 = nn.BatchNorm2d(128)
        self.fc1 = nn.Linear(128 * 7 * 7, 256)
        self.fc2 = nn.Linear(256, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = F.max_pool2d(F.relu(self.bn3(self.conv3(x))), 2)
        x = F.relu(self.fc1(torch.flatten(x, 1)))
        return self.fc2(x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--eval", action="store_true")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    x, y = load("train")
    if a.limit > 0:
        x, y = x[: a.limit], y[: a.limit]
    mean, std = x.mean(), x.std()
    x = (x - mean) / std

    model = FmnistCnn()
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    print(f"pytorch {torch.__version__}: fmnist-cnn, {len(x)} train images, batch {a.batch}, adam lr {a.lr}, "
          f"{torch.get_num_threads()} threads", flush=True)
    times = []
    cpu0 = time.process_time()
    for epoch in range(a.epochs):
        model.train()
        t0 = time.perf_counter()
        order = torch.randperm(len(x))
        seen = correct = 0
        loss_sum = 0.0
        for b in range(0, len(x), a.batch):
            idx = order[b:b + a.batch]
            xb, yb = x[idx], y[idx]
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            seen += len(idx)
            loss_sum += loss.item() * len(idx)
            correct += (logits.argmax(1) == yb).sum().item()
        times.append(time.perf_counter() - t0)
        print(f"epoch {epoch + 1}: {times[-1]:.2f} s, train loss {loss_sum / seen:.4f}, "
              f"train acc {100 * correct / seen:.2f}%", flush=True)
    cpu = time.process_time() - cpu0
    result = (f"RESULT pytorch epoch_seconds={sum(times) / len(times):.6f} "
              f"epoch_cpu_seconds={cpu / len(times):.6f}")
    if a.eval:
        xt, yt = load("test")
        xt = (xt - mean) / std
        model.eval()
        with torch.no_grad():
            pred = torch.cat([model(xt[i:i + 1000]).argmax(1) for i in range(0, len(xt), 1000)])
        acc = (pred == yt).float().mean().item()
        print(f"test: accuracy {100 * acc:.2f}%")
        result += f" test_accuracy={acc:.6f}"
    print(result)


if __name__ == "__main__":
    main()
