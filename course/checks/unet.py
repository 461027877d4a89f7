"""Checks for notebook 12: U-Net (Ronneberger et al., 2015, in the lecture's
bibliography).

Models are judged through adapters (`model_adapters`): the parameter count of each layer, and
the output of the model when every parameter is set to `fixed_values(shape)`, in evaluation
mode (batch norm with its initial statistics) and in training mode (the batch's statistics),
computed with `torch.nn.functional` on the same fixed weights (`fixed_weights`); each typical
mistake is computed the same way so that it can be named. Dice and IoU are compared with a
NumPy computation of the formulas, and so are their usual wrong versions.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..i18n import N_, _
from .case import Case, Mistake, drawn
from .conv1d import named_mistake
from .exercise import Notebook
from .fixed_weights import (as_array, batch_norm, conv, conv_transpose, on_one_thread, relu,
                            tensor, variants)
from .forbid import NUMPY_ONLY
from .model_adapters import fixed_weights_forward, fixed_weights_train_forward, parameter_counts

NOTEBOOK = Notebook("12_unet")

# ---------------------------------------------------------------------------------------------
# 12 · U-Net: double convolution, up-sampling with skip concatenation, Dice and IoU
# ---------------------------------------------------------------------------------------------

CONV_BIAS = N_("a convolution followed by batch norm takes bias=False: the batch norm adds its "
               "own shift")
NO_BN = N_("batch norm is missing: conv, BatchNorm2d, ReLU, twice")


def _double_conv_ref(x: Any, c_out: int, train: bool = False, bn: bool = True,
                     act: bool = True, relu_first: bool = False, padding: int = 1,
                     bias: bool = False) -> Any:
    """Two times: 3x3 convolution, batch norm, ReLU (or a usual wrong version of it)."""
    for _draw in range(2):
        x = conv(x, c_out, 3, padding=padding, bias=bias)
        if relu_first:
            x = batch_norm(relu(x), train)
            continue
        x = batch_norm(x, train) if bn else x
        x = relu(x) if act else x
    return x


DOUBLE_CONV_MISTAKES = [
    (dict(bn=False), NO_BN),
    (dict(act=False), N_("the ReLU is missing: conv, BatchNorm2d, ReLU, twice")),
    (dict(relu_first=True), N_("the order is convolution, batch norm, then ReLU (the ReLU comes "
                               "after the batch norm)")),
    (dict(padding=0), N_("padding=1 keeps H and W: a 3x3 convolution without padding shrinks "
                         "the maps by 2")),
    (dict(bias=True), CONV_BIAS),
]


def _unet_configs(rng: np.random.Generator, hidden: bool) -> list[tuple[int, int, tuple]]:
    configs = [(1, 4, (2, 1, 8, 8)), (3, 8, (1, 3, 6, 10)), (4, 4, (3, 4, 5, 7))]
    if hidden:
        configs = [(int(a), int(b), (int(n), int(a), int(h), int(w))) for a, b, n, h, w in zip(
            rng.integers(1, 8, 3), rng.integers(1, 10, 3), rng.integers(2, 4, 3),
            rng.integers(3, 12, 3), rng.integers(3, 12, 3))]
    return configs


def _forward_case(label: str, inputs: list, model_args: tuple, train: bool, right: np.ndarray,
                  mistakes: list[Mistake], rule: str) -> Case:
    """An output with fixed weights: in training mode, batch norm uses the batch's
    statistics."""
    common = dict(expected=right, rtol=1e-7, atol=1e-9, check_dtype=False, spatial=(2, 3),
                  shape_rule=rule, mistakes=mistakes)
    if train:
        return Case(_("{case}, training mode").format(case=label), (inputs, 0) + model_args,
                    adapter=fixed_weights_train_forward, **common)
    return Case(label, (inputs,) + model_args, adapter=fixed_weights_forward, **common)


@on_one_thread
def unet_double_conv_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return drawn(seed, "double_conv", _unet_double_conv)


def _unet_double_conv(rng: np.random.Generator, hidden: bool) -> list[Case]:
    cases = []
    for c_in, c_out, shape in _unet_configs(rng, hidden):
        label = _("{c_in} -> {c_out} channels").format(c_in=c_in, c_out=c_out)
        counts = [9 * c_in * c_out, 2 * c_out, 9 * c_out * c_out, 2 * c_out]
        cases.append(Case(_("parameters per layer, {block}").format(block=label), (c_in, c_out),
                          adapter=parameter_counts, expected=np.array(counts), check_dtype=False,
                          shape_rule=N_("conv, batch norm, conv, batch norm"),
                          mistakes=[Mistake(np.array([9 * c_in * c_out + c_out, 2 * c_out,
                                                      9 * c_out * c_out + c_out, 2 * c_out]),
                                            CONV_BIAS),
                                    Mistake(np.array([9 * c_in * c_out, 2 * c_out,
                                                      9 * c_in * c_out, 2 * c_out]),
                                            N_("the second convolution takes out_channels "
                                               "inputs (the output of the first)")),
                                    Mistake(np.array([9 * c_in * c_out, 9 * c_out * c_out]),
                                            NO_BN)]))
        x = rng.normal(size=shape)
        t = tensor(x)
        for train in (False, True):
            right = as_array(_double_conv_ref(t, c_out, train))
            mistakes = variants(lambda **kw: _double_conv_ref(t, c_out, train, **kw),
                                DOUBLE_CONV_MISTAKES)
            cases.append(_forward_case(_("output with fixed weights, {block}, input "
                                         "{shape}").format(block=label, shape=shape),
                                       [x], (c_in, c_out), train, right, mistakes,
                                       _("padding=1 keeps H and W: {shape}").format(
                                           shape=right.shape)))
    return cases


def _up_ref(x: Any, skip: Any, c_out: int, train: bool = False, order: str = "skip first",
            up: str = "transposed") -> Any:
    """Up-sample x (transposed convolution, or `up`="nearest" interpolation), join it to the
    skip (`order`: "skip first", "x first", "add" or "no skip"), then the double
    convolution."""
    import torch
    import torch.nn.functional as F

    c = x.shape[1]
    x = conv_transpose(x, c // 2, 2, 2) if up == "transposed" else \
        F.interpolate(x, scale_factor=2)
    both = skip + x if order == "add" else x if order == "no skip" else \
        torch.cat([skip, x] if order == "skip first" else [x, skip], dim=1)
    return _double_conv_ref(both, c_out, train)


CAT_ORDER = N_("concatenate in the order torch.cat([skip, x], dim=1): the skip's channels "
               "come first")
ADDED = N_("U-Net concatenates the skip with the up-sampled x (torch.cat([skip, x], dim=1)) "
           "and the double convolution takes in_channels; ResNet adds, U-Net does not")
SKIP_UNUSED = N_("the skip is not used: concatenate it with the up-sampled x, torch.cat([skip, "
                 "x], dim=1), before the double convolution (which takes in_channels)")
NOT_LEARNED = N_("no learned up-sampling: use nn.ConvTranspose2d(in_channels, in_channels // "
                 "2, kernel_size=2, stride=2)")


@on_one_thread
def unet_up_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return drawn(seed, "Up", _unet_up)


def _unet_up(rng: np.random.Generator, hidden: bool) -> list[Case]:
    configs = [(8, 4, (1, 8, 3, 3)), (4, 2, (2, 4, 4, 5)), (6, 6, (2, 6, 2, 3))]
    if hidden:
        configs = [(2 * int(c), int(o), (int(n), 2 * int(c), int(h), int(w)))
                   for c, o, n, h, w in zip(rng.integers(1, 6, 3), rng.integers(1, 8, 3),
                                            rng.integers(1, 4, 3), rng.integers(1, 6, 3),
                                            rng.integers(1, 6, 3))]
    cases = []
    for c_in, c_out, shape in configs:
        n, h, w = shape[0], shape[2], shape[3]
        x = rng.normal(size=shape)
        skip = rng.normal(size=(n, c_in // 2, 2 * h, 2 * w))
        tx, ts = tensor(x), tensor(skip)
        label = f"in_channels={c_in}, out_channels={c_out}, x {shape}, skip {skip.shape}"
        for train in (False, True):
            def ref(**kw: Any) -> np.ndarray:
                return as_array(_up_ref(tx, ts, c_out, train, **kw))
            right = ref()
            mistakes = [Mistake(ref(order="x first"), CAT_ORDER),
                        Mistake(ref(order="add"), ADDED),
                        Mistake(ref(order="no skip"), SKIP_UNUSED),
                        Mistake(ref(up="nearest"), NOT_LEARNED)]
            cases.append(_forward_case(_("output with fixed weights, {arguments}").format(
                                           arguments=label), [x, skip],
                                       (c_in, c_out), train, right, mistakes,
                                       f"(N, out_channels, 2H, 2W) = {right.shape}"))
        half = c_in // 2
        counts = [c_in * half * 4 + half, 9 * c_in * c_out, 2 * c_out, 9 * c_out * c_out,
                  2 * c_out]
        cases.append(Case(_("parameters per layer, {arguments}").format(
                              arguments=f"in_channels={c_in}, out_channels={c_out}"),
                          (c_in, c_out), adapter=parameter_counts, expected=np.array(counts),
                          check_dtype=False,
                          shape_rule=N_("transposed conv (in -> in/2, 2x2), then the double "
                                        "conv on in/2 + in/2 = in channels"),
                          mistakes=[Mistake(np.array([c_in * c_in * 4 + c_in] + counts[1:]),
                                            N_("the transposed convolution halves the channels "
                                               "(in_channels -> in_channels // 2), so that with "
                                               "the skip's in_channels // 2 they make "
                                               "in_channels")),
                                    Mistake(np.array([9 * (c_in + half) * c_out] + counts[2:]),
                                            NOT_LEARNED),
                                    Mistake(np.array(counts[:1] + [9 * half * c_out]
                                                     + counts[2:]), ADDED),
                                    Mistake(np.array(counts[:1] + [9 * half * c_out]
                                                     + counts[2:]), SKIP_UNUSED)]))
    return cases


# ---------------------------------------------------------------------------------------------
# Dice and IoU
# ---------------------------------------------------------------------------------------------

def _masks(rng: np.random.Generator,
           hidden: bool) -> list[tuple[str, np.ndarray, np.ndarray, float | None]]:
    """(label, predicted probabilities, target masks, threshold or None for the default), both
    (N, 1, H, W) float32; no probability lies near a threshold, where > and >= would differ."""

    def probs(shape: tuple) -> np.ndarray:
        p = rng.uniform(0.02, 0.98, size=shape)
        for near in (0.3, 0.5, 0.7):
            p = np.where(np.abs(p - near) < 0.02, near + 0.05, p)
        return p.astype(np.float32)

    def target(shape: tuple, frac: float = 0.3) -> np.ndarray:
        return (rng.random(shape) < frac).astype(np.float32)

    out = []
    if hidden:
        for _image in range(4):
            shape = (int(rng.integers(1, 5)), 1, int(rng.integers(2, 12)),
                     int(rng.integers(2, 12)))
            out.append((_("random {shape}").format(shape=shape), probs(shape),
                        target(shape, rng.random()), None))
        shape = (int(rng.integers(2, 5)), 1, int(rng.integers(2, 12)), int(rng.integers(2, 12)))
        p, t = probs(shape), target(shape, 0.4)
        p[0], t[0] = 0.1, 0  # an image whose masks are both empty
        threshold = float(rng.choice([0.3, 0.7]))
        out.append((_("random {shape}, threshold {threshold}").format(shape=shape,
                                                                      threshold=threshold),
                    p, t, threshold))
        return out
    t = target((2, 1, 4, 4))
    out.append((_("perfect prediction"), np.where(t > 0, 0.9, 0.1).astype(np.float32), t, None))
    out.append((_("random masks, 3 images 6x5"), probs((3, 1, 6, 5)), target((3, 1, 6, 5)),
                None))
    t = target((2, 1, 5, 5))
    t[1] = 0
    p = probs((2, 1, 5, 5))
    p[1] = 0.1
    out.append((_("second image: both masks empty (a perfect answer)"), p, t, None))
    t = target((2, 1, 4, 4), 0.1)
    t[0] = 0
    t[0, 0, 0, 0] = 1
    out.append((_("one image almost empty, one busy"), probs((2, 1, 4, 4)), t, None))
    t, p = target((3, 1, 4, 4), 0.4), probs((3, 1, 4, 4))
    p[0], t[1] = 0.2, 0  # nothing predicted on a busy image; something on an empty one
    out.append((_("first prediction empty, second target empty"), p, t, None))
    out.append((_("threshold {threshold}").format(threshold=0.3), probs((2, 1, 5, 6)),
                target((2, 1, 5, 6)), 0.3))
    out.append((_("threshold {threshold}").format(threshold=0.7), probs((3, 1, 3, 4)),
                target((3, 1, 3, 4), 0.5), 0.7))
    return out


def _overlap(pred: np.ndarray, target: np.ndarray, axes: tuple, dice: bool,
             empty: float = 1.0, smooth: float = 0.0, target_decides: bool = False
             ) -> np.float64:
    """Mean Dice (or IoU) over the images, each computed over `axes`; an image whose two masks
    are empty scores `empty` (or, with `target_decides`, any image whose target is empty)."""
    p, t = pred.astype(np.float64), target.astype(np.float64)
    inter = (p * t).sum(axis=axes)
    total = p.sum(axis=axes) + t.sum(axis=axes)
    denom = total if dice else total - inter
    num = (2 if dice else 1) * inter
    if smooth:
        return np.float64(((num + smooth) / (denom + smooth)).mean())
    empty_image = t.sum(axis=axes) == 0 if target_decides else denom == 0
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(empty_image, empty, num / np.where(denom > 0, denom, 1))
    return np.float64(score.mean())


def _score_cases(rng: np.random.Generator, hidden: bool, dice: bool) -> list[Case]:
    name, other = ("Dice", "IoU") if dice else ("IoU", "Dice")
    formula = "2|A∩B| / (|A| + |B|)" if dice else "|A∩B| / |A∪B|"
    cases = []
    for label, p, t, threshold in _masks(rng, hidden):
        cut = 0.5 if threshold is None else threshold
        hard = (p > cut).astype(np.float64)
        image = (1, 2, 3)
        right = _overlap(hard, t, image, dice)
        mistakes = [Mistake(_overlap(p, t, image, dice),
                            N_("threshold the probabilities first (pred > threshold): the score "
                               "compares two binary masks")),
                    Mistake(_overlap((p > 0.5).astype(np.float64), t, image, dice),
                            N_("use the `threshold` argument, not a fixed 0.5")),
                    Mistake(_overlap(hard, t, (0, 1, 2, 3), dice),
                            N_("you summed over the whole batch: sum over axes (1, 2, 3) to get "
                               "one score per image, then average the scores")),
                    Mistake(_overlap(hard, t, (0,), dice),
                            N_("you summed over the wrong axes (the batch axis 0): sum over "
                               "channels, height and width, axes (1, 2, 3)")),
                    named_mistake(_overlap(hard, t, image, not dice),
                                  N_("this is the {other} score; {name} is {formula}"),
                                  other=other, name=name, formula=formula),
                    Mistake(_overlap(hard, t, image, dice, empty=0.0),
                            N_("when both masks of an image are empty the prediction is "
                               "perfect: count that image as 1, not 0")),
                    Mistake(_overlap(hard, t, image, dice, target_decides=True),
                            N_("an image scores 1 only when both masks are empty: with an "
                               "empty target, every predicted pixel is wrong and the score is "
                               "0")),
                    Mistake(_overlap(hard, t, image, dice, smooth=1.0),
                            N_("adding 1 to the numerator and the denominator (smoothing, as "
                               "in a Dice loss) changes the score: use the exact formula, and "
                               "give an image whose masks are both empty the score 1"))]
        kwargs = {} if threshold is None else {"threshold": threshold}
        cases.append(Case(label, (p, t), kwargs, arg_names=("pred", "target"), expected=right,
                          rtol=1e-5, atol=1e-6, check_dtype=False,
                          mistakes=[m for m in mistakes
                                    if not np.isclose(m.output, right, rtol=1e-5, atol=1e-6)]))
    return cases


def unet_dice_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return drawn(seed, "dice_score", _unet_dice)


def _unet_dice(rng: np.random.Generator, hidden: bool) -> list[Case]:
    return _score_cases(rng, hidden, dice=True)


def unet_iou_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return drawn(seed, "iou_score", _unet_iou)


def _unet_iou(rng: np.random.Generator, hidden: bool) -> list[Case]:
    return _score_cases(rng, hidden, dice=False)


check_unet_double_conv = NOTEBOOK.check("double_conv", unet_double_conv_cases,
                                        "double_conv(in_channels, out_channels).")
check_unet_up = NOTEBOOK.check("Up", unet_up_cases,
                               N_("Up(in_channels, out_channels) and its forward(x, skip)."))
check_unet_dice = NOTEBOOK.check("dice_score", unet_dice_cases,
                                 "dice_score(pred, target, threshold).", forbid=NUMPY_ONLY)
check_unet_iou = NOTEBOOK.check("iou_score", unet_iou_cases,
                                "iou_score(pred, target, threshold).", forbid=NUMPY_ONLY)
