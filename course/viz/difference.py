"""The picture a failing check shows: expected, got and their difference, side by side.

Drawn with Matplotlib's object API on the Agg canvas (no pyplot state, no window), small and
fast: a check must answer in well under 200 ms (`benchmarks/check_pictures.py`). Outputs of
two or more dimensions only; the channels of a (N, C, H, W) output are laid side by side in
one mosaic, so that there are three panels whatever the number of maps.
"""
from __future__ import annotations

import io
from typing import Any

import numpy as np

from ..i18n import _

MAX_MAPS = 4  # channels drawn for a (N, C, H, W) output
WRONG = (0.85, 0.11, 0.38, 0.9)  # the colour that marks a wrong cell


def _figure(width: float, height: float) -> tuple[Any, Any]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=72)
    return fig, FigureCanvasAgg(fig)


def _png(canvas: Any) -> bytes:
    buf = io.BytesIO()
    canvas.print_png(buf)
    return buf.getvalue()


def _maps(expected: np.ndarray, got: np.ndarray, spatial: tuple[int, ...]
          ) -> tuple[str, np.ndarray, np.ndarray]:
    """(title, expected mosaic, got mosaic): the 2D map, or the channels of the first image
    that has a wrong value side by side (NaN columns between them)."""
    if expected.ndim == 2:
        return "", expected.astype(np.float64), got.astype(np.float64)
    axes = tuple(a % expected.ndim for a in spatial) if len(spatial) == 2 else \
        (expected.ndim - 2, expected.ndim - 1)
    shape2d = [expected.shape[a] for a in axes]
    e = np.moveaxis(expected, axes, (-2, -1)).reshape(-1, *shape2d).astype(np.float64)
    g = np.moveaxis(got, axes, (-2, -1)).reshape(e.shape).astype(np.float64)
    wrong = [i for i in range(len(e)) if not np.allclose(e[i], g[i], rtol=1e-4, atol=1e-6)]
    shown = (wrong or [0])[:MAX_MAPS]
    lead = [n for a, n in enumerate(expected.shape) if a not in axes]
    first = tuple(int(i) for i in np.unravel_index(shown[0], lead))
    gap = np.full((shape2d[0], 1), np.nan)

    def mosaic(maps: np.ndarray) -> np.ndarray:
        return np.hstack([part for k in shown for part in (maps[k], gap)][:-1])
    title = _("maps from {first}, {count} shown").format(first=first, count=len(shown)) \
        if len(shown) > 1 else _("maps from {first}").format(first=first)
    return title, mosaic(e), mosaic(g)


def _draw_maps(expected: np.ndarray, got: np.ndarray, spatial: tuple[int, ...]) -> bytes:
    title, e, g = _maps(expected, got, spatial)
    width = min(2.2 + 0.12 * e.shape[1], 9.0)
    fig, canvas = _figure(width, 2.0)
    axes = fig.subplots(1, 3)
    fig.subplots_adjust(left=0.02, right=0.98, top=0.82, bottom=0.04, wspace=0.08)
    lim = max(float(np.nanmax(np.abs(e), initial=0)), float(np.nanmax(np.abs(g), initial=0)),
              1e-12)
    diff = g - e
    dlim = max(float(np.nanmax(np.abs(diff), initial=0)), 1e-12)
    bad = ~np.isclose(g, e, rtol=1e-4, atol=1e-6) & ~np.isnan(e)
    marks = np.zeros((*bad.shape, 4))
    marks[bad] = WRONG
    for ax, data, name, vmax in ((axes[0], e, _("expected"), lim), (axes[1], g, _("got"), lim),
                                 (axes[2], diff, _("got − expected"), dlim)):
        ax.imshow(data, cmap="RdBu_r", vmin=-vmax, vmax=vmax, interpolation="nearest")
        ax.set_title(name, fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    axes[2].imshow(marks, interpolation="nearest")
    if title:
        fig.suptitle(title, fontsize=7, y=0.99)
    return _png(canvas)


def _draw_scores(expected: np.ndarray, got: np.ndarray) -> bytes:
    """A network's class scores (N, classes): bars for the first sample with a wrong score."""
    bad_rows = [i for i in range(len(expected))
                if not np.allclose(expected[i], got[i], rtol=1e-4, atol=1e-6)]
    i = (bad_rows or [0])[0]
    fig, canvas = _figure(min(1.5 + 0.3 * expected.shape[1], 7.0), 2.0)
    ax = fig.subplots()
    fig.subplots_adjust(left=0.1, right=0.98, top=0.85, bottom=0.15)
    x = np.arange(expected.shape[1])
    ax.bar(x - 0.2, expected[i], width=0.4, label=_("expected"), color="#1e88e5")
    ax.bar(x + 0.2, got[i], width=0.4, label=_("got"), color="#ef6c00")
    ax.set_title(_("scores of sample {number}: expected (blue), got (orange)").format(number=i),
                 fontsize=8)
    ax.set_xticks(x)
    ax.tick_params(labelsize=7)
    return _png(canvas)


def _draw_shapes(expected: np.ndarray, got: np.ndarray, rule: str) -> bytes:
    """Two grids, the expected shape and the answer's, with the formula underneath."""
    fig, canvas = _figure(4.2, 2.3)
    axes = fig.subplots(1, 2)
    fig.subplots_adjust(left=0.02, right=0.98, top=0.88, bottom=0.14, wspace=0.1)
    sizes = [(a.shape[-2] if a.ndim >= 2 else 1, a.shape[-1] if a.ndim else 1)
             for a in (expected, got)]
    h_max, w_max = max(s[0] for s in sizes), max(s[1] for s in sizes)
    names = (_("expected {shape}"), _("got {shape}"))
    for ax, arr, (h, w), name in zip(axes, (expected, got), sizes, names):
        ax.hlines(np.arange(h + 1), 0, w, color="#616161", lw=0.6)
        ax.vlines(np.arange(w + 1), 0, h, color="#616161", lw=0.6)
        ax.set_xlim(-0.5, w_max + 0.5)
        ax.set_ylim(h_max + 0.5, -0.5)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(name.format(shape=tuple(arr.shape)), fontsize=8)
    if rule:  # the case's shape rule, an N_() message of its notebook's module
        fig.text(0.5, 0.03, _(rule), ha="center", fontsize=7)
    return _png(canvas)


def difference_png(expected: np.ndarray, got: Any, rule: str = "",
                   spatial: tuple[int, ...] = (), scores: bool = False) -> bytes | None:
    """PNG bytes of the difference between an expected array and an answer, or None when there
    is nothing to draw (1D or scalar outputs, non-numeric answers)."""
    if not isinstance(got, np.ndarray) or got.dtype.kind not in "biuf" or expected.ndim < 2:
        return None
    if got.shape != expected.shape:
        return _draw_shapes(expected, got, rule) if got.ndim >= 1 else None
    if scores and expected.ndim == 2:
        return _draw_scores(expected.astype(np.float64), got.astype(np.float64))
    return _draw_maps(expected, got, spatial)
