"""Checks for notebook 04: padding, stride, dilation, output size and receptive field (the
lecture's section PADDING, STRIDE ET DILATATION)."""
from __future__ import annotations

from typing import Callable

import numpy as np

from .. import reference as ref
from ..i18n import N_, _
from ..reference import Pair, pair
from .case import Case, Mistake, split, tolerance
from .exercise import Notebook
from .fixed_weights import on_one_thread
from .forbid import CONVOLUTION, PADDING

NOTEBOOK = Notebook("04_padding_stride_dilation")


def _random(rng: np.random.Generator, shape: tuple, dtype: type) -> np.ndarray:
    if np.dtype(dtype).kind == "i":
        return rng.integers(-5, 6, size=shape).astype(dtype)
    return rng.normal(size=shape).astype(dtype)


def _zero_frame(x: np.ndarray, before: Pair, after: Pair) -> np.ndarray:
    """x (..., H, W) with zeros added before/after the last two axes (a reference, not a
    student's exercise: it uses np.pad)."""
    return np.pad(x, [(0, 0)] * (x.ndim - 2) + [(before[0], after[0]), (before[1], after[1])])


# ---------------------------------------------------------------------------------------------
# pad2d
# ---------------------------------------------------------------------------------------------

def _pad_configs(rng: np.random.Generator, hidden: bool) -> list[tuple]:
    """(input, padding)."""
    if not hidden:
        return [(_random(rng, s, dt), p) for s, p, dt in [
            ((1, 1, 3, 3), 1, np.float64), ((2, 3, 4, 5), 2, np.float32),
            ((1, 2, 3, 6), (1, 2), np.float64), ((2, 1, 4, 3), (2, 0), np.int64),
            ((1, 1, 2, 2), 0, np.float64)]]
    out = []
    for i in range(5):
        shape = tuple(int(v) for v in rng.integers(1, 4, size=2)) + \
            tuple(int(v) for v in rng.integers(1, 12, size=2))
        p = (int(rng.integers(0, 4)), int(rng.integers(0, 4))) if i % 2 else \
            int(rng.integers(1, 4))
        out.append((_random(rng, shape, [np.float64, np.float32, np.int64][i % 3]), p))
    return out


def _pad_case(x: np.ndarray, p: int | Pair) -> Case:
    ph, pw = pair(p)
    N, C, H, W = x.shape
    mistakes = [
        Mistake(_zero_frame(x, (2 * ph, 2 * pw), (0, 0)),
                N_("all the zeros went on one side (top and left): the frame has `padding` "
                   "zeros on each side, before and after")),
        Mistake(_zero_frame(x, (0, 0), (2 * ph, 2 * pw)),
                N_("all the zeros went on one side (bottom and right): the frame has "
                   "`padding` zeros on each side, before and after")),
        Mistake(_zero_frame(x, (ph, pw), (0, 0)),
                N_("zeros only at the top and left: add them after the last row and column too")),
        Mistake(_zero_frame(x, (0, 0), (ph, pw)),
                N_("zeros only at the bottom and right: add them before the first row and "
                   "column too")),
        Mistake(np.pad(x, [(ph, ph), (pw, pw), (0, 0), (0, 0)]),
                N_("you padded the batch and channel axes: only the last two axes (H, W) get "
                   "a frame of zeros")),
        Mistake(np.pad(x, ph), N_("you padded every axis, including batch and channel: only the "
                                  "last two axes (H, W) get a frame of zeros")),
        Mistake(np.pad(x, [(0, 0), (0, 0), (ph, ph), (pw, pw)], mode="edge"),
                N_("the frame must be zeros, not copies of the border values")),
    ]
    if ph != pw:
        mistakes.append(Mistake(_zero_frame(x, (pw, ph), (pw, ph)),
                                N_("height and width swapped: padding=(ph, pw) puts ph rows "
                                   "above and below, pw columns left and right")))
        mistakes += [Mistake(_zero_frame(x, (both, both), (both, both)),
                             N_("one number of the pair used for both axes: padding=(ph, pw) puts "
                                "ph rows above and below, pw columns left and right"))
                     for both in (ph, pw)]
    return Case(_("{dtype} input {shape}, padding={padding}").format(
                    dtype=x.dtype.name, shape=x.shape, padding=p), (x, p),
                arg_names=("input", "padding"), expected=_zero_frame(x, (ph, pw), (ph, pw)),
                shape_rule=f"(N, C, H + 2*ph, W + 2*pw) = ({N}, {C}, {H + 2 * ph}, "
                           f"{W + 2 * pw})", mistakes=mistakes, check_dtype=True,
                spatial=(2, 3))


