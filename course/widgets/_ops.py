"""The arithmetic behind the explorers: plain functions on arrays, tested without a browser.

They use PyTorch (the course's oracle) so that each one has exactly `torch.nn.functional`'s
semantics and stays fast on a 256x256 image."""
from __future__ import annotations

from typing import Literal

import numpy as np

Pair = int | tuple[int, int]

# The lecture's 3x3 edge filters ("top/bottom/left/right edge filters", as on its demo site
# and in notebook 02): the top-edge kernel is -1 on its top row and +1 on the middle one, so it
# is positive along the top edge of a bright object (dark above, bright below).
KERNELS: dict[str, np.ndarray] = {
    "top edge": np.array([[-1, -1, -1], [1, 1, 1], [0, 0, 0]], np.float32),
    "bottom edge": np.array([[0, 0, 0], [1, 1, 1], [-1, -1, -1]], np.float32),
    "left edge": np.array([[-1, 1, 0], [-1, 1, 0], [-1, 1, 0]], np.float32),
    "right edge": np.array([[0, 1, -1], [0, 1, -1], [0, 1, -1]], np.float32),
    "Sobel x": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], np.float32),
    "Sobel y": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], np.float32),
    "blur": np.full((3, 3), 1 / 9, np.float32),
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], np.float32),
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], np.float32),
}

# The 7x7 input of the lecture's pooling figure, as its text gives it (each row is 1..7).
LECTURE_GRID = np.tile(np.arange(1, 8, dtype=np.float32), (7, 1))


def _pair(x: Pair) -> tuple[int, int]:
    return (x, x) if isinstance(x, int) else (int(x[0]), int(x[1]))


def conv_output_size(size: int, kernel_size: int, stride: int = 1, padding: int = 0,
                     dilation: int = 1) -> int:
    """Output length along one axis: floor((n + 2p - d(k-1) - 1) / s) + 1 (may be <= 0)."""
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1


def receptive_field(out_pos: int | tuple[int, ...], kernel: Pair, stride: Pair = 1,
                    padding: Pair = 0, dilation: Pair = 1) -> np.ndarray | tuple[np.ndarray, ...]:
    """Input indices that feed output `out_pos`, in the coordinates of the unpadded input.

    1D (`out_pos` an int): an int array of shape (kernel,); indices < 0 or >= n fall in the
    padding. 2D (`out_pos` a pair): a (rows, cols) pair of arrays, shapes (kh,) and (kw,); the
    field is their Cartesian product (`np.ix_(rows, cols)`)."""
    if isinstance(out_pos, (int, np.integer)):
        return int(out_pos) * int(stride) - int(padding) + int(dilation) * np.arange(int(kernel))
    return tuple(receptive_field(int(o), k, s, p, d) for o, k, s, p, d in
                 zip(out_pos, _pair(kernel), _pair(stride), _pair(padding), _pair(dilation)))


def apply_kernel(image: np.ndarray, kernel: np.ndarray, stride: Pair = 1, padding: Pair = 0,
                 dilation: Pair = 1) -> np.ndarray:
    """The lecture's X * K (cross-correlation): image (H, W), kernel (h, w) -> activation map
    (H_out, W_out) float32, with H_out = conv_output_size(H, h, stride, padding, dilation)."""
    import torch
    import torch.nn.functional as F

    x = torch.as_tensor(np.ascontiguousarray(image, np.float32))[None, None]
    k = torch.as_tensor(np.ascontiguousarray(kernel, np.float32))[None, None]
    with torch.no_grad():
        return F.conv2d(x, k, stride=stride, padding=padding, dilation=dilation)[0, 0].numpy()


def pool(image: np.ndarray, mode: Literal["max", "avg"] = "max", window: Pair = 2,
         stride: Pair | None = None) -> np.ndarray:
    """Max or average pooling of image (H, W) -> (H_out, W_out) float32; stride None means
    `window` (PyTorch's default), so H_out = floor((H - h) / s) + 1."""
    import torch
    import torch.nn.functional as F

    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg', not {mode!r}")
    x = torch.as_tensor(np.ascontiguousarray(image, np.float32))[None, None]
    f = F.max_pool2d if mode == "max" else F.avg_pool2d
    with torch.no_grad():
        return f(x, window, stride if stride is not None else window)[0, 0].numpy()


def shift(image: np.ndarray, dx: int = 0, dy: int = 0) -> np.ndarray:
    """image (H, W) moved dx pixels right and dy pixels down (negative: left, up); the pixels
    that enter are 0, those that leave are lost. Same shape and dtype as `image`."""
    out = np.zeros_like(image)
    h, w = image.shape[:2]
    if abs(dx) >= w or abs(dy) >= h:
        return out
    src = image[max(-dy, 0):h - max(dy, 0), max(-dx, 0):w - max(dx, 0)]
    out[max(dy, 0):max(dy, 0) + src.shape[0], max(dx, 0):max(dx, 0) + src.shape[1]] = src
    return out
