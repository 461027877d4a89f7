"""Activation explorer: the activation maps of any layer of a trained network, a page of
channels at a time. Works with any torch.nn.Module (LeNet, AlexNet, ...)."""
from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from ..i18n import _
from ._base import Explorer
from ._render import colorize, png, upscale


def conv_pool_layers(model: "torch.nn.Module") -> list[str]:  # noqa: F821
    """Names (as in `model.named_modules()`) of its convolution and pooling layers, in order.
    Pooling done with torch.nn.functional inside `forward` has no module, so it is not listed."""
    from torch.nn.modules.conv import _ConvNd

    return [name for name, m in model.named_modules()
            if name and (isinstance(m, _ConvNd) or "Pool" in type(m).__name__)]


def as_batch(image) -> "torch.Tensor":  # noqa: F821
    """One input for the model, (1, C, H, W) float32. Accepts a NumPy image (H, W) or
    (H, W, C) (course.data's layout), or a tensor: one example (C, H, W) or (C, L) for a 1D
    network, or a batch (N, C, H, W) whose first example is kept."""
    import torch

    if isinstance(image, np.ndarray):
        x = torch.from_numpy(np.ascontiguousarray(image, np.float32))
        x = x[None] if x.ndim == 2 else x.permute(2, 0, 1)
    else:
        x = image.float()
    return (x[:1] if x.ndim == 4 else x[None]).contiguous()


def activation_maps(model: "torch.nn.Module", image, layers: str | list[str]  # noqa: F821
                    ) -> np.ndarray | dict[str, np.ndarray]:
    """Outputs of `layers` (names from conv_pool_layers) for one image, in one forward pass.

    Returns (C, H, W) float32 for one name (a 1D layer's (C, L) becomes (C, 1, L)), or a dict
    name -> (C, H, W) for a list. The model runs in eval mode on its own device, without
    gradients, and is left as it was (its training flag restored)."""
    import torch

    names = [layers] if isinstance(layers, str) else list(layers)
    modules = dict(model.named_modules())
    found: dict[str, np.ndarray] = {}

    def hook(name: str):
        def keep(module, args, output) -> None:
            a = output[0].detach().float().cpu().numpy()
            found[name] = a[:, None] if a.ndim == 2 else a
        return keep

    handles = [modules[n].register_forward_hook(hook(n)) for n in names]
    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(as_batch(image).to(device))
    finally:
        model.train(was_training)
        for h in handles:
            h.remove()
    return found[layers] if isinstance(layers, str) else found


def mosaic(maps: np.ndarray, columns: int = 4, tile: int = 96) -> np.ndarray:
    """maps (C, H, W) -> one RGB uint8 picture: a grid of `columns` tiles about `tile` pixels
    wide, each map on its own red-blue scale centred on 0, 2-pixel white gaps."""
    tiles = [upscale(colorize(m, signed=True), tile) for m in maps]
    th, tw = tiles[0].shape[:2]
    rows = -(-len(tiles) // columns)
    out = np.full((rows * (th + 2), columns * (tw + 2), 3), 255, np.uint8)
    for i, t in enumerate(tiles):
        r, c = divmod(i, columns)
        out[r * (th + 2):r * (th + 2) + th, c * (tw + 2):c * (tw + 2) + tw] = t
    return out


def activation_explorer(model: "torch.nn.Module", image, per_page: int = 16  # noqa: F821
                        ) -> Explorer:
    """Pick a convolution or pooling layer and a page of channels: its activation maps
    (*cartes d'activation*) for `image` (see as_batch), `per_page` at a time."""
    names = conv_pool_layers(model)
    if not names:
        raise ValueError(_("this model has no convolution or pooling module to look at"))
    maps = activation_maps(model, image, names)  # one forward pass for every layer
    controls = {"layer": widgets.Dropdown(options=names, value=names[0],
                                          description=_("layer")),
                "page": widgets.IntSlider(value=0, min=0, max=0, description=_("page"))}
    picture, text = widgets.Image(format="png"), widgets.HTML()
    busy = [False]  # changing the page's range fires its observer: redraw once

    def redraw() -> None:
        if busy[0]:
            return
        a = maps[controls["layer"].value]
        pages = -(-a.shape[0] // per_page)
        busy[0] = True
        controls["page"].max = pages - 1
        busy[0] = False
        first = min(controls["page"].value, pages - 1) * per_page
        shown = a[first:first + per_page]
        picture.value = png(mosaic(shown))
        name = controls["layer"].value
        module = html.escape(str(dict(model.named_modules())[name]))
        text.value = _("<code>{name}</code>: {module}<br>output {shape} (channels × H × W); "
                       "channels {first}–{last}, left to right, each on its own red-blue scale "
                       "centred on 0.").format(name=name, module=module,
                                               shape=" × ".join(map(str, a.shape)),
                                               first=first, last=first + len(shown) - 1)

    return Explorer("ActivationExplorer", f"{type(model).__name__}, {len(names)} layers",
                    controls, [widgets.HBox([widgets.VBox(list(controls.values())),
                                             widgets.VBox([picture, text])])], redraw)