def pad2d_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return split(seed, "pad2d", _pad_configs, _pad_case)


# ---------------------------------------------------------------------------------------------
# conv_output_size
# ---------------------------------------------------------------------------------------------

def _size_configs(rng: np.random.Generator, hidden: bool) -> list[tuple[int, ...]]:
    """(size, kernel_size, stride, padding, dilation)."""
    if not hidden:
        return [(5, 3, 1, 0, 1), (5, 3, 1, 1, 1), (7, 3, 2, 0, 1), (8, 3, 2, 1, 1),
                (12, 3, 1, 2, 1), (7, 3, 1, 0, 2), (10, 3, 3, 2, 2), (224, 11, 4, 2, 1),
                (6, 4, 3, 0, 1), (15, 3, 1, 0, 4), (4, 4, 1, 0, 1), (6, 1, 2, 2, 3)]
    out: list[tuple[int, ...]] = []
    while len(out) < 10:
        k, s, p, d = (int(rng.integers(1, 8)), int(rng.integers(1, 5)),
                      int(rng.integers(0, 4)), int(rng.integers(1, 4)))
        n = int(rng.integers(1, 120))
        if n + 2 * p >= d * (k - 1) + 1:
            out.append((n, k, s, p, d))
    return out


def conv_output_size_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return split(seed, "conv_output_size", _size_configs, _size_case)


def _size_case(n: int, k: int, s: int, p: int, d: int) -> Case:
    right = ref.conv_output_size(n, k, s, p, d)
    span = d * (k - 1) + 1
    wrong = [
        ((n + 2 * p - span) // s, N_("one too few: you forgot the + 1 (the first window sits "
                                     "at position 0)")),
        (-(-(n + 2 * p - span) // s) + 1, N_("you rounded up: a window that does not fit "
                                             "entirely is dropped, so round down (//)")),
        ((n + p - span) // s + 1, N_("the padding counts twice: p zeros before and p after, "
                                     "so the padded size is size + 2 * padding")),
        (n + 2 * p - span + 1, N_("the stride is missing: divide by it (windows start every "
                                  "`stride` positions)")),
        ((n + 2 * p - k) // s + 1, N_("the dilation is missing: a dilated kernel spans "
                                      "dilation * (kernel_size - 1) + 1 inputs")),
        ((n + 2 * p - d * k) // s + 1, N_("a dilated kernel spans dilation * (kernel_size - 1)"
                                          " + 1 inputs, not dilation * kernel_size: there are "
                                          "kernel_size - 1 gaps")),
        ((n + 2 * p - (d + 1) * (k - 1) - 1) // s + 1,
         N_("dilation off by one: dilation d leaves d - 1 empty inputs between two kernel "
            "taps, so the kernel spans d * (kernel_size - 1) + 1 inputs")),
        ((n + 2 * p - span + 1) // s, N_("divide (size + 2p - span) by the stride, then add 1")),
        ((n - span) // s + 1, N_("the padding is missing: the padded input has size + 2 * padding "
                                 "values")),
        (n + 2 * p - d * (k - 1) - 1 // s + 1,
         N_("missing parentheses: // comes before - and +, so only the last 1 was divided by the "
            "stride; write (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1")),
    ]
    mistakes = [Mistake(v, m) for v, m in wrong if v != right]
    if (n + 2 * p - span) % s:
        mistakes.append(Mistake((n + 2 * p - span) / s + 1,
                                N_("not a whole number: use integer division // (floor), "
                                   "windows come whole")))
    return Case(f"size={n}, kernel_size={k}, stride={s}, padding={p}, dilation={d}",
                (n, k), dict(stride=s, padding=p, dilation=d), expected=right,
                mistakes=mistakes, check_dtype=False)


# ---------------------------------------------------------------------------------------------
# conv2d with bias, stride, padding, dilation
# ---------------------------------------------------------------------------------------------

