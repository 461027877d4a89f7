"""Latency of the explorers: time from a control's new value to the redrawn output.

Sets the control's value exactly as a slider move does (the observer runs synchronously), N
times with alternating values, and prints the median and the worst. Target: median under
200 ms for a 256x256 image on a laptop CPU. Run by hand: python benchmarks/widgets_latency.py"""
from __future__ import annotations

import statistics
import sys
import time

import numpy as np
import torch
from torch import nn

from course import data
from course.widgets import (activation_explorer, arithmetic_explorer, equivariance_explorer,
                            filter_explorer, pooling_explorer)

TARGET_MS = 200.0
N = 21


def lenet() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.Tanh(), nn.AvgPool2d(2),
                         nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2), nn.Flatten(),
                         nn.Linear(400, 120), nn.Tanh(), nn.Linear(120, 84), nn.Tanh(),
                         nn.Linear(84, 10))


def cases():
    """(what, explorer, control, two values to alternate)."""
    digit = data.mnist_subset()[0][0] / np.float32(255)
    return [
        ("filter: edit a kernel value, 256x256", filter_explorer(size=256), "k11", (1.0, 2.0)),
        ("filter: choose a preset, 256x256", filter_explorer(size=256), "kernel",
         ("Sobel x", "blur")),
        ("filter: change the photograph, 256x256", filter_explorer(size=256), "image",
         ("camera", "coins")),
        ("arithmetic: output position (2D)", arithmetic_explorer(), "position", (3, 7)),
        ("arithmetic: stride (2D)", arithmetic_explorer(), "stride", (1, 2)),
        ("pooling: window, grid", pooling_explorer(), "window", (2, 3)),
        ("pooling: window, 256x256 photo", pooling_explorer("camera"), "window", (2, 4)),
        ("equivariance: shift dx, 256x256", equivariance_explorer(size=256), "dx", (1, 3)),
        ("activation: page, LeNet conv1", activation_explorer(lenet(), digit, per_page=4),
         "page", (0, 1)),
        ("activation: layer, LeNet", activation_explorer(lenet(), digit), "layer",
         ("0", "3")),
    ]


def main() -> int:
    print(f"torch threads: {torch.get_num_threads()}, N = {N} moves each, target "
          f"median < {TARGET_MS:.0f} ms\n")
    print(f"{'update':42s} {'median ms':>10s} {'max ms':>8s}")
    slow = 0
    for what, explorer, name, values in cases():
        control, times = explorer.controls[name], []
        for i in range(N):
            t = time.perf_counter()
            control.value = values[i % 2]
            times.append((time.perf_counter() - t) * 1000)
        median = statistics.median(times)
        slow += median > TARGET_MS
        print(f"{what:42s} {median:10.1f} {max(times):8.1f}"
              f"{'  SLOW' if median > TARGET_MS else ''}")
    print("\nall within target" if not slow else f"\n{slow} update(s) over target")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
