"""Offline data: photographs inside scikit-image, and a real MNIST subset shipped here."""
from __future__ import annotations

from pathlib import Path

import numpy as np

DATASETS = Path(__file__).resolve().parent / "datasets"
MNIST_SUBSET = DATASETS / "mnist5k.npz"

# Real photographs and textures bundled in scikit-image's wheel.
OFFLINE_IMAGES = ("camera", "astronaut", "coffee", "chelsea", "brick", "grass", "gravel",
                  "moon", "coins", "rocket")


def image(name: str = "camera", gray: bool = False, size: int | None = None) -> np.ndarray:
    """A sample photograph as float32 in [0, 1]: (H, W) if gray or grey-level, else (H, W, 3).

    `size` crops the centre to a size x size square (the lecture's figures use small images)."""
    from skimage import color, data

    if name not in OFFLINE_IMAGES:
        raise ValueError(f"unknown image {name!r}; choose one of {', '.join(OFFLINE_IMAGES)}")
    img = getattr(data, name)().astype(np.float32) / 255.0
    if gray and img.ndim == 3:
        img = color.rgb2gray(img).astype(np.float32)
    if size is not None:
        h, w = img.shape[:2]
        if size > min(h, w):
            raise ValueError(f"{name} is {h}x{w}: cannot crop a {size}x{size} square")
        top, left = (h - size) // 2, (w - size) // 2
        img = img[top:top + size, left:left + size]
    return np.ascontiguousarray(img)


def mnist_subset() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """5,000 real MNIST digits shipped with the course (see course/datasets/README.md).

    Returns x_train (4000, 28, 28) uint8, y_train (4000,) uint8, x_test (1000, 28, 28),
    y_test (1000,)."""
    with np.load(MNIST_SUBSET, allow_pickle=False) as f:
        return f["x_train"], f["y_train"], f["x_test"], f["y_test"]