def _conv_configs(rng: np.random.Generator, hidden: bool) -> list[tuple]:
    """(label, input, weight, bias or None, {stride, padding, dilation})."""
    if hidden:
        return _hidden_conv_configs(rng)
    shapes = [
        (_("plain"), (1, 1, 5, 5), (1, 1, 3, 3), False, {}, np.float64),
        (_("padding=1, 2 images"), (2, 1, 5, 5), (1, 1, 3, 3), False, dict(padding=1),
         np.float64),
        (_("stride=2, 2 channels, 2 kernels"), (1, 2, 7, 7), (2, 2, 3, 3), False, dict(stride=2),
         np.float64),
        ("dilation=2", (1, 1, 7, 8), (1, 1, 3, 3), False, dict(dilation=2), np.float64),
        (_("bias, 2 images, 3 channels, 2 kernels"), (2, 3, 6, 5), (2, 3, 2, 3), True,
         dict(padding=1), np.float32),
        (_("non-square pairs"), (2, 2, 9, 7), (3, 2, 3, 2), True,
         dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2)), np.float64),
        (_("kernel as large as the input: one output"), (2, 2, 4, 3), (3, 2, 4, 3), True, {},
         np.float64),
    ]
    configs = [(label, _random(rng, xs, dt), _random(rng, ws, dt),
                _random(rng, (ws[0],), dt) if has_bias else None, kw)
               for label, xs, ws, has_bias, kw, dt in shapes]
    photo = rng.integers(0, 256, size=(1, 1, 8, 9)).astype(np.uint8)
    configs.insert(6, (_("uint8 image, float32 kernels"), photo,
                       _random(rng, (2, 1, 3, 3), np.float32), None, dict(stride=2, padding=1)))
    return configs


def _hidden_conv_configs(rng: np.random.Generator) -> list[tuple]:
    out: list[tuple] = []
    while len(out) < 7:
        i = len(out)
        N, C, F = (int(v) for v in rng.integers(1, 4, size=3))
        h, w = (int(v) for v in rng.integers(1, 5, size=2))
        H, W = (int(v) for v in rng.integers(3, 11, size=2))
        two = i % 2 == 1  # pairs for half the cases, ints for the others
        draw = (lambda lo, hi: (int(rng.integers(lo, hi)), int(rng.integers(lo, hi)))
                if two else int(rng.integers(lo, hi)))
        kw = dict(stride=draw(1, 4), padding=draw(0, 3), dilation=draw(1, 4))
        s, p, d = (pair(kw[k]) for k in ("stride", "padding", "dilation"))
        if H + 2 * p[0] < d[0] * (h - 1) + 1 or W + 2 * p[1] < d[1] * (w - 1) + 1:
            continue
        dt = [np.float64, np.float32, np.int64][i % 3]
        out.append((_("random {dtype}").format(dtype=np.dtype(dt).name),
                    _random(rng, (N, C, H, W), dt), _random(rng, (F, C, h, w), dt),
                    _random(rng, (F,), dt) if i % 3 != 2 else None, kw))
    return out


def _valid(x: np.ndarray, weight: np.ndarray, stride: Pair, padding: Pair,
           dilation: Pair) -> bool:
    return all(x.shape[2 + a] + 2 * padding[a] >= dilation[a] * (weight.shape[2 + a] - 1) + 1
               and dilation[a] >= 1 and stride[a] >= 1 and padding[a] >= 0 for a in (0, 1))


Wrong = list[tuple]  # (output or None, message[, message's key]) of a typical mistake


