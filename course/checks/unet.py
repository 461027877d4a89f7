"""Checks for notebook 12: U-Net (Ronneberger et al., 2015, in the lecture's
bibliography).

Models are judged through adapters (`course/checks/adapters.py`): the parameter count of each
layer, the output shape of each layer, and the output of the model when every parameter is set
to `fixed_values(shape)`, computed with `torch.nn.functional` on the same fixed weights; each
typical mistake is computed the same way so that it can be named.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ._core import Case, Mistake, make_check
from ._fixed_weights import _bn, _conv, _one_thread, _out, _random_input, _t
from .adapters import fixed_values

# ---------------------------------------------------------------------------------------------
# 12 · U-Net: double convolution, up-sampling with skip concatenation, Dice and IoU
# ---------------------------------------------------------------------------------------------

def _double_conv_ref(x: Any, c_out: int, padding: int = 1, bn: bool = True) -> Any:
    import torch.nn.functional as F

    for _ in range(2):
        x = _conv(x, c_out, 3, padding=padding, bias=False)
        x = F.relu(_bn(x) if bn else x)
    return x


def _unet_configs(hidden: bool, seed: int) -> list[tuple[int, int, tuple]]:
    configs = [(1, 4, (2, 1, 8, 8)), (3, 8, (1, 3, 6, 10))]
    if hidden:
        rng = np.random.default_rng(seed)
        configs += [(int(a), int(b), (1, int(a), int(h), int(w))) for a, b, h, w in zip(
            rng.integers(1, 8, 3), rng.integers(1, 10, 3), rng.integers(3, 12, 3),
            rng.integers(3, 12, 3))]
    return configs


@_one_thread
def unet_double_conv_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    rng = np.random.default_rng(seed + 50)
    cases = []
    for c_in, c_out, shape in _unet_configs(hidden, seed):
        label = f"{c_in} -> {c_out} channels"
        counts = [9 * c_in * c_out, 2 * c_out, 9 * c_out * c_out, 2 * c_out]
        cases.append(Case(f"parameters per layer, {label}", (c_in, c_out),
                          call="parameter_counts", expected=np.array(counts), check_dtype=False,
                          shape_rule="conv, batch norm, conv, batch norm",
                          mistakes=[Mistake(np.array([9 * c_in * c_out + c_out, 2 * c_out,
                                                      9 * c_out * c_out + c_out, 2 * c_out]),
                                            "a convolution followed by batch norm takes "
                                            "bias=False"),
                                    Mistake(np.array([9 * c_in * c_out, 2 * c_out,
                                                      9 * c_in * c_out, 2 * c_out]),
                                            "the second convolution takes out_channels inputs "
                                            "(the output of the first)")]))
        x = _random_input(rng, shape)
        right = _out(_double_conv_ref(_t(x), c_out))
        mistakes = [Mistake(_out(_double_conv_ref(_t(x), c_out, bn=False)),
                            "batch norm is missing: conv, BatchNorm2d, ReLU, twice")]
        cases.append(Case(f"output with fixed weights, {label}, input {shape}",
                          ([x], c_in, c_out), call="fixed_weights_forward", expected=right,
                          check_dtype=False,
                          shape_rule=f"padding=1 keeps H and W: {right.shape}",
                          mistakes=mistakes))
    return cases


def _up_ref(x: Any, skip: Any, c_out: int, skip_first: bool = True) -> Any:
    import torch
    import torch.nn.functional as F

    c = x.shape[1]
    w = _t(fixed_values((c, c // 2, 2, 2)))
    up = F.conv_transpose2d(x, w, _t(fixed_values((c // 2,))), stride=2)
    both = torch.cat([skip, up] if skip_first else [up, skip], dim=1)
    return _double_conv_ref(both, c_out)


@_one_thread
def unet_up_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    rng = np.random.default_rng(seed + 60)
    configs = [(8, 4, (1, 8, 3, 3)), (4, 2, (2, 4, 4, 5))]
    if hidden:
        configs += [(2 * int(c), int(o), (1, 2 * int(c), int(h), int(w))) for c, o, h, w in zip(
            rng.integers(1, 6, 3), rng.integers(1, 8, 3), rng.integers(1, 6, 3),
            rng.integers(1, 6, 3))]
    cases = []
    for c_in, c_out, shape in configs:
        n, _, h, w = shape
        x = _random_input(rng, shape)
        skip = _random_input(rng, (n, c_in // 2, 2 * h, 2 * w))
        label = f"in_channels={c_in}, out_channels={c_out}, x {shape}, skip {skip.shape}"
        right = _out(_up_ref(_t(x), _t(skip), c_out))
        cases.append(Case(f"output with fixed weights, {label}", ([x, skip], c_in, c_out),
                          call="fixed_weights_forward", expected=right, check_dtype=False,
                          shape_rule=f"(N, out_channels, 2H, 2W) = {right.shape}",
                          mistakes=[Mistake(_out(_up_ref(_t(x), _t(skip), c_out, False)),
                                            "concatenate in the order torch.cat([skip, x], "
                                            "dim=1): the skip's channels come first")]))
        counts = [c_in * (c_in // 2) * 4 + c_in // 2, 9 * c_in * c_out, 2 * c_out,
                  9 * c_out * c_out, 2 * c_out]
        cases.append(Case(f"parameters per layer, in_channels={c_in}, out_channels={c_out}",
                          (c_in, c_out), call="parameter_counts", expected=np.array(counts),
                          check_dtype=False,
                          shape_rule="transposed conv (in -> in/2, 2x2), then the double conv "
                                     "on in/2 + in/2 = in channels",
                          mistakes=[Mistake(np.array([c_in * c_in * 4 + c_in] + counts[1:]),
                                            "the transposed convolution halves the channels "
                                            "(in_channels -> in_channels // 2), so that with "
                                            "the skip's in_channels // 2 they make in_channels"),
                                    Mistake(np.array([9 * (c_in + c_in // 2) * c_out]
                                                     + counts[2:]),
                                            "no learned up-sampling: use nn.ConvTranspose2d("
                                            "in_channels, in_channels // 2, kernel_size=2, "
                                            "stride=2)")]))
    return cases


def _masks(hidden: bool, seed: int) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(label, predicted probabilities, target masks), both (N, 1, H, W) float32."""
    rng = np.random.default_rng(seed)

    def probs(shape: tuple) -> np.ndarray:
        p = rng.uniform(0.02, 0.98, size=shape)
        return np.where(np.abs(p - 0.5) < 0.02, 0.7, p).astype(np.float32)  # none at 0.5

    def target(shape: tuple, frac: float = 0.3) -> np.ndarray:
        return (rng.random(shape) < frac).astype(np.float32)

    out = []
    t = target((2, 1, 4, 4))
    out.append(("perfect prediction", np.where(t > 0, 0.9, 0.1).astype(np.float32), t))
    out.append(("random masks, 3 images 6x5", probs((3, 1, 6, 5)), target((3, 1, 6, 5))))
    t = target((2, 1, 5, 5))
    t[1] = 0
    p = probs((2, 1, 5, 5))
    p[1] = 0.1
    out.append(("second image: both masks empty (a perfect answer)", p, t))
    t = target((2, 1, 4, 4), 0.1)
    t[0] = 0
    t[0, 0, 0, 0] = 1
    out.append(("one image almost empty, one busy", probs((2, 1, 4, 4)), t))
    if hidden:
        for _ in range(4):
            shape = (int(rng.integers(1, 5)), 1, int(rng.integers(2, 12)),
                     int(rng.integers(2, 12)))
            out.append((f"hidden random {shape}", probs(shape), target(shape, rng.random())))
    return out


