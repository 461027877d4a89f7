"""2D pictures: a kernel window on a grid of numbers, and a receptive field on a photograph."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..i18n import _


def _grid(ax: plt.Axes, values: np.ndarray, title: str, highlight: tuple | None = None,
          color: str = "#ffcc80", filled: np.ndarray | None = None) -> None:
    """A matrix of boxed numbers; `highlight` = (top, left, height, width) is coloured, and
    cells where `filled` is False are left blank (outputs not computed yet)."""
    H, W = values.shape
    for r in range(H):
        for c in range(W):
            inside = highlight is not None and (highlight[0] <= r < highlight[0] + highlight[2]
                                                and highlight[1] <= c < highlight[1] + highlight[3])
            ax.add_patch(plt.Rectangle((c, H - 1 - r), 1, 1, edgecolor="black",
                                       facecolor=color if inside else "white"))
            if filled is None or filled[r, c]:
                ax.text(c + 0.5, H - 0.5 - r, f"{values[r, c]:g}", ha="center", va="center",
                        fontsize=10)
    ax.set_xlim(-0.1, W + 0.1)
    ax.set_ylim(-0.1, H + 0.1)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontsize=10)


def conv2d_window(X: np.ndarray, K: np.ndarray, i: int, j: int) -> plt.Figure:
    """Input X (H, W) with the window of output (i, j) in orange, the kernel K (h, w) in blue,
    and the output (H-h+1, W-w+1) computed up to (i, j) in row order (lecture's formula, no
    flip)."""
    X, K = np.asarray(X), np.asarray(K)
    (H, W), (h, w) = X.shape, K.shape
    out = np.array([[np.sum(X[r:r + h, c:c + w] * K) for c in range(W - w + 1)]
                    for r in range(H - h + 1)])
    done = np.arange(out.size).reshape(out.shape) <= i * out.shape[1] + j
    fig, axes = plt.subplots(1, 3, figsize=(0.6 * (W + w + out.shape[1]) + 2, 0.6 * H + 0.8),
                             gridspec_kw={"width_ratios": [W, w, out.shape[1]]})
    _grid(axes[0], X, _("input X"), (i, j, h, w))
    _grid(axes[1], K, _("kernel K"), (0, 0, h, w), "#90caf9")
    _grid(axes[2], out, f"X * K: out[{i}, {j}] = {out[i, j]:g}", (i, j, 1, 1), "#a5d6a7", done)
    fig.tight_layout()
    return fig


def receptive_field_overlay(image: np.ndarray, activation: np.ndarray, i: int, j: int,
                            h: int, w: int) -> plt.Figure:
    """Left: the input image (H, W) or (H, W, C) with the h x w receptive field of output
    (i, j) outlined; right: the activation map (H-h+1, W-w+1) on a signed scale, (i, j) marked."""
    fig, axes = plt.subplots(1, 2, figsize=(8, 4))
    axes[0].imshow(image, cmap=None if image.ndim == 3 else "gray")
    axes[0].add_patch(plt.Rectangle((j - 0.5, i - 0.5), w, h, fill=False, edgecolor="red",
                                    linewidth=2))
    axes[0].set_title(_("input: receptive field rows {top}..{bottom}, cols {left}..{right}").format(
        top=i, bottom=i + h - 1, left=j, right=j + w - 1), fontsize=10)
    lim = float(np.abs(activation).max()) or 1.0
    im = axes[1].imshow(activation, cmap="RdBu_r", vmin=-lim, vmax=lim)
    axes[1].plot(j, i, marker="s", markersize=8, markerfacecolor="none", color="lime",
                 markeredgewidth=2)
    axes[1].set_title(_("activation map: output ({i}, {j}) = {value}").format(
        i=i, j=j, value=f"{activation[i, j]:.3f}"), fontsize=10)
    fig.colorbar(im, ax=axes[1], fraction=0.046)
    for ax in axes:
        ax.axis("off")
    fig.tight_layout()
    return fig