def _conv2d_mistakes(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None,
                     kw: dict) -> list[Mistake]:
    """What typical wrong implementations return for this call: padding, stride and dilation
    mistakes, then the ones of order (pairs swapped), bias and flipping."""
    s, p, d = (pair(kw.get(k, v)) for k, v in (("stride", 1), ("padding", 0), ("dilation", 1)))

    def conv(xx: np.ndarray = x, ww: np.ndarray = weight, b: np.ndarray | None = bias,
             ss: Pair = s, pp: Pair = p, dd: Pair = d) -> np.ndarray | None:
        if not _valid(xx, ww, ss, pp, dd):
            return None
        return ref.conv2d(xx, ww, b, stride=ss, padding=pp, dilation=dd)

    right = ref.conv2d(x, weight, bias, stride=s, padding=p, dilation=d)
    wrong = (_padding_mistakes(conv, right, x, weight, s, p, d) +
             _stride_mistakes(conv, right, x, bias, s, p) +
             _dilation_mistakes(conv, right, s, d) + _order_mistakes(conv, s, p, d))
    if bias is not None:
        wrong.append((conv(b=None), N_("the bias is missing: add bias[f] to every value of "
                                       "output channel f")))
    wrong.append((conv(ww=weight[..., ::-1, ::-1].copy()),
                  N_("this is true convolution: your kernel is flipped. PyTorch's conv2d (like "
                     "the lecture's *) is a cross-correlation, with no flip")))
    return [Mistake(m, *why) for m, *why in wrong if m is not None]


def _padding_mistakes(conv: Callable[..., np.ndarray | None], right: np.ndarray, x: np.ndarray,
                      weight: np.ndarray, s: Pair, p: Pair, d: Pair) -> Wrong:
    if p == (0, 0):
        return []
    one = N_("padding on one side only: the frame has `padding` zeros on every side")
    wrong: Wrong = [(conv(xx=_zero_frame(x, p, (0, 0)), pp=(0, 0)), one),
                    (conv(xx=_zero_frame(x, (0, 0), p), pp=(0, 0)), one),
                    (conv(xx=_zero_frame(x, (2 * p[0], 2 * p[1]), (0, 0)), pp=(0, 0)), one),
                    (conv(xx=_zero_frame(x, (0, 0), (2 * p[0], 2 * p[1])), pp=(0, 0)), one),
                    (conv(ww=_zero_frame(weight, p, p), pp=(0, 0)),
                     N_("you padded the kernel: the frame of zeros goes around the input")),
                    (conv(pp=(0, 0)), N_("the padding is ignored: add `padding` zeros around "
                                         "the input before sliding the kernel"))]
    unpadded = conv(pp=(0, 0))
    if unpadded is not None:
        wrong.append((_zero_frame(unpadded, p, p) if s == (1, 1) else None,
                      N_("you padded the output: the frame of zeros goes around the input, "
                         "before the convolution, so the border outputs see real values")))
    H0, W0 = (ref.conv_output_size(x.shape[2 + a], weight.shape[2 + a], s[a], 0, d[a])
              for a in (0, 1))
    wrong.append((right[..., :H0, :W0] if min(H0, W0) >= 1 else None,
                  N_("the output size ignores the padding: compute H_out and W_out from the "
                     "padded input, H + 2 * ph and W + 2 * pw")))
    return wrong


def _stride_mistakes(conv: Callable[..., np.ndarray | None], right: np.ndarray, x: np.ndarray,
                     bias: np.ndarray | None, s: Pair, p: Pair) -> Wrong:
    if s == (1, 1):
        return []
    Ho, Wo = right.shape[2:]
    full = conv(ss=(1, 1))
    wrong: Wrong = [(full, N_("the stride is ignored: you computed every position (the "
                              "stride-1 map); output [i, j] reads the window starting at "
                              "(i * sh, j * sw)"))]
    if full is not None:
        spread = np.zeros_like(full)
        spread[..., ::s[0], ::s[1]] = full[..., ::s[0], ::s[1]]
        spread_then_bias = np.zeros_like(full)  # the bias added to the whole array after
        spread_then_bias[..., ::s[0], ::s[1]] = conv(ss=(1, 1), b=None)[..., ::s[0], ::s[1]]
        if bias is not None:
            spread_then_bias += bias[:, None, None]
        wrong += [(m, N_("right values in the wrong places: you stored the window starting "
                         "at input row r in out[r]; with a stride the output index is "
                         "r // stride (the stride applies to the output grid)"))
                  for m in (spread, spread_then_bias)]
        wrong.append((full[..., :Ho, :Wo],
                      N_("output [i, j] read the window starting at (i, j): it starts at "
                         "(i * sh, j * sw), the stride moves the window")))
    padded = _zero_frame(x, p, p)
    wrong.append((conv(xx=padded[..., ::s[0], ::s[1]], ss=(1, 1), pp=(0, 0)),
                  N_("you subsampled the input with the stride and then slid the kernel by "
                     "1: the kernel reads neighbouring inputs; only its starting position "
                     "moves by `stride`")))
    return wrong


