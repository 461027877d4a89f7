"""Pictures of a trained network: its first-layer filters and its activation maps."""
from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from ..i18n import N_, _


def _numpy(a: Any) -> np.ndarray:
    """A tensor (on any device, with or without gradient) or an array, as a NumPy array."""
    if hasattr(a, "detach"):
        a = a.detach().cpu().numpy()
    return np.asarray(a, dtype=np.float32)


def _grid(images: list[np.ndarray], titles: list[str], cols: int, title: str, size: float,
          signed: bool) -> plt.Figure:
    rows = -(-len(images) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(size * cols, size * rows + 0.4),
                             squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, img, t in zip(axes.ravel(), images, titles):
        if signed:
            lim = float(np.abs(img).max()) or 1.0
            ax.imshow(img, cmap="RdBu_r", vmin=-lim, vmax=lim)
        else:
            ax.imshow(img, cmap="gray" if img.ndim == 2 else None)
        ax.set_title(t, fontsize=8)
    fig.suptitle(_(title) if title else title, fontsize=11)
    fig.tight_layout()
    return fig


def show_filters(weight: Any, title: str = N_("filters"), cols: int = 8,
                 size: float = 1.3) -> plt.Figure:
    """The kernels of a convolution layer, weight (F, C, h, w): one picture per kernel, in
    colour when C == 3 (rescaled to [0, 1]), else channel 0 on a red-blue scale centred on 0."""
    w = _numpy(weight)
    if w.shape[1] == 3:
        imgs = [(k.transpose(1, 2, 0) - k.min()) / (np.ptp(k) or 1.0) for k in w]
        return _grid(imgs, [str(i) for i in range(len(w))], cols, title, size, signed=False)
    return _grid([k[0] for k in w], [str(i) for i in range(len(w))], cols, title, size,
                 signed=True)


def show_activation_maps(maps: Any, n: int = 16, seed: int = 0,
                         title: str = N_("activation maps"), cols: int = 8,
                         size: float = 1.3) -> plt.Figure:
    """Activation maps (C, H, W) of one image (or (1, C, H, W)): n channels chosen at random
    with `seed` (all of them if C <= n), in channel order, on a red-blue scale centred on 0."""
    m = _numpy(maps)
    m = m[0] if m.ndim == 4 else m
    channels = np.arange(len(m)) if len(m) <= n else \
        np.sort(np.random.default_rng(seed).choice(len(m), n, replace=False))
    return _grid([m[c] for c in channels],
                 [_("channel {number}").format(number=c) for c in channels],
                 min(cols, len(channels)), title, size, signed=True)


def _mosaic(maps: np.ndarray, cols: int) -> np.ndarray:
    """Maps (n, H, W), each scaled to [0, 1], tiled cols per row with a 1-pixel gap."""
    n, h, w = maps.shape
    rows = -(-n // cols)
    out = np.ones((rows * (h + 1) - 1, cols * (w + 1) - 1), np.float32)
    for i, m in enumerate(maps):
        lo, span = m.min(), np.ptp(m)
        r, c = divmod(i, cols)
        out[r * (h + 1):r * (h + 1) + h, c * (w + 1):c * (w + 1) + w] = \
            (m - lo) / span if span > 0 else 0.0
    return out


def show_layer_maps(maps: dict[str, Any], n: int = 16, seed: int = 0, cols: int = 4,
                    size: float = 2.4) -> plt.Figure:
    """For each named layer, n of its activation maps (C, H, W) (or (1, C, H, W)), chosen at
    random with `seed`, each scaled to its own range (dark low, bright high) and tiled in one
    picture per layer, as the lecture's AlexNet figures show them."""
    fig, axes = plt.subplots(1, len(maps), figsize=(size * len(maps), size + 0.5),
                             squeeze=False)
    for ax, (name, m) in zip(axes[0], maps.items()):
        m = _numpy(m)
        m = m[0] if m.ndim == 4 else m
        k = min(n, len(m))
        channels = np.sort(np.random.default_rng(seed).choice(len(m), k, replace=False))
        ax.imshow(_mosaic(m[channels], cols), cmap="gray")
        ax.set_title(_("{layer}\n{height}x{width}, {shown} of {count}").format(
            layer=name, height=m.shape[1], width=m.shape[2], shown=k, count=len(m)), fontsize=9)
        ax.axis("off")
    fig.tight_layout()
    return fig
