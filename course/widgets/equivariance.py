"""Equivariance / invariance explorer: shift the input, the convolution output shifts with it,
the pooled output barely changes. The differences are measured, not claimed."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .. import data
from ..i18n import _
from ._base import Explorer
from ._ops import KERNELS, apply_kernel, pool, shift
from ._render import array_png, image_widget
from .filters import gray_image


def shifted_maps(image: np.ndarray, kernel: np.ndarray, dx: int, dy: int, mode: str = "max",
                 window: int = 8, unshifted: dict[str, np.ndarray] | None = None
                 ) -> dict[str, np.ndarray]:
    """The maps compared by shift_report, for image (H, W) and kernel (h, w): `moved` the
    shifted input (H, W), `z`/`z_moved` the activation maps (H-h+1, W-w+1) before/after the
    shift, `p`/`p_moved` their pooled maps (window x window, stride window). `unshifted` may
    give `z` and `p` already computed (the explorer keeps them while only the shift moves)."""
    moved = shift(image, dx, dy)
    z_moved = apply_kernel(moved, kernel)
    if unshifted is None:
        z = apply_kernel(image, kernel)
        unshifted = {"z": z, "p": pool(z, mode, window)}
    return {"moved": moved, "z_moved": z_moved, "p_moved": pool(z_moved, mode, window),
            **unshifted}


def shift_report(maps: dict[str, np.ndarray], dx: int, dy: int, margin: int) -> dict[str, float]:
    """Relative differences (norm of the difference / norm of the unshifted output) between the
    shifted_maps `maps` of an input moved by (dx, dy) pixels:
    - `conv_change`: conv(shift(x)) vs conv(x): large, the map moved;
    - `equivariance_error`: conv(shift(x)) vs shift(conv(x)), `margin` + the shift away from
      the borders (where zeros entered the picture): ~0;
    - `pool_change`: pool(conv(shift(x))) vs pool(conv(x)): small when the shift is small
      compared with the window (translation invariance, only approximate)."""
    m = max(abs(dx), abs(dy)) + margin
    inner = (slice(m, -m), slice(m, -m))

    def rel(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.linalg.norm(a - b) / (np.linalg.norm(b) or 1.0))

    z, z_moved = maps["z"], maps["z_moved"]
    return {"conv_change": rel(z_moved, z),
            "equivariance_error": rel(z_moved[inner], shift(z, dx, dy)[inner]),
            "pool_change": rel(maps["p_moved"], maps["p"])}


def equivariance_explorer(image: str = "camera", kernel: str = "top edge", mode: str = "max",
                          window: int = 8, size: int = 256) -> Explorer:
    """Move the image with the dx, dy sliders: its activation map moves with it (*équivariance
    par translation*) while the pooled map stays almost the same (*invariance*)."""
    controls = {
        "image": widgets.Dropdown(options=data.OFFLINE_IMAGES, value=image,
                                  description=_("image")),
        "kernel": widgets.Dropdown(options=[(_(name), name) for name in KERNELS], value=kernel,
                                   description=_("kernel")),
        "dx": widgets.IntSlider(value=0, min=-16, max=16, description=_("shift dx")),
        "dy": widgets.IntSlider(value=0, min=-16, max=16, description=_("shift dy")),
        "mode": widgets.ToggleButtons(options=["max", "avg"], value=mode,
                                      description=_("pooling")),
        "window": widgets.IntSlider(value=window, min=2, max=32, description=_("pool size")),
    }
    pictures = [image_widget() for _ in range(3)]
    text = widgets.HTML()

    cache: dict[tuple, dict[str, np.ndarray]] = {}  # unshifted maps, for the last settings

    def redraw() -> None:
        v = {name: c.value for name, c in controls.items()}
        k, x = KERNELS[v["kernel"]], gray_image(v["image"], size)
        key = (v["image"], v["kernel"], v["mode"], v["window"])
        if key not in cache:
            cache.clear()
            z = apply_kernel(x, k)
            cache[key] = {"z": z, "p": pool(z, v["mode"], v["window"])}
        maps = shifted_maps(x, k, v["dx"], v["dy"], v["mode"], v["window"], cache[key])
        pictures[0].value = array_png(maps["moved"])
        pictures[1].value = array_png(maps["z_moved"], signed=True)
        pictures[2].value = array_png(maps["p_moved"], signed=True)
        r = shift_report(maps, v["dx"], v["dy"], margin=k.shape[0])
        text.value = _("shift ({dx}, {dy}) px. Relative change of the activation map: "
                       "<b>{conv}</b>; of the map once shifted back (equivariance error, away "
                       "from the border): <b>{error}</b>; of the pooled map: "
                       "<b>{pool}</b>.").format(dx=v["dx"], dy=v["dy"],
                                                conv=f"{r['conv_change']:.3f}",
                                                error=f"{r['equivariance_error']:.3f}",
                                                pool=f"{r['pool_change']:.3f}")

    titles = [_("shifted input"), _("activation map"), _("pooled map")]
    view = widgets.HBox([widgets.VBox([widgets.HTML(t), p]) for t, p in zip(titles, pictures)])
    return Explorer("EquivarianceExplorer", f"image={image!r}, kernel={kernel!r}, mode={mode!r}, "
                    f"window={window}, size={size}", controls,
                    [widgets.HBox([widgets.VBox(list(controls.values())), view]), text], redraw)
