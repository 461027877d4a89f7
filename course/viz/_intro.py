"""The picture behind CNNs (notebook 00): the visual cortex's simple and complex cells, drawn
as the convolution and the pooling they inspired, computed on a tiny stimulus."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..i18n import _

# A detector of a bright vertical bar one pixel wide: centre column up, its neighbours down.
BAR_DETECTOR = np.array([[-1, 2, -1]] * 3, dtype=float)


def _bar(size: int, column: int) -> np.ndarray:
    """A size x size dark stimulus with a bright vertical bar at `column` (rows 2 to size-3)."""
    x = np.zeros((size, size))
    x[2:size - 2, column] = 1.0
    return x


def _simple_cells(x: np.ndarray) -> np.ndarray:
    """Responses of the simple cells: the bar detector at every position (the lecture's
    convolution, no flip), then max(0, .): a cell fires or stays silent."""
    h, w = BAR_DETECTOR.shape
    H, W = x.shape
    z = np.array([[np.sum(x[i:i + h, j:j + w] * BAR_DETECTOR) for j in range(W - w + 1)]
                  for i in range(H - h + 1)])
    return np.maximum(z, 0)


def _complex_cells(a: np.ndarray, block: int) -> np.ndarray:
    """Responses of the complex cells: the largest simple-cell response in each block x block
    region (max pooling, windows side by side)."""
    n = a.shape[0] // block
    return a[:n * block, :n * block].reshape(n, block, n, block).max(axis=(1, 3))


def simple_complex_cells(size: int = 12, column: int = 3, shift: int = 2,
                         block: int = 5) -> plt.Figure:
    """Hubel and Wiesel's simple and complex cells as convolution and pooling.

    Two rows: a bright vertical bar at `column` of a size x size stimulus, then the same bar
    moved `shift` pixels right. Columns: the stimulus with one simple cell's receptive field
    (3 x 3); the simple cells' responses (one bar detector at every place: a convolution, then
    ReLU); the complex cells' responses (the largest simple-cell response in each
    block x block region: max pooling). The simple-cell map moves with the bar; the complex
    cells answer the same while the bar stays inside their region."""
    fig, axes = plt.subplots(2, 3, figsize=(10, 6.4))
    for row, col in zip(axes, (column, column + shift)):
        x = _bar(size, col)
        a = _simple_cells(x)
        p = _complex_cells(a, block)
        row[0].imshow(x, cmap="gray", vmin=0, vmax=1)
        row[0].add_patch(plt.Rectangle((col - 1.5, 3.5), 3, 3, fill=False, edgecolor="orange",
                                       linewidth=2))
        row[0].set_title(_("stimulus: bar at column {column}\n(orange: one simple cell's "
                           "field)").format(column=col), fontsize=9)
        row[1].imshow(a, cmap="magma", vmin=0, vmax=BAR_DETECTOR.max() * 3)
        for edge in range(block, a.shape[0], block):
            row[1].axhline(edge - 0.5, color="white", linewidth=1)
            row[1].axvline(edge - 0.5, color="white", linewidth=1)
        row[1].set_title(_("simple cells = convolution\n(the same detector at every place)"),
                         fontsize=9)
        row[2].imshow(p, cmap="magma", vmin=0, vmax=BAR_DETECTOR.max() * 3)
        for (i, j), v in np.ndenumerate(p):
            row[2].text(j, i, f"{v:g}", ha="center", va="center",
                        color="black" if v > 3 else "white")
        row[2].set_title(_("complex cells = pooling\n(max of each {block}x{block} "
                           "region)").format(block=block), fontsize=9)
        for ax in row:
            ax.set_xticks([])
            ax.set_yticks([])
    axes[1, 0].set_ylabel(_("the bar moved {shift} px right").format(shift=shift), fontsize=9)
    axes[0, 0].set_ylabel(_("a vertical bar"), fontsize=9)
    fig.suptitle(_("Visual cortex (Hubel and Wiesel) and CNN: simple cells -> convolution, "
                   "complex cells -> pooling"), fontsize=10)
    fig.tight_layout()
    return fig
