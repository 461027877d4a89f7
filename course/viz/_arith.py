"""Convolution arithmetic drawn on the input grid: padding, stride and dilation footprints, the
receptive field of stacked layers, and pooling windows."""
from __future__ import annotations

from collections import Counter
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np

from ..i18n import _
from ..reference import pair

Pair = tuple[int, int]
COLORS = ("#ef6c00", "#1e88e5", "#43a047", "#8e24aa", "#e53935", "#00897b", "#6d4c41", "#fdd835")


def _grid(ax: plt.Axes, H: int, W: int) -> None:
    """Cell borders of an H x W grid drawn with imshow-style coordinates (row i at y = i)."""
    for i in range(H + 1):
        ax.plot([-0.5, W - 0.5], [i - 0.5, i - 0.5], color="#9e9e9e", lw=0.6)
    for j in range(W + 1):
        ax.plot([j - 0.5, j - 0.5], [-0.5, H - 0.5], color="#9e9e9e", lw=0.6)
    ax.set_xlim(-0.6, W - 0.4)
    ax.set_ylim(H - 0.4, -0.6)
    ax.set_aspect("equal")
    ax.axis("off")


def conv_footprint(size: int | Sequence[int], kernel_size: int | Sequence[int],
                   stride: int | Sequence[int] = 1, padding: int | Sequence[int] = 0,
                   dilation: int | Sequence[int] = 1,
                   outputs: Sequence[Pair] | None = None) -> plt.Figure:
    """The padded input grid with the inputs that chosen outputs read.

    `size` is the input's (H, W); the frame of `padding` zeros is grey. One panel per output
    position (i, j) (default: the first three along the first row and the first of the second
    row): the taps of the kernel are filled, the window it spans is outlined."""
    (H, W), (h, w) = pair(size), pair(kernel_size)
    (sh, sw), (ph, pw), (dh, dw) = pair(stride), pair(padding), pair(dilation)
    Hp, Wp = H + 2 * ph, W + 2 * pw
    H_out, W_out = (Hp - dh * (h - 1) - 1) // sh + 1, (Wp - dw * (w - 1) - 1) // sw + 1
    if outputs is None:
        outputs = [(0, j) for j in range(min(3, W_out))] + ([(1, 0)] if H_out > 1 else [])
    fig, axes = plt.subplots(1, len(outputs), figsize=(0.32 * Wp * len(outputs) + 0.5,
                                                       0.32 * Hp + 0.9), squeeze=False)
    frame = np.ones((Hp, Wp, 3))
    frame[:ph], frame[Hp - ph:], frame[:, :pw], frame[:, Wp - pw:] = 0.85, 0.85, 0.85, 0.85
    for ax, (i, j), color in zip(axes[0], outputs, COLORS * 4):
        ax.imshow(frame, interpolation="nearest")
        _grid(ax, Hp, Wp)
        for r in range(Hp):
            for c in range(Wp):
                if not (ph <= r < ph + H and pw <= c < pw + W):
                    ax.text(c, r, "0", ha="center", va="center", fontsize=6, color="#757575")
        top, left = i * sh, j * sw
        for a in range(h):
            for b in range(w):
                ax.add_patch(plt.Rectangle((left + b * dw - 0.5, top + a * dh - 0.5), 1, 1,
                                           color=color, alpha=0.8))
        ax.add_patch(plt.Rectangle((left - 0.5, top - 0.5), dw * (w - 1) + 1, dh * (h - 1) + 1,
                                   fill=False, edgecolor=color, lw=2))
        ax.set_title(_("output [{i}, {j}]").format(i=i, j=j), fontsize=9)
    fig.suptitle(_("input {H}x{W}, kernel {h}x{w}, stride ({sh}, {sw}), padding ({ph}, {pw}), "
                   "dilation ({dh}, {dw}) -> output {H_out}x{W_out}").format(
                       H=H, W=W, h=h, w=w, sh=sh, sw=sw, ph=ph, pw=pw, dh=dh, dw=dw,
                       H_out=H_out, W_out=W_out), fontsize=10)
    fig.tight_layout()
    return fig