def _dilation_mistakes(conv: Callable[..., np.ndarray | None], right: np.ndarray, s: Pair,
                       d: Pair) -> Wrong:
    wrong: Wrong = [(conv(dd=(d[0] + 1, d[1] + 1)),
                     N_("dilation off by one: dilation d leaves d - 1 empty inputs between taps "
                        "(tap t reads input i + t * d), not d"))]
    if d != (1, 1):
        Ho, Wo = right.shape[2:]
        wrong.append((conv(dd=(1, 1)), N_("the dilation is ignored: kernel taps sit `dilation` "
                                          "inputs apart")))
        dense = conv(dd=(1, 1))
        if dense is not None:
            wrong.append((dense[..., :Ho, :Wo],
                          N_("the windows ignore the dilation (the output size is right): tap "
                             "(a, b) reads x[..., i*sh + a*dh, j*sw + b*dw], e.g. the slice "
                             "r:r + dh*(h-1) + 1:dh")))
        if min(d) >= 2:
            wrong.append((conv(dd=(d[0] - 1, d[1] - 1)),
                          N_("dilation off by one: tap t reads input i + t * d, so taps are d "
                             "apart (d - 1 empty inputs between them)")))
    if s != d:
        wrong.append((conv(ss=d, dd=s), N_("stride and dilation swapped: the stride moves the "
                                           "whole window, the dilation spreads the taps inside "
                                           "it")))
    return wrong


def _order_mistakes(conv: Callable[..., np.ndarray | None], s: Pair, p: Pair, d: Pair) -> Wrong:
    """A pair's two values swapped, or height and width swapped for all three."""
    wrong: Wrong = []
    for name, value in (("stride", s), ("padding", p), ("dilation", d)):
        if value != value[::-1]:
            swapped = dict(ss=s, pp=p, dd=d)
            swapped[name[0] * 2] = value[::-1]
            why = N_("{name}=(a, b): a applies to the rows (H) and b to the columns (W); you "
                     "swapped them")
            wrong.append((conv(**swapped), _(why).format(name=name), why.format(name=name)))
    if (s, p, d) != (s[::-1], p[::-1], d[::-1]):
        wrong.append((conv(ss=s[::-1], pp=p[::-1], dd=d[::-1]),
                      N_("height and width swapped: for a pair (a, b), a applies to the rows "
                         "(H) and b to the columns (W)")))
    return wrong


def _conv_case(label: str, x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None,
               kw: dict) -> Case:
    s, p, d = (pair(kw.get(k, v)) for k, v in (("stride", 1), ("padding", 0), ("dilation", 1)))
    H_out, W_out = (ref.conv_output_size(x.shape[2 + a], weight.shape[2 + a], s[a], p[a], d[a])
                    for a in (0, 1))
    args = (x, weight) if bias is None else (x, weight, bias)
    shown = ", ".join(f"{k}={v}" for k, v in kw.items())
    described = (_("{label}: input {input}, weight {weight}") if bias is None else
                 _("{label}: input {input}, weight {weight}, bias")).format(
                     label=label, input=x.shape, weight=weight.shape)
    rule = _("(N, F, H_out, W_out) with H_out = floor((H + 2p - d(h-1) - 1) / s) + 1: "
             "({N}, {F}, {H_out}, {W_out})").format(N=x.shape[0], F=weight.shape[0], H_out=H_out,
                                                    W_out=W_out)
    return Case(described + (f", {shown}" if shown else ""), args, dict(kw),
                arg_names=("input", "weight", "bias"), expected=ref.conv2d(x, weight, bias, **kw),
                spatial=(2, 3), shape_rule=rule,
                mistakes=_conv2d_mistakes(x, weight, bias, kw), **tolerance(*args))


@on_one_thread
def conv2d_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return split(seed, "conv2d", _conv_configs, _conv_case)


# ---------------------------------------------------------------------------------------------
# receptive_field
# ---------------------------------------------------------------------------------------------

