"""Convolution-arithmetic explorer: size, kernel, padding, stride, dilation -> which inputs
feed the chosen output (its receptive field), and the output size formula."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..i18n import _
from ._base import Explorer
from ._grid import CHOSEN, FIELD, FIELD_PAD, INPUT, PAD, grid_html
from ._ops import conv_output_size, receptive_field


def formula_html(n: int, k: int, p: int, s: int, d: int) -> str:
    """The output size formula with the numbers filled in, as HTML."""
    out = conv_output_size(n, k, s, p, d)
    return (f"n_out = ⌊(n + 2p − d(k−1) − 1) / s⌋ + 1 = ⌊({n} + 2·{p} − {d}·({k}−1) − 1) / {s}⌋"
            f" + 1 = <b>{out}</b>")


def arithmetic_explorer(dims: int = 2, size: int = 7, kernel: int = 3, padding: int = 1,
                        stride: int = 2, dilation: int = 1) -> Explorer:
    """Pick an output position (or press play) and see its receptive field on the padded input.

    `dims` is 1 (a vector of `size`) or 2 (a size x size image, square kernel); the other
    arguments are the starting values of the sliders (*padding*, *pas*, *dilatation*)."""
    def slider(desc: str, value: int, lo: int, hi: int) -> widgets.IntSlider:
        return widgets.IntSlider(value=value, min=lo, max=hi, description=desc)

    controls = {
        "dims": widgets.ToggleButtons(options=[("1D", 1), ("2D", 2)], value=dims,
                                      description=_("dims")),
        "size": slider(_("input n"), size, 2, 12),
        "kernel": slider(_("kernel k"), kernel, 1, 5),
        "padding": slider(_("padding p"), padding, 0, 3),
        "stride": slider(_("stride s"), stride, 1, 4),
        "dilation": slider(_("dilation d"), dilation, 1, 3),
        "position": slider(_("output #"), 0, 0, 0),
    }
    play = widgets.Play(interval=700, min=0, max=0, description=_("step through outputs"))
    widgets.jslink((play, "value"), (controls["position"], "value"))
    picture, text = widgets.HTML(), widgets.HTML()
    busy = [False]  # changing the position's range fires its observer: redraw once

    def redraw() -> None:
        if busy[0]:
            return
        v = {name: c.value for name, c in controls.items()}
        n, k, p, s, d = v["size"], v["kernel"], v["padding"], v["stride"], v["dilation"]
        out = conv_output_size(n, k, s, p, d)
        count = max(out, 0) ** v["dims"]
        busy[0] = True
        controls["position"].max = play.max = max(count - 1, 0)
        busy[0] = False
        pos = min(v["position"], max(count - 1, 0))
        formula = formula_html(n, k, p, s, d)
        html = [_("{formula} per axis").format(formula=formula) if v["dims"] == 2 else formula]
        if out <= 0:
            html.append(_("The dilated kernel is wider than the padded input: no output at "
                          "all."))
            picture.value = draw(v["dims"], n, p, None, None, out)
        else:
            where = divmod(pos, out) if v["dims"] == 2 else pos
            field = receptive_field(where, k, s, p, d)
            axes = field if v["dims"] == 2 else (field,)
            inside = np.prod([np.count_nonzero((a >= 0) & (a < n)) for a in axes])
            html.append(_("output {where} reads input indices {indices}: {inside} of {taps} "
                          "taps on the input, the others on the zero padding.").format(
                              where=where, indices=" × ".join(str(a.tolist()) for a in axes),
                              inside=int(inside), taps=k ** v["dims"]))
            picture.value = draw(v["dims"], n, p, field, where, out)
        text.value = "<br>".join(html)

    panel = widgets.VBox([*controls.values(), play])
    return Explorer("ArithmeticExplorer", f"dims={dims}, size={size}, kernel={kernel}, "
                    f"padding={padding}, stride={stride}, dilation={dilation}", controls,
                    [widgets.HBox([panel, widgets.VBox([picture, text])])], redraw)


def draw(dims: int, n: int, p: int, field, where, out: int) -> str:
    """HTML of the padded input (padding grey, receptive field orange: dark on the input, pale
    on the padding) and of the output (chosen cell red). `field`/`where` are those of
    receptive_field, or None when there is no output."""
    m = n + 2 * p
    colours = np.full((m, m) if dims == 2 else (1, m), PAD, dtype=object)
    colours[(slice(p, p + n),) * 2 if dims == 2 else (slice(None), slice(p, p + n))] = INPUT
    o = max(out, 0)
    out_colours = np.full((o, o) if dims == 2 else (1, o), INPUT, dtype=object)
    if field is not None:
        rows, cols = field if dims == 2 else (np.zeros(1, int) - p, field)
        cells = np.ix_(rows + p, cols + p)
        colours[cells] = np.where(colours[cells] == PAD, FIELD_PAD, FIELD)
        out_colours[where if dims == 2 else (0, where)] = CHOSEN
    html = grid_html(colours, title=_("padded input (grey: the zeros of the padding)"),
                     origin=-p)
    if out > 0:
        title = _("output ({count} per axis)") if dims == 2 else _("output ({count})")
        html += grid_html(out_colours, title=title.format(count=out))
    return html