def _overlap(pred: np.ndarray, target: np.ndarray, axes: tuple, dice: bool) -> np.ndarray:
    p, t = pred.astype(np.float64), target.astype(np.float64)
    inter = (p * t).sum(axis=axes)
    total = p.sum(axis=axes) + t.sum(axis=axes)
    denom = total if dice else total - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(denom > 0, (2 if dice else 1) * inter / np.where(denom > 0, denom, 1),
                         1.0)
    return np.float64(score.mean())


def _score_cases(hidden: bool, seed: int, dice: bool) -> list[Case]:
    name = "Dice" if dice else "IoU"
    cases = []
    for label, p, t in _masks(hidden, seed):
        hard = (p > 0.5).astype(np.float64)
        right = _overlap(hard, t, (1, 2, 3), dice)
        mistakes = [Mistake(_overlap(p, t, (1, 2, 3), dice),
                            "threshold the probabilities first (pred > threshold): the score "
                            "compares two binary masks"),
                    Mistake(_overlap(hard, t, (0, 1, 2, 3), dice),
                            "you summed over the whole batch: sum over axes (1, 2, 3) to get "
                            "one score per image, then average the scores"),
                    Mistake(_overlap(hard, t, (0,), dice),
                            "you summed over the wrong axes (the batch axis 0): sum over "
                            "channels, height and width, axes (1, 2, 3)"),
                    Mistake(_overlap(hard, t, (1, 2, 3), not dice),
                            f"this is the {'IoU' if dice else 'Dice'} score; {name} is "
                            + ("2|A∩B| / (|A| + |B|)" if dice else "|A∩B| / |A∪B|"))]
        if "empty" in label:
            empty_zero = [(2 if dice else 1) * ((hard[i] * t[i]).sum()) /
                          max(hard[i].sum() + t[i].sum() - (0 if dice else (hard[i] * t[i]).sum()),
                              1e-7) for i in range(len(t))]
            mistakes.insert(0, Mistake(np.float64(np.mean(empty_zero)),
                                       "when both masks of an image are empty the prediction "
                                       "is perfect: count that image as 1, not 0"))
        cases.append(Case(label, (p, t), arg_names=("pred", "target"), expected=right,
                          rtol=1e-5, atol=1e-6, check_dtype=False,
                          mistakes=[m for m in mistakes
                                    if not np.isclose(m.output, right, rtol=1e-5, atol=1e-6)]))
    return cases


def unet_dice_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    return _score_cases(hidden, seed, dice=True)


def unet_iou_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    return _score_cases(hidden, seed, dice=False)


check_unet_double_conv = make_check("unet_double_conv", unet_double_conv_cases,
                                    "Check double_conv(in_channels, out_channels).")
check_unet_up = make_check("unet_up", unet_up_cases,
                           "Check Up(in_channels, out_channels) and its forward(x, skip).")
check_unet_dice = make_check("unet_dice", unet_dice_cases,
                             "Check dice_score(pred, target, threshold).", forbid=("torch",))
check_unet_iou = make_check("unet_iou", unet_iou_cases,
                            "Check iou_score(pred, target, threshold).", forbid=("torch",))
