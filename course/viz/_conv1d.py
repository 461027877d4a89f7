"""The kernel sliding along a 1D signal, as in the lecture's figures."""
from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np

from ..i18n import _


def _cells(ax: plt.Axes, values: Sequence[float], y: float, colors: Sequence[str] | None = None,
           x0: float = 0.0) -> None:
    """A row of boxed numbers, like the lecture's figures."""
    for i, v in enumerate(values):
        face = colors[i] if colors else "white"
        ax.add_patch(plt.Rectangle((x0 + i, y), 1, 1, facecolor=face, edgecolor="black"))
        text = f"{v:g}" if isinstance(v, (int, float, np.number)) else str(v)
        ax.text(x0 + i + 0.5, y + 0.5, text, ha="center", va="center", fontsize=10)


def conv1d_steps(x: Sequence[float], k: Sequence[float], stride: int = 1,
                 max_steps: int | None = None) -> plt.Figure:
    """Draw the kernel sliding along the input, one panel per output value.

    Each panel shows the input (the window in orange), the kernel under it, and the output
    filled in so far; computed here with the lecture's formula (no flip)."""
    x, k = np.asarray(x), np.asarray(k)
    W, w = len(x), len(k)
    n = (W - w) // stride + 1
    steps = range(n if max_steps is None else min(n, max_steps))
    fig, axes = plt.subplots(len(steps), 1, figsize=(0.55 * W + 1.5, 1.55 * len(steps)),
                             squeeze=False)
    out: list[object] = ["" for _ in range(n)]
    for row, j in zip(axes[:, 0], steps):
        start = j * stride
        out[j] = float(np.dot(x[start:start + w], k))
        colors = ["#ffcc80" if start <= i < start + w else "white" for i in range(W)]
        _cells(row, x, 2.2, colors)
        _cells(row, k, 1.1, ["#90caf9"] * w, x0=start)
        out_colors = ["#a5d6a7" if i == j else ("#e8f5e9" if i < j else "white") for i in range(n)]
        _cells(row, out, 0.0, out_colors)
        row.text(-0.3, 2.7, "x", ha="right", va="center")
        row.text(-0.3, 1.6, "k", ha="right", va="center")
        row.text(-0.3, 0.5, "x * k", ha="right", va="center")
        row.set_xlim(-1.6, max(W, n) + 0.2)
        row.set_ylim(-0.1, 3.3)
        row.set_aspect("equal")
        row.axis("off")
        row.set_title(_("output {j}: window x[{start}:{stop}] . k = {value}").format(
            j=j, start=start, stop=start + w, value=f"{out[j]:g}"), fontsize=9, loc="left")
    fig.tight_layout()
    return fig
