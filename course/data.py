"""Offline data: photographs inside scikit-image, and a real MNIST subset shipped here."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .i18n import _

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
        raise ValueError(_("unknown image {name}; choose one of {names}").format(
            name=repr(name), names=", ".join(OFFLINE_IMAGES)))
    img = getattr(data, name)().astype(np.float32) / 255.0
    if gray and img.ndim == 3:
        img = color.rgb2gray(img).astype(np.float32)
    if size is not None:
        h, w = img.shape[:2]
        if size > min(h, w):
            raise ValueError(_("{name} is {height}x{width}: cannot crop a {size}x{size} "
                               "square").format(name=name, height=h, width=w, size=size))
        top, left = (h - size) // 2, (w - size) // 2
        img = img[top:top + size, left:left + size]
    return np.ascontiguousarray(img)


def mnist_subset() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """5,000 real MNIST digits shipped with the course (see course/datasets/README.md).

    Returns x_train (4000, 28, 28) uint8, y_train (4000,) uint8, x_test (1000, 28, 28),
    y_test (1000,)."""
    with np.load(MNIST_SUBSET, allow_pickle=False) as f:
        return f["x_train"], f["y_train"], f["x_test"], f["y_test"]


# Mean and standard deviation of the pixels of the full MNIST training set (in [0, 1]).
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081


def mnist_tensors(device: "str | torch.device | None" = None) -> tuple:  # noqa: F821
    """`mnist_subset()` ready for a network: x_train (4000, 1, 28, 28) and x_test
    (1000, 1, 28, 28) float32 tensors, standardised with MNIST's mean and standard deviation,
    y_train (4000,) and y_test (1000,) int64 tensors; on `device` if given (default CPU)."""
    import torch

    x_train, y_train, x_test, y_test = mnist_subset()
    to_x = lambda x: torch.tensor((x[:, None] / 255.0 - MNIST_MEAN) / MNIST_STD,  # noqa: E731
                                  dtype=torch.float32, device=device)
    to_y = lambda y: torch.tensor(y, dtype=torch.int64, device=device)  # noqa: E731
    return to_x(x_train), to_y(y_train), to_x(x_test), to_y(y_test)


def _shape_mask(kind: str, yy: np.ndarray, xx: np.ndarray, cy: float, cx: float, r: float,
                angle: float) -> np.ndarray:
    """Boolean (size, size) mask of a disc, square or triangle of 'radius' r centred at (cy, cx),
    turned by `angle` radians."""
    dy, dx = yy - cy, xx - cx
    if kind == "disc":
        return dy ** 2 + dx ** 2 <= r ** 2
    c, s = np.cos(angle), np.sin(angle)
    u, v = c * dx + s * dy, -s * dx + c * dy  # coordinates in the shape's own frame
    if kind == "square":
        return (np.abs(u) <= r / np.sqrt(2)) & (np.abs(v) <= r / np.sqrt(2))
    # triangle: inside the three half-planes whose normals point at 90°, 210° and 330°
    inside = np.ones_like(u, dtype=bool)
    for t in (np.pi / 2, np.pi * 7 / 6, np.pi * 11 / 6):
        inside &= u * np.cos(t) + v * np.sin(t) <= r / 2
    return inside


def shapes_segmentation(n: int, size: int = 64, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A synthetic segmentation set: noisy grey images of 1 to 3 random shapes (discs, squares,
    triangles) on a shaded background, and their masks (1 inside a shape, 0 outside).

    Returns images (n, 1, size, size) float32 and masks (n, 1, size, size) float32 in {0, 1};
    the same seed gives the same set."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    images = np.empty((n, 1, size, size), np.float32)
    masks = np.zeros((n, 1, size, size), np.float32)
    for i in range(n):
        # background: a gentle random gradient, so a fixed threshold is not enough
        gy, gx = rng.uniform(-0.25, 0.25, size=2)
        img = 0.3 + gy * (yy / size - 0.5) + gx * (xx / size - 0.5)
        for _step in range(rng.integers(1, 4)):
            kind = ("disc", "square", "triangle")[rng.integers(3)]
            r = rng.uniform(0.1, 0.25) * size
            cy, cx = rng.uniform(r, size - r, size=2)
            shape = _shape_mask(kind, yy, xx, cy, cx, r, rng.uniform(0, 2 * np.pi))
            img = np.where(shape, rng.uniform(0.55, 0.95), img)
            masks[i, 0] = np.maximum(masks[i, 0], shape)
        images[i, 0] = img + rng.normal(0, 0.08, size=(size, size))
    return images, masks
