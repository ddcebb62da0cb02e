#!/usr/bin/env python3
"""Exports the models the ONNX round-trip tests use, with PyTorch's own outputs.

Usage: make_torch_models.py OUT_DIR

For each model writes OUT_DIR/<name>/model.onnx, input_0.pb and output_0.pb (onnx.TensorProto).
Weights are random (weights=None: nothing is downloaded), BatchNorm running statistics are
randomised too so the eval-mode BN is not an identity. Idempotent: a finished OUT_DIR has a
'done' stamp and is left alone; concurrent runs are serialised by a lock file.
"""
import fcntl
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torchvision
from onnx import numpy_helper


class SmallCNN(nn.Module):
    """Fashion-MNIST sized CNN. x.view(x.size(0), -1) makes the exporter emit the
    Shape/Gather/Unsqueeze/Concat/Reshape pattern; nn.GELU the erf pattern."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(16)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(16 * 7 * 7, 32)
        self.gelu = nn.GELU()
        self.drop = nn.Dropout(0.25)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.bn1(self.conv1(x))))
        x = self.pool(nn.functional.hardswish(self.bn2(self.conv2(x))))
        x = x.view(x.size(0), -1)
        return self.fc2(self.drop(self.gelu(self.fc1(x))))


def randomise_bn(model, gen):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=gen) * 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=gen) * 0.5 + 0.75)
            m.weight.data.copy_(torch.rand(m.num_features, generator=gen) * 0.5 + 0.75)
            m.bias.data.copy_(torch.randn(m.num_features, generator=gen) * 0.1)


def save_pb(array, name, path):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(np.ascontiguousarray(array), name).SerializeToString())


def export(name, model, shape, opset, out_dir, dynamic_batch, keep_bn=False):
    gen = torch.Generator().manual_seed(1234)
    with torch.no_grad():
        randomise_bn(model, gen)
    model.eval()
    x = torch.rand(*shape, generator=gen)
    with torch.no_grad():
        y = model(x)
    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    axes = {"input": {0: "N"}, "output": {0: "N"}} if dynamic_batch else None
    torch.onnx.export(model, x, os.path.join(d, "model.onnx"), opset_version=opset, input_names=["input"],
                      output_names=["output"], dynamic_axes=axes, do_constant_folding=True,
                      # PRESERVE (of an eval-mode model) keeps BatchNormalization nodes instead of
                      # folding them into the convolutions, so the importer sees real BN.
                      training=torch.onnx.TrainingMode.PRESERVE if keep_bn else torch.onnx.TrainingMode.EVAL)
    onnx.checker.check_model(onnx.load(os.path.join(d, "model.onnx")))
    save_pb(x.numpy(), "input", os.path.join(d, "input_0.pb"))
    save_pb(y.numpy(), "output", os.path.join(d, "output_0.pb"))


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    stamp = os.path.join(out_dir, "done")
    with open(os.path.join(out_dir, "lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(stamp):
            return
        torch.manual_seed(0)
        export("small_cnn", SmallCNN(), (2, 1, 28, 28), 11, out_dir, dynamic_batch=True, keep_bn=True)
        export("resnet18", torchvision.models.resnet18(weights=None), (1, 3, 224, 224), 13, out_dir, False)
        export("mobilenet_v2", torchvision.models.mobilenet_v2(weights=None), (1, 3, 224, 224), 17, out_dir, False)
        open(stamp, "w").close()


if __name__ == "__main__":
    main()
