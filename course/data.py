"""Offline data: photographs that ship inside scikit-image (no download, ever)."""
from __future__ import annotations

import numpy as np

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