def _propagate(layers: list[tuple[int, int, int]]) -> int:
    """Receptive field (along one axis) of one output of a stack of (kernel, stride, dilation)
    layers, found by explicit propagation: the input positions that output 0 depends on."""
    positions = {0}
    for k, s, d in reversed(layers):
        positions = {o * s + t * d for o in positions for t in range(k)}
    return max(positions) - min(positions) + 1


def _stacks(rng: np.random.Generator, hidden: bool) -> list[tuple[list[tuple[int, int, int]]]]:
    """([(kernel, stride, dilation), ...],): a stack of layers."""
    if not hidden:
        return [([(3, 1, 1)],), ([(3, 1, 1)] * 2,), ([(3, 1, 1)] * 3,),
                ([(5, 1, 1), (3, 1, 1)],), ([(3, 2, 1), (3, 1, 1)],), ([(3, 1, 2), (3, 1, 1)],),
                ([(3, 1, 1), (3, 1, 2), (3, 1, 4)],), ([(11, 4, 1), (3, 2, 1), (5, 1, 1)],),
                ([(2, 2, 1)] * 3,)]
    return [([(int(rng.integers(1, 8)), int(rng.integers(1, 4)), int(rng.integers(1, 4)))
              for _ in range(int(rng.integers(1, 6)))],) for _ in range(6)]


def _field_case(layers: list[tuple[int, int, int]]) -> Case:
    right = _propagate(layers)
    jumps = np.cumprod([1] + [s for _, s, _ in layers])
    wrong = [
        (_propagate([(k, 1, d) for k, _, d in layers]),
         N_("the strides are missing: after a layer of stride s, one step in its output is s "
            "steps in its input, so later kernels reach further")),
        (_propagate([(k, s, 1) for k, s, _ in layers]),
         N_("the dilation is missing: a kernel of size k and dilation d spans d (k - 1) + 1 "
            "inputs")),
        (sum(k for k, _, _ in layers), N_("adding kernel sizes counts the shared pixel twice: "
                                          "each layer adds (k - 1) to the receptive field")),
        (int(np.prod([k for k, _, _ in layers])),
         N_("the receptive field grows by addition, not multiplication: each layer adds "
            "d (k - 1) times the product of the strides before it")),
        (1 + sum((k - 1) * d * int(j) for (k, _, d), j in zip(layers, jumps[1:])),
         N_("the product of strides includes the layer's own stride: a layer's own stride does "
            "not widen its window, only the strides of the layers before it count")),
        (1 + sum((k - 1) * (d + 1) * int(j) for (k, _, d), j in zip(layers, jumps)),
         N_("dilation off by one: taps are d apart (d - 1 gaps), a dilated kernel spans "
            "d (k - 1) + 1 inputs")),
        (layers[-1][0], N_("the receptive field is counted in the input image: every layer of "
                           "the stack widens it, not only the last one")),
        (1 + sum((k - 1) * d * int(j) for (k, _, d), j in zip(layers[::-1], np.cumprod(
            [1] + [s for _, s, _ in layers[::-1]]))),
         N_("layers[0] is the first layer, next to the input: each layer's d (k - 1) is "
            "multiplied by the strides of the layers before it, not after it")),
    ]
    return Case(_("layers (kernel, stride, dilation) = {layers}").format(layers=layers),
                (list(layers),),
                expected=right, mistakes=[Mistake(v, m) for v, m in wrong],
                check_dtype=False)


def receptive_field_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return split(seed, "receptive_field", _stacks, _field_case)


check_pad2d = NOTEBOOK.check("pad2d", pad2d_cases,
                             N_("pad2d(input, padding): a frame of zeros around H and W."),
                             forbid=PADDING)
check_conv_output_size = NOTEBOOK.check("conv_output_size", conv_output_size_cases,
                                        N_("conv_output_size(size, kernel_size, stride, padding, "
                                           "dilation): PyTorch's formula."),
                                        widget="arithmetic_explorer")
check_conv2d = NOTEBOOK.check("conv2d", conv2d_cases,
                              N_("conv2d(input, weight, bias, stride, padding, dilation) against "
                                 "torch.nn.functional.conv2d."), forbid=CONVOLUTION, loops=True,
                              widget="arithmetic_explorer")
check_receptive_field = NOTEBOOK.check("receptive_field", receptive_field_cases,
                                       N_("receptive_field(layers) of a stack of (kernel, stride, "
                                          "dilation) layers."))