def _paths(layers: Sequence[tuple[int, int, int]]) -> Counter:
    """Along one axis: how many paths lead from each input position to output 0 of the
    stack of (kernel, stride, dilation) layers (padding 0)."""
    counts: Counter = Counter({0: 1})
    for k, s, d in reversed(layers):
        nxt: Counter = Counter()
        for o, n in counts.items():
            for t in range(k):
                nxt[o * s + t * d] += n
        counts = nxt
    return counts


def receptive_field_growth(layers: Sequence[tuple[int, int, int]]) -> plt.Figure:
    """One panel per depth: the input pixels that one output of the first l layers depends
    on, for a stack of (kernel, stride, dilation) layers. The shade counts the paths from the
    pixel to the output (centre pixels are seen through more paths); white cells inside the
    square are holes that dilation leaves."""
    spans = []
    for depth in range(1, len(layers) + 1):
        counts = _paths(layers[:depth])
        spans.append(max(counts) + 1)
    n = max(spans) + 2
    fig, axes = plt.subplots(1, len(layers), figsize=(2.6 * len(layers), 3.2), squeeze=False)
    for depth, (ax, span) in enumerate(zip(axes[0], spans), start=1):
        counts = _paths(layers[:depth])
        line = np.zeros(n)
        offset = (n - span) // 2
        for pos, c in counts.items():
            line[offset + pos] = c
        field = np.outer(line, line)
        ax.imshow(field, cmap="Oranges", vmin=0, vmax=field.max() * 1.1,
                  interpolation="nearest")
        _grid(ax, n, n)
        k, s, d = layers[depth - 1]
        title = _("{depth} layers (last: k={k}, s={s}, d={d})\nsees {span}x{span}") \
            if depth > 1 else _("{depth} layer (last: k={k}, s={s}, d={d})\nsees {span}x{span}")
        ax.set_title(title.format(depth=depth, k=k, s=s, d=d, span=span), fontsize=9)
    fig.tight_layout()
    return fig


def pooling_windows(x: np.ndarray, kernel_size: int | Sequence[int],
                    stride: int | Sequence[int] | None = None, kind: str = "max",
                    windows: int | None = None) -> plt.Figure:
    """An (H, W) input with its pooling windows outlined, and the pooled output beside it.

    stride None means stride = kernel_size (PyTorch's default). The first `windows` windows
    (default: all) are outlined, each output cell in the colour of its window (colours repeat
    after eight windows)."""
    x = np.asarray(x)
    (h, w) = pair(kernel_size)
    (sh, sw) = (h, w) if stride is None else pair(stride)
    H, W = x.shape
    H_out, W_out = (H - h) // sh + 1, (W - w) // sw + 1
    reduce = np.max if kind == "max" else np.mean
    out = np.array([[reduce(x[i * sh:i * sh + h, j * sw:j * sw + w]) for j in range(W_out)]
                    for i in range(H_out)])
    fig, (left, right) = plt.subplots(1, 2, figsize=(0.45 * (W + W_out) + 1.5,
                                                      0.45 * max(H, H_out) + 0.9),
                                      gridspec_kw={"width_ratios": [W, max(W_out, 1)]})
    for ax, grid in ((left, x), (right, out)):
        ax.imshow(np.ones(grid.shape + (3,)))
        _grid(ax, *grid.shape)
        for (r, c), v in np.ndenumerate(grid):
            ax.text(c, r, f"{v:.3g}", ha="center", va="center", fontsize=8)
    shown = list(np.ndindex(H_out, W_out))[:windows]
    for n, (i, j) in enumerate(shown):
        color = COLORS[n % len(COLORS)]
        inset = 0.08 * (n % 3) if (sh < h or sw < w) else 0.04  # overlapping ones stay apart
        left.add_patch(plt.Rectangle((j * sw - 0.5 + inset, i * sh - 0.5 + inset), w - 2 * inset,
                                     h - 2 * inset, fill=False, edgecolor=color, lw=1.8))
        right.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, color=color, alpha=0.35))
    left.set_title(_("input {H}x{W}, window {h}x{w}, stride ({sh}, {sw})").format(
        H=H, W=W, h=h, w=w, sh=sh, sw=sw), fontsize=9)
    right.set_title(_("{kind} pool: {H_out}x{W_out}").format(kind=kind, H_out=H_out,
                                                             W_out=W_out), fontsize=9)
    fig.tight_layout()
    return fig
