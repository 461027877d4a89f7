"""Arrays to PNG bytes for `ipywidgets.Image` (much faster than redrawing a matplotlib figure)."""
from __future__ import annotations

import io

import matplotlib
import numpy as np

_RDBU = matplotlib.colormaps["RdBu_r"]
_GRAY = matplotlib.colormaps["gray"]


def image_widget(size: int = 256) -> "ipywidgets.Image":  # noqa: F821
    """An empty PNG picture shown in a size x size box, its aspect ratio kept."""
    import ipywidgets as widgets

    return widgets.Image(format="png", layout=widgets.Layout(
        width=f"{size}px", height=f"{size}px", object_fit="contain"))


def colorize(a: np.ndarray, signed: bool = False, lim: float | None = None) -> np.ndarray:
    """a (H, W) -> RGB uint8 (H, W, 3). `signed`: red-blue scale centred on 0 (white), from
    -lim (blue) to +lim (red), lim = max |a| by default; otherwise grey from min to max.
    An RGB image (H, W, 3) in [0, 1] is only converted."""
    a = np.asarray(a, np.float32)
    if a.ndim == 3:
        return (np.clip(a, 0, 1) * 255).astype(np.uint8)
    if signed:
        lim = float(np.abs(a).max()) if lim is None else lim
        rgba = _RDBU(0.5 + 0.5 * a / (lim or 1.0), bytes=True)
    else:
        lo, hi = float(a.min()), float(a.max())
        rgba = _GRAY((a - lo) / ((hi - lo) or 1.0), bytes=True)
    return rgba[..., :3]


def upscale(rgb: np.ndarray, size: int) -> np.ndarray:
    """Repeat pixels (no smoothing) so that the longer side is about `size` pixels."""
    f = max(1, size // max(rgb.shape[:2]))
    return np.repeat(np.repeat(rgb, f, axis=0), f, axis=1)


def png(rgb: np.ndarray) -> bytes:
    """RGB uint8 (H, W, 3) -> PNG bytes (fast compression: the widget redraws often)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb)).save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def array_png(a: np.ndarray, signed: bool = False, size: int = 256) -> bytes:
    """a (H, W) or RGB (H, W, 3) -> PNG bytes, upscaled to about `size` pixels."""
    return png(upscale(colorize(a, signed), size))


def scale_html(lim: float, width: int = 256) -> str:
    """A colour bar for a signed map: blue (negative) - white (0) - red (positive)."""
    return (f'<div style="width:{width}px;font-size:11px">'
            f'<div style="height:10px;background:linear-gradient(to right,'
            f'{_hex(0.0)},{_hex(0.25)},#f7f7f7,{_hex(0.75)},{_hex(1.0)})"></div>'
            f'<div style="display:flex;justify-content:space-between">'
            f'<span>-{lim:.3g}</span><span>0</span><span>+{lim:.3g}</span></div></div>')


def _hex(t: float) -> str:
    return matplotlib.colors.to_hex(_RDBU(t))
