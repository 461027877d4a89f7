"""Pooling explorer: max or average, window and stride, on a grid of numbers or a photograph."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .. import data
from ..i18n import N_, _
from ._base import Explorer
from ._grid import CHOSEN, FIELD, INPUT, grid_html
from ._ops import LECTURE_GRID, conv_output_size, pool, receptive_field
from ._render import array_png, image_widget
from .filters import gray_image

# Keys in English (the `source` argument); shown translated.
GRIDS = {N_("lecture grid (7×7)"): LECTURE_GRID,
         N_("random grid (8×8)"): np.random.default_rng(0).integers(0, 10, (8, 8)).astype(
             np.float32)}


def pooling_explorer(source: str = "lecture grid (7×7)", mode: str = "max", window: int = 3,
                     stride: int = 2) -> Explorer:
    """Max or average pooling (*max pooling*, *average pooling*) with a window and a stride.

    `source` is a key of GRIDS (numbers shown, and the window of the chosen output highlighted)
    or a name in `course.data.OFFLINE_IMAGES` (a 256x256 grey crop, pooled image shown)."""
    controls = {
        "source": widgets.Dropdown(options=[*((_(g), g) for g in GRIDS),
                                            *((name, name) for name in data.OFFLINE_IMAGES)],
                                   value=source, description=_("input")),
        "mode": widgets.ToggleButtons(options=["max", "avg"], value=mode,
                                      description=_("pooling")),
        "window": widgets.IntSlider(value=window, min=1, max=16, description=_("window")),
        "stride": widgets.IntSlider(value=stride, min=1, max=16, description=_("stride s")),
        "position": widgets.IntSlider(value=0, min=0, max=0, description=_("output #")),
    }
    tables, text = widgets.HTML(), widgets.HTML()
    pictures = [image_widget() for _ in range(2)]
    images = widgets.HBox(pictures)
    busy = [False]  # changing the position's range fires its observer: redraw once

    def redraw() -> None:
        if busy[0]:
            return
        v = {name: c.value for name, c in controls.items()}
        is_grid = v["source"] in GRIDS
        x = GRIDS[v["source"]] if is_grid else gray_image(v["source"], 256)
        h, w, s = x.shape[0], v["window"], v["stride"]
        out = conv_output_size(h, w, s)
        busy[0] = True
        controls["position"].max = max(out * out - 1, 0) if is_grid else 0
        busy[0] = False
        tables.layout.display = "" if is_grid else "none"
        images.layout.display = "none" if is_grid else ""
        text.value = _("output size ⌊(H − h) / s⌋ + 1 = ⌊({h} − {w}) / {s}⌋ + 1 = <b>{out}</b> "
                       "per axis; no parameters to learn.").format(h=h, w=w, s=s, out=out)
        if out <= 0:
            text.value += " " + _("The window is larger than the input: no output.")
            tables.value, pictures[1].value = "", b""
            return
        z = pool(x, v["mode"], w, s)
        if is_grid:
            where = divmod(min(v["position"], out * out - 1), out)
            tables.value = grid_tables(x, z, receptive_field(where, w, s), where)
        else:
            pictures[0].value, pictures[1].value = array_png(x), array_png(z)
            text.value += " " + _("{h}×{h} → {out}×{out}: {ratio} times fewer numbers.").format(
                h=h, out=out, ratio=f"{h * h / out ** 2:.1f}")

    panel = widgets.VBox(list(controls.values()))
    return Explorer("PoolingExplorer", f"source={source!r}, mode={mode!r}, window={window}, "
                    f"stride={stride}", controls,
                    [widgets.HBox([panel, widgets.VBox([tables, images, text])])], redraw)


def grid_tables(x: np.ndarray, z: np.ndarray, field: tuple[np.ndarray, np.ndarray],
                where: tuple[int, int]) -> str:
    """HTML of input x (H, W) with the window `field` highlighted, and output z with `where`."""
    colours = np.full(x.shape, INPUT, dtype=object)
    colours[np.ix_(*field)] = FIELD
    out_colours = np.full(z.shape, INPUT, dtype=object)
    out_colours[where] = CHOSEN
    return (grid_html(colours, np.vectorize(lambda a: f"{a:g}")(x), _("input"))
            + grid_html(out_colours, np.vectorize(lambda a: f"{a:.3g}")(z), _("output")))
