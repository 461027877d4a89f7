"""Benchmark: how long a failing check's picture takes to draw (target: under 200 ms).

Draws the difference picture for a wrong conv2d map (one 2D map), a wrong pooled batch
(N, C, H, W: a map per channel), a wrong network output (class scores as bars) and a shape
mismatch, 20 times each, and prints the median.

    .venv/bin/python benchmarks/check_pictures.py
"""
from __future__ import annotations

import statistics
import time

import numpy as np

from course.viz.difference import difference_png


def main() -> None:
    rng = np.random.default_rng(0)
    cases = {
        "conv2d map 30x30": (rng.normal(size=(30, 30)), rng.normal(size=(30, 30)), (0, 1), False),
        "pooled batch 2x4x14x14": (rng.normal(size=(2, 4, 14, 14)),
                                   rng.normal(size=(2, 4, 14, 14)), (2, 3), False),
        "scores 5x10": (rng.normal(size=(5, 10)), rng.normal(size=(5, 10)), (), True),
        "shape 28x28 vs 24x24": (np.zeros((28, 28)), np.zeros((24, 24)), (0, 1), False),
    }
    difference_png(*cases["scores 5x10"][:2], scores=True)  # warm Matplotlib's caches
    for name, (expected, got, spatial, scores) in cases.items():
        times = []
        for _ in range(20):
            start = time.perf_counter()
            difference_png(expected, got, "rule", spatial, scores)
            times.append(time.perf_counter() - start)
        print(f"{name:24s} median {1000 * statistics.median(times):6.1f} ms")


if __name__ == "__main__":
    main()
