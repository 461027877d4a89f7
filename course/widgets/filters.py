"""Filter explorer: a photograph, a 3x3 kernel (preset or typed in), the activation map live."""
from __future__ import annotations

from functools import lru_cache

import ipywidgets as widgets
import numpy as np

from .. import data
from ..i18n import N_, _
from ._base import Explorer
from ._ops import KERNELS, apply_kernel
from ._render import array_png, image_widget, scale_html

CUSTOM = N_("custom")


@lru_cache(maxsize=16)
def gray_image(name: str, size: int) -> np.ndarray:
    """The centre size x size crop of an offline photograph, grey levels: (size, size)."""
    return data.image(name, gray=True, size=size)


@lru_cache(maxsize=16)
def gray_png(name: str, size: int) -> bytes:
    """gray_image as PNG bytes (drawn once: only the activation map changes with the kernel)."""
    return array_png(gray_image(name, size))


def filter_explorer(image: str = "camera", kernel: str = "top edge", size: int = 256) -> Explorer:
    """Image + kernel -> activation map (*carte d'activation*) on a red-blue scale centred on 0:
    red where the kernel's pattern is found, blue where its opposite is.

    `image` is one of `course.data.OFFLINE_IMAGES`, `kernel` one of `KERNELS`, `size` the side
    of the centre crop shown (32-256)."""
    image_dd = widgets.Dropdown(options=data.OFFLINE_IMAGES, value=image,
                                description=_("image"))
    kernel_dd = widgets.Dropdown(options=[(_(name), name) for name in [*KERNELS, CUSTOM]],
                                 value=kernel, description=_("kernel"))
    cells = [widgets.FloatText(value=float(v), step=0.5, layout=widgets.Layout(width="64px"))
             for v in KERNELS[kernel].ravel()]
    size_sl = widgets.IntSlider(value=size, min=32, max=256, step=32,
                                description=_("crop size"), continuous_update=True)
    relu = widgets.Checkbox(value=False, description=_("ReLU: A = max(0, Z)"))
    shown_in, shown_out = image_widget(), image_widget()
    scale, caption = widgets.HTML(), widgets.HTML()
    syncing = [False]  # True while a preset writes its nine values: one redraw, not nine

    def weights() -> np.ndarray:
        return np.array([c.value for c in cells], np.float32).reshape(3, 3)

    def redraw() -> None:
        x = gray_image(image_dd.value, size_sl.value)
        z = apply_kernel(x, weights())
        if relu.value:
            z = np.maximum(z, 0)
        lim = float(np.abs(z).max())
        shown_in.value = gray_png(image_dd.value, size_sl.value)
        shown_out.value = array_png(z, signed=True)
        scale.value = scale_html(lim)
        n = x.shape[0]
        caption.value = _("input {n}×{n}, map {rows}×{cols} = ({n}−3+1)²; min {low}, max "
                          "{high}").format(n=n, rows=z.shape[0], cols=z.shape[1],
                                           low=f"{z.min():.3g}", high=f"{z.max():.3g}")

    def on_preset(change: dict) -> None:
        if change["new"] == CUSTOM:
            return
        syncing[0] = True
        for c, v in zip(cells, KERNELS[change["new"]].ravel()):
            c.value = float(v)
        syncing[0] = False
        redraw()

    def on_cell(change: dict) -> None:
        if syncing[0]:
            return
        match = [n for n, k in KERNELS.items() if np.allclose(k, weights())]
        syncing[0] = True
        kernel_dd.value = match[0] if match else CUSTOM
        syncing[0] = False
        redraw()

    kernel_dd.observe(on_preset, names="value")
    for c in cells:
        c.observe(on_cell, names="value")
    grid = widgets.GridBox(cells, layout=widgets.Layout(grid_template_columns="repeat(3, 70px)"))
    controls = {"image": image_dd, "kernel": kernel_dd, "size": size_sl, "relu": relu,
                **{f"k{i}{j}": cells[3 * i + j] for i in range(3) for j in range(3)}}
    panel = widgets.VBox([image_dd, kernel_dd, widgets.HTML(_("kernel K (3×3)")), grid,
                          size_sl, relu])
    view = widgets.HBox([panel, widgets.VBox([widgets.HTML(_("input X")), shown_in]),
                         widgets.VBox([widgets.HTML(_("activation map X * K")), shown_out,
                                       scale, caption])])
    return Explorer("FilterExplorer", f"image={image!r}, kernel={kernel!r}, size={size}",
                    controls, [view], redraw, observed=("image", "size", "relu"))
