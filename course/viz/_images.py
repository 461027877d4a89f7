"""Images side by side, with a signed colour scale for activation maps."""
from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np

from ..i18n import _


def show_images(images: Sequence[np.ndarray], titles: Sequence[str] | None = None,
                cmap: str = "gray", signed: bool = False, size: float = 3.0) -> plt.Figure:
    """Images side by side. `signed` centres a red-blue colour scale on 0 (activation maps).
    A title the catalog has is shown translated."""
    fig, axes = plt.subplots(1, len(images), figsize=(size * len(images), size), squeeze=False)
    for i, (ax, img) in enumerate(zip(axes[0], images)):
        if signed:
            lim = float(np.abs(img).max()) or 1.0
            im = ax.imshow(img, cmap="RdBu_r", vmin=-lim, vmax=lim)
            fig.colorbar(im, ax=ax, fraction=0.046)
        else:
            ax.imshow(img, cmap=None if img.ndim == 3 else cmap)
        ax.set_title(_(titles[i]) if titles and titles[i] else "", fontsize=10)
        ax.axis("off")
    fig.tight_layout()
    return fig
