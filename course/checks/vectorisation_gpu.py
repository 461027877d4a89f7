"""Checks for notebook 06: im2col, convolution as one matrix product, vectorised pooling.

The layout is the one notebook 06 teaches: `im2col` returns (C·h·w, N·H_out·W_out), one column
per output position of every image in the batch, rows in the order (channel, kernel row, kernel
column): the order of `weight.reshape(F, -1)`.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import reference as ref
from ..i18n import N_, _
from ..reference import conv_output_size as out_size
from ..reference import pair
from .case import Case, Mistake, split, tolerance
from .exercise import Notebook
from .fixed_weights import on_one_thread
from .forbid import VECTORISED
from .pooling import pool_mistakes

NOTEBOOK = Notebook("06_vectorisation_gpu")


def conv_configs(rng: np.random.Generator, hidden: bool, small: bool = False) -> list[tuple]:
    """(label, input, weight, bias, stride, padding, dilation); `small` keeps the hidden ones
    small enough for loops."""
    r = lambda *s, dt=np.float64: rng.normal(size=s).astype(dt)  # noqa: E731
    if not hidden:
        return [
            (_("one 5x6 image, one 3x3 kernel"), r(1, 1, 5, 6), r(1, 1, 3, 3), None, 1, 0, 1),
            (_("N=2, C=3, F=4, 3x2 kernel, bias, float32"), r(2, 3, 6, 7, dt=np.float32),
             r(4, 3, 3, 2, dt=np.float32), r(4, dt=np.float32), 1, 0, 1),
            (_("stride 2, padding 1"), r(2, 2, 7, 8), r(3, 2, 3, 3), r(3), 2, 1, 1),
            (_("stride (2, 1), padding (1, 2), dilation (1, 2)"), r(2, 3, 9, 8), r(2, 3, 2, 3),
             r(2), (2, 1), (1, 2), (1, 2)),
            (_("1x1 kernel, stride 2, 3 images"), r(3, 2, 5, 4), r(3, 2, 1, 1), r(3), 2, 0, 1),
        ]
    out = []
    for i in range(5):
        n, c, f = (int(v) for v in rng.integers(1, 4 if small else 5, size=3))
        h, w = (int(v) for v in rng.integers(1, 5, size=2))
        s, d = pair(tuple(rng.integers(1, 3, size=2))), pair(tuple(rng.integers(1, 3, size=2)))
        p = pair(tuple(rng.integers(0, 3, size=2)))
        H = int(rng.integers(d[0] * (h - 1) + 1, 10 if small else 16))
        W = int(rng.integers(d[1] * (w - 1) + 1, 10 if small else 16))
        dt = np.float32 if i % 2 else np.float64
        b = r(f, dt=dt) if i % 3 else None
        label = _("random N={N} C={C} F={F} {H}x{W} kernel {h}x{w} stride {stride} padding "
                  "{padding} dilation {dilation} {dtype}").format(
            N=n, C=c, F=f, H=H, W=W, h=h, w=w, stride=s, padding=p, dilation=d,
            dtype=np.dtype(dt).name)
        out.append((label, r(n, c, H, W, dt=dt), r(f, c, h, w, dt=dt), b, s, p, d))
    return out


def reference_im2col(x: np.ndarray, ks: tuple, s: Any = 1, p: Any = 0, d: Any = 1
                     ) -> np.ndarray:
    """The course's layout (C·h·w, N·H_out·W_out), from PyTorch's F.unfold."""
    u = ref.unfold(x, ks, s, p, d)
    return np.ascontiguousarray(u.transpose(1, 0, 2)).reshape(u.shape[1], -1)


def _fits(x: np.ndarray, ks: tuple, p: Any, d: Any) -> bool:
    """The dilated kernel fits in the padded input."""
    return all(x.shape[2 + a] + 2 * pair(p)[a] >= pair(d)[a] * (ks[a] - 1) + 1 for a in (0, 1))


@on_one_thread
def im2col_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return split(seed, "conv_configs", conv_configs, _im2col_case)


def _im2col_case(label: str, x: np.ndarray, wt: np.ndarray, _: np.ndarray | None, s: Any,
                 p: Any, d: Any) -> Case:
    N, C, H, W = x.shape
    h, w = wt.shape[2:]
    ks = (h, w)
    (sh, sw), (ph, pw), (dh, dw) = pair(s), pair(p), pair(d)
    Ho, Wo = out_size(H, h, sh, ph, dh), out_size(W, w, sw, pw, dw)
    right = reference_im2col(x, ks, s, p, d)
    six = right.reshape(C, h, w, N, Ho, Wo)
    mistakes = [
        Mistake(six.transpose(1, 2, 0, 3, 4, 5).reshape(C * h * w, -1),
                N_("rows in the order (kernel row, kernel column, channel): the rows must "
                   "follow weight.reshape(F, -1), i.e. (channel, kernel row, kernel column)")),
        Mistake(six.transpose(0, 1, 2, 4, 5, 3).reshape(C * h * w, -1),
                N_("the columns are in the wrong order: image index last. Columns go image by "
                   "image, and within an image row by row: (n, i, j)")),
        Mistake(six.transpose(0, 1, 2, 3, 5, 4).reshape(C * h * w, -1),
                N_("the columns are in the wrong order: within an image they go column by "
                   "column; put the output row i before the output column j")),
        Mistake(ref.unfold(x, ks, s, p, d),
                N_("you returned one (C·h·w, L) matrix per image, as F.unfold does: put the "
                   "batch side by side, (C·h·w, N·H_out·W_out), so that one product does all")),
        Mistake(right.T, N_("rows and columns swapped: one ROW per kernel entry (C·h·w rows), "
                          "one COLUMN per output position")),
    ]
    ignored = {"stride": N_("the stride is ignored: keep every sh-th window down and every "
                            "sw-th across (windows[:, :, ::sh, ::sw])"),
               "padding": N_("the padding is ignored: add the frame of zeros around H and W "
                             "first"),
               "dilation": N_("the dilation is ignored: a window spans dh·(h - 1) + 1 rows, of "
                              "which every dh-th is kept ([..., ::dh, ::dw])")}
    given = dict(stride=s, padding=p, dilation=d)
    for name, default in (("stride", 1), ("padding", 0), ("dilation", 1)):
        changed = {**given, name: default}
        if pair(given[name]) != pair(default) and _fits(x, ks, changed["padding"],
                                                        changed["dilation"]):
            mistakes.append(Mistake(reference_im2col(x, ks, changed["stride"],
                                                     changed["padding"], changed["dilation"]),
                                    ignored[name]))
    return Case(label, (x, ks), dict(stride=s, padding=p, dilation=d), expected=right,
                arg_names=("input", "kernel_size"), mistakes=mistakes,
                shape_rule=f"(C·h·w, N·H_out·W_out) = ({C}·{h}·{w}, {N}·{Ho}·{Wo})",
                **tolerance(x))


@on_one_thread
def conv2d_im2col_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return split(seed, "conv_configs", conv_configs, _conv_case)


NOT_PASSED = {"stride": N_("the stride is ignored: pass it on to im2col"),
              "padding": N_("the padding is ignored: pass it on to im2col"),
              "dilation": N_("the dilation is ignored: pass it on to im2col")}


def _conv_case(label: str, x: np.ndarray, wt: np.ndarray, b: np.ndarray | None, s: Any,
               p: Any, d: Any) -> Case:
    N, C, H, W = x.shape
    Fo, _, h, w = wt.shape
    (sh, sw), (ph, pw), (dh, dw) = pair(s), pair(p), pair(d)
    Ho, Wo = out_size(H, h, sh, ph, dh), out_size(W, w, sw, pw, dw)
    kw = dict(stride=s, padding=p, dilation=d)
    right = ref.conv2d(x, wt, b, **kw)
    cols = reference_im2col(x.astype(np.float64), (h, w), s, p, d)
    bias = 0 if b is None else b.astype(np.float64)[:, None]
    wrong_order = wt.astype(np.float64).transpose(0, 2, 3, 1).reshape(Fo, -1) @ cols + bias
    prod = wt.astype(np.float64).reshape(Fo, -1) @ cols + bias
    mistakes = [
        Mistake(wrong_order.reshape(Fo, N, Ho, Wo).transpose(1, 0, 2, 3),
                N_("the kernel is not flattened in the same order as the columns: "
                   "weight.reshape(F, -1) is (channel, row, column), the order of im2col's rows; "
                   "do not transpose the weight first")),
        Mistake(prod.reshape(N, Fo, Ho, Wo),
                N_("the product is (F, N·H_out·W_out): reshape it to (F, N, H_out, W_out) and "
                   "then move the batch axis first (transpose(1, 0, 2, 3)); reshaping straight to "
                   "(N, F, H_out, W_out) mixes images and kernels")),
        Mistake(ref.conv2d(x, wt[:, :, ::-1, ::-1].copy(), b, **kw),
                N_("your kernel is flipped (true convolution): the lecture's * is a "
                   "cross-correlation")),
    ]
    if b is not None:
        mistakes.append(Mistake(ref.conv2d(x, wt, None, **kw),
                                N_("the bias is missing: add bias[f] to every value of map f")))
    mistakes.append(Mistake(prod.reshape(Fo, N, Ho, Wo),
                            N_("the batch axis must come first: move it with transpose(1, 0, 2, "
                               "3), (F, N, H_out, W_out) -> (N, F, H_out, W_out)")))
    defaults = dict(stride=1, padding=0, dilation=1)
    if any(pair(kw[k]) != pair(v) for k, v in defaults.items()) and _fits(x, (h, w), 0, 1):
        mistakes.append(Mistake(ref.conv2d(x, wt, b),
                                N_("stride, padding and dilation are not passed on to im2col: "
                                   "call im2col(input, (h, w), stride, padding, dilation)")))
    for name, default in defaults.items():
        if pair(kw[name]) != pair(default):
            changed = {**kw, name: default}
            if _fits(x, (h, w), changed["padding"], changed["dilation"]):
                mistakes.append(Mistake(ref.conv2d(x, wt, b, **changed), NOT_PASSED[name]))
    return Case(label, (x, wt, b), kw, expected=right, mistakes=mistakes,
                arg_names=("input", "weight", "bias"), spatial=(2, 3),
                shape_rule=f"(N, F, H_out, W_out) = ({N}, {Fo}, {Ho}, {Wo})",
                **tolerance(x, wt))


def pool_configs(rng: np.random.Generator, hidden: bool) -> list[tuple]:
    """(label, input, kernel_size, stride)."""
    r = lambda *s, dt=np.float64: rng.normal(size=s).astype(dt)  # noqa: E731
    if not hidden:
        return [(_("one 4x4 map, 2x2 windows (stride None)"), r(1, 1, 4, 4), 2, None),
                (_("N=2, C=3, 7x9, 3x3 windows, stride 2 (AlexNet's overlapping pooling)"),
                 r(2, 3, 7, 9, dt=np.float32), 3, 2),
                (_("non-square windows (2, 3), stride (1, 2)"), r(2, 2, 6, 8), (2, 3), (1, 2)),
                (_("5x7 with 2x2 windows: the last row and column are dropped"), r(1, 2, 5, 7), 2,
                 None),
                (_("2x2 windows, stride 3 (inputs skipped), mostly negative values"),
                 r(2, 2, 7, 8) - 1.0, 2, 3)]
    out = []
    for i in range(5):
        k = pair(tuple(rng.integers(1, 4, size=2)))
        s = None if i == 0 else pair(tuple(rng.integers(1, 4, size=2)))
        n, c = (int(v) for v in rng.integers(1, 4, size=2))
        H, W = (int(v) for v in rng.integers(4, 14, size=2))
        dt = np.float32 if i % 2 else np.float64
        label = _("random N={N} C={C} {H}x{W} kernel {kernel} stride {stride} {dtype}").format(
            N=n, C=c, H=H, W=W, kernel=k, stride=s, dtype=np.dtype(dt).name)
        out.append((label, r(n, c, H, W, dt=dt), k, s))
    return out


def _pool(kind: str, x: np.ndarray, k: Any, s: Any) -> np.ndarray:
    return ref.pool2d(kind, x, k, s).astype(x.dtype)


def _pool_case(kind: str, label: str, x: np.ndarray, k: Any, s: Any) -> Case:
    kh, kw = pair(k)
    sh, sw = pair(s, k)
    N, C, H, W = x.shape
    Ho, Wo = out_size(H, kh, sh), out_size(W, kw, sw)
    expected = _pool(kind, x, k, s)
    return Case(label, (x, k), dict(stride=s), expected=expected,
                arg_names=("input", "kernel_size"), spatial=(2, 3),
                mistakes=pool_mistakes(kind, x, (kh, kw), (sh, sw), s, expected),
                shape_rule=f"(N, C, floor((H - h) / s) + 1, floor((W - w) / s) + 1)"
                           f" = ({N}, {C}, {Ho}, {Wo})", **tolerance(x))


@on_one_thread
def max_pool2d_vec_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return split(seed, "pool_configs", pool_configs, lambda *c: _pool_case("max", *c))


@on_one_thread
def avg_pool2d_vec_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return split(seed, "pool_configs", pool_configs, lambda *c: _pool_case("avg", *c))


check_im2col = NOTEBOOK.check("im2col", im2col_cases,
                              "im2col(input, kernel_size, stride, padding, dilation) -> "
                              "(C·h·w, N·H_out·W_out).", forbid=VECTORISED)
check_conv2d_im2col = NOTEBOOK.check("conv2d_im2col", conv2d_im2col_cases,
                                     N_("conv2d_im2col: the convolution as one matrix product."),
                                     forbid=VECTORISED)
check_max_pool2d_vec = NOTEBOOK.check("max_pool2d_vec", max_pool2d_vec_cases,
                                      N_("max_pool2d_vec without Python loops over positions."),
                                      forbid=VECTORISED)
check_avg_pool2d_vec = NOTEBOOK.check("avg_pool2d_vec", avg_pool2d_vec_cases,
                                      N_("avg_pool2d_vec without Python loops over positions."),
                                      forbid=VECTORISED)
