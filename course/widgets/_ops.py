"""The arithmetic behind the explorers: plain functions on arrays, tested without a browser.

They use `course.reference` (PyTorch's semantics) in float32, fast enough for a 256x256 image,
and the worked examples of `course.examples`."""
from __future__ import annotations

from typing import Literal

import numpy as np

from .. import reference as ref
from ..i18n import N_
from ..examples import LECTURE_GRID, SOBEL_X
from ..reference import IntOrPair, conv_output_size, pair

__all__ = ["KERNELS", "LECTURE_GRID", "apply_kernel", "conv_output_size", "pool",
           "receptive_field", "shift"]


def _presets() -> dict[str, np.ndarray]:
    """The filter explorer's kernels: the lecture's four edge filters first (as notebook 02
    builds them from its top-edge filter), then a few classics. The names are the keys (in
    English); the explorers show them translated."""
    e = ref.edge_kernels()
    edges = {N_("top edge"): e["top"], N_("bottom edge"): e["bottom"],
             N_("left edge"): e["left"], N_("right edge"): e["right"]}
    classics = {"Sobel x": SOBEL_X, "Sobel y": SOBEL_X.T,
                N_("blur"): np.full((3, 3), 1 / 9),
                N_("sharpen"): np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
                N_("identity"): np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]])}
    return {name: np.asarray(k, np.float32) for name, k in {**edges, **classics}.items()}


KERNELS: dict[str, np.ndarray] = _presets()


def receptive_field(out_pos: int | tuple[int, ...], kernel: IntOrPair, stride: IntOrPair = 1,
                    padding: IntOrPair = 0, dilation: IntOrPair = 1
                    ) -> np.ndarray | tuple[np.ndarray, ...]:
    """Input indices that feed output `out_pos`, in the coordinates of the unpadded input.

    1D (`out_pos` an int): an int array of shape (kernel,); indices < 0 or >= n fall in the
    padding. 2D (`out_pos` a pair): a (rows, cols) pair of arrays, shapes (kh,) and (kw,); the
    field is their Cartesian product (`np.ix_(rows, cols)`)."""
    if isinstance(out_pos, (int, np.integer)):
        return int(out_pos) * int(stride) - int(padding) + int(dilation) * np.arange(int(kernel))
    return tuple(receptive_field(int(o), k, s, p, d) for o, k, s, p, d in
                 zip(out_pos, pair(kernel), pair(stride), pair(padding), pair(dilation)))


def apply_kernel(image: np.ndarray, kernel: np.ndarray, stride: IntOrPair = 1,
                 padding: IntOrPair = 0, dilation: IntOrPair = 1) -> np.ndarray:
    """The lecture's X * K (cross-correlation): image (H, W), kernel (h, w) -> activation map
    (H_out, W_out) float32, with H_out = conv_output_size(H, h, stride, padding, dilation)."""
    out = ref.conv2d(np.asarray(image)[None, None], np.asarray(kernel)[None, None],
                     stride=stride, padding=padding, dilation=dilation, compute=np.float32)
    return out[0, 0].astype(np.float32)


def pool(image: np.ndarray, mode: Literal["max", "avg"] = "max", window: IntOrPair = 2,
         stride: IntOrPair | None = None) -> np.ndarray:
    """Max or average pooling of image (H, W) -> (H_out, W_out) float32; stride None means
    `window` (PyTorch's default), so H_out = floor((H - h) / s) + 1."""
    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg', not {mode!r}")
    out = ref.pool2d(mode, np.asarray(image, np.float32), window, stride, compute=np.float32)
    if out is None:
        raise ValueError(f"a window of {window} does not fit in an image of {image.shape}")
    return out


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
