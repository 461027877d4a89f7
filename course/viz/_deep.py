"""Pictures for notebooks 10-12: training curves side by side, gradient norms per layer, and
segmentation masks next to predictions."""
from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from ..i18n import N_, _


def compare_curves(curves: Mapping[str, Sequence[float]], ylabel: str = N_("training loss"),
                   xlabel: str = N_("step"), smooth: int = 1, logy: bool = False) -> plt.Figure:
    """One line per named curve; `smooth` > 1 draws the moving average over that many points
    (a curve of n values gives n - smooth + 1 points). The labels are translated when the
    catalog has them (the defaults do)."""
    fig, ax = plt.subplots(figsize=(7, 3.5))
    for name, values in curves.items():
        v = np.asarray(values, dtype=np.float64)
        if smooth > 1 and len(v) >= smooth:
            v = np.convolve(v, np.ones(smooth) / smooth, mode="valid")
            x = np.arange(smooth, smooth + len(v))
        else:
            x = np.arange(1, len(v) + 1)
        ax.plot(x, v, label=name)
    xlabel, ylabel = (_(label) if label else label for label in (xlabel, ylabel))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(_("{label} (mean of {count})").format(label=ylabel, count=smooth)
                  if smooth > 1 else ylabel)
    if logy:
        ax.set_yscale("log")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def gradient_norms(norms: Mapping[str, Sequence[float]]) -> plt.Figure:
    """Norm of the loss gradient for each layer's weights (layer 1 = nearest the input), one
    line per network, on a log scale."""
    fig, ax = plt.subplots(figsize=(7, 3.5))
    for name, values in norms.items():
        ax.plot(np.arange(1, len(values) + 1), values, "o-", ms=3, label=name)
    ax.set_yscale("log")
    ax.set_xlabel(_("convolution layer (1 = nearest the input)"))
    ax.set_ylabel(_("gradient norm of its weights"))
    ax.legend()
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return fig


def segmentation_grid(images: np.ndarray, masks: np.ndarray, predictions: np.ndarray,
                      titles: Sequence[str] | None = None) -> plt.Figure:
    """Rows: the images (N, 1, H, W), their true masks and the predicted masks (both
    (N, 1, H, W) in [0, 1]); `titles` (N strings) go above the predictions."""
    n = len(images)
    fig, axes = plt.subplots(3, n, figsize=(1.8 * n, 5.6), squeeze=False)
    for i in range(n):
        for row, (pic, name) in enumerate(((images[i, 0], _("image")), (masks[i, 0], _("mask")),
                                           (predictions[i, 0], _("prediction")))):
            ax = axes[row, i]
            ax.imshow(pic, cmap="gray", vmin=0 if row else None, vmax=1 if row else None)
            ax.set_xticks([])
            ax.set_yticks([])
            if i == 0:
                ax.set_ylabel(name)
        if titles:
            axes[2, i].set_title(titles[i], fontsize=9)
    fig.tight_layout()
    return fig
