"""Checks for notebook 06: im2col, convolution as one matrix product, vectorised pooling.

The layout is the one notebook 06 teaches: `im2col` returns (C·h·w, N·H_out·W_out), one column
per output position of every image in the batch, rows in the order (channel, kernel row, kernel
column): the order of `weight.reshape(F, -1)`.
"""
from __future__ import annotations

import numpy as np

from . import oracle
from ._core import Case, Mistake, make_check


def pair(v: int | tuple | None, default: int | tuple | None = None) -> tuple[int, int]:
    """An int or a pair as a pair; None gives `default` (as a pair)."""
    v = default if v is None else v
    return (int(v), int(v)) if np.isscalar(v) else (int(v[0]), int(v[1]))


def out_size(size: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> int:
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def _tol(*arrays: np.ndarray) -> dict:
    f32 = any(a is not None and a.dtype == np.float32 for a in arrays)
    return dict(rtol=1e-4, atol=1e-4) if f32 else dict(rtol=1e-9, atol=1e-9)


def conv_configs(hidden: bool, seed: int, small: bool = False) -> list[tuple]:
    """(label, input, weight, bias, stride, padding, dilation) tuples: visible ones first."""
    rng = np.random.default_rng(seed)
    r = lambda *s, dt=np.float64: rng.normal(size=s).astype(dt)  # noqa: E731
    out = [
        ("one 5x6 image, one 3x3 kernel", r(1, 1, 5, 6), r(1, 1, 3, 3), None, 1, 0, 1),
        ("N=2, C=3, F=4, 3x2 kernel, bias, float32", r(2, 3, 6, 7, dt=np.float32),
         r(4, 3, 3, 2, dt=np.float32), r(4, dt=np.float32), 1, 0, 1),
        ("stride 2, padding 1", r(2, 2, 7, 8), r(3, 2, 3, 3), r(3), 2, 1, 1),
        ("stride (2, 1), padding (1, 2), dilation 2", r(2, 3, 9, 8), r(2, 3, 2, 3), r(2),
         (2, 1), (1, 2), 2),
    ]
    if hidden:
        for i in range(5):
            n, c, f = (int(v) for v in rng.integers(1, 4 if small else 5, size=3))
            h, w = (int(v) for v in rng.integers(1, 5, size=2))
            s, d = pair(tuple(rng.integers(1, 3, size=2))), pair(int(rng.integers(1, 3)))
            p = pair(tuple(rng.integers(0, 3, size=2)))
            H = int(rng.integers(d[0] * (h - 1) + 1, 10 if small else 16))
            W = int(rng.integers(d[1] * (w - 1) + 1, 10 if small else 16))
            dt = np.float32 if i % 2 else np.float64
            b = r(f, dt=dt) if i % 3 else None
            out.append((f"hidden random N={n} C={c} F={f} {H}x{W} kernel {h}x{w} stride {s} "
                        f"padding {p} dilation {d} {np.dtype(dt).name}", r(n, c, H, W, dt=dt),
                        r(f, c, h, w, dt=dt), b, s, p, d))
    return out


def _unfold(x: np.ndarray, ks: tuple, s, p, d) -> np.ndarray:
    """F.unfold: (N, C·h·w, L)."""
    torch = oracle._torch()
    return torch.nn.functional.unfold(torch.tensor(x), ks, dilation=d, padding=p,
                                      stride=s).numpy()


def reference_im2col(x: np.ndarray, ks: tuple, s=1, p=0, d=1) -> np.ndarray:
    """The course's layout (C·h·w, N·H_out·W_out), from PyTorch's F.unfold."""
    u = _unfold(x, ks, s, p, d)
    return np.ascontiguousarray(u.transpose(1, 0, 2)).reshape(u.shape[1], -1)


def im2col_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    cases = []
    for label, x, wt, _, s, p, d in conv_configs(hidden, seed):
        N, C, H, W = x.shape
        h, w = wt.shape[2:]
        ks = (h, w)
        (sh, sw), (ph, pw), (dh, dw) = pair(s), pair(p), pair(d)
        Ho, Wo = out_size(H, h, sh, ph, dh), out_size(W, w, sw, pw, dw)
        ref = reference_im2col(x, ks, s, p, d)
        six = ref.reshape(C, h, w, N, Ho, Wo)
        mistakes = [
            Mistake(six.transpose(1, 2, 0, 3, 4, 5).reshape(C * h * w, -1),
                    "rows in the order (kernel row, kernel column, channel): the rows must "
                    "follow weight.reshape(F, -1), i.e. (channel, kernel row, kernel column)"),
            Mistake(six.transpose(0, 1, 2, 4, 5, 3).reshape(C * h * w, -1),
                    "the columns are in the wrong order: image index last. Columns go image by "
                    "image, and within an image row by row: (n, i, j)"),
            Mistake(six.transpose(0, 1, 2, 3, 5, 4).reshape(C * h * w, -1),
                    "the columns are in the wrong order: within an image they go column by "
                    "column; put the output row i before the output column j"),
            Mistake(_unfold(x, ks, s, p, d),
                    "you returned one (C·h·w, L) matrix per image, as F.unfold does: put the "
                    "batch side by side, (C·h·w, N·H_out·W_out), so that one product does all"),
            Mistake(ref.T, "rows and columns swapped: one ROW per kernel entry (C·h·w rows), "
                           "one COLUMN per output position"),
        ]
        cases.append(Case(label, (x, ks), dict(stride=s, padding=p, dilation=d), expected=ref,
                          arg_names=("input", "kernel_size"), mistakes=mistakes,
                          shape_rule=f"(C·h·w, N·H_out·W_out) = ({C}·{h}·{w}, {N}·{Ho}·{Wo})",
                          **_tol(x)))
    return cases


def conv2d_im2col_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    cases = []
    for label, x, wt, b, s, p, d in conv_configs(hidden, seed):
        N, C, H, W = x.shape
        Fo, _, h, w = wt.shape
        (sh, sw), (ph, pw), (dh, dw) = pair(s), pair(p), pair(d)
        Ho, Wo = out_size(H, h, sh, ph, dh), out_size(W, w, sw, pw, dw)
        kw = dict(stride=s, padding=p, dilation=d)
        ref = oracle.conv2d(x, wt, b, **kw)
        cols = reference_im2col(x.astype(np.float64), (h, w), s, p, d)
        bias = 0 if b is None else b.astype(np.float64)[:, None]
        wrong_order = wt.astype(np.float64).transpose(0, 2, 3, 1).reshape(Fo, -1) @ cols + bias
        prod = wt.astype(np.float64).reshape(Fo, -1) @ cols + bias
        mistakes = [
            Mistake(wrong_order.reshape(Fo, N, Ho, Wo).transpose(1, 0, 2, 3),
                    "the kernel is not flattened in the same order as the columns: "
                    "weight.reshape(F, -1) is (channel, row, column), the order of im2col's rows; "
                    "do not transpose the weight first"),
            Mistake(prod.reshape(N, Fo, Ho, Wo),
                    "the product is (F, N·H_out·W_out): reshape it to (F, N, H_out, W_out) and "
                    "then move the batch axis first (transpose(1, 0, 2, 3)); reshaping straight to "
                    "(N, F, H_out, W_out) mixes images and kernels"),
            Mistake(oracle.conv2d(x, wt[:, :, ::-1, ::-1].copy(), b, **kw),
                    "your kernel is flipped (true convolution): the lecture's * is a "
                    "cross-correlation"),
        ]
        if b is not None:
            mistakes.append(Mistake(oracle.conv2d(x, wt, None, **kw),
                                    "the bias is missing: add bias[f] to every value of map f"))
        cases.append(Case(label, (x, wt, b), kw, expected=ref, mistakes=mistakes,
                          arg_names=("input", "weight", "bias"),
                          shape_rule=f"(N, F, H_out, W_out) = ({N}, {Fo}, {Ho}, {Wo})",
                          **_tol(x, wt)))
    return cases


def pool_configs(hidden: bool, seed: int) -> list[tuple]:
    """(label, input, kernel_size, stride) tuples: visible ones first."""
    rng = np.random.default_rng(seed)
    r = lambda *s, dt=np.float64: rng.normal(size=s).astype(dt)  # noqa: E731
    out = [("one 4x4 map, 2x2 windows (stride None)", r(1, 1, 4, 4), 2, None),
           ("N=2, C=3, 7x9, 3x3 windows, stride 2 (AlexNet's overlapping pooling)",
            r(2, 3, 7, 9, dt=np.float32), 3, 2),
           ("non-square windows (2, 3), stride (1, 2)", r(2, 2, 6, 8), (2, 3), (1, 2)),
           ("5x7 with 2x2 windows: the last row and column are dropped", r(1, 2, 5, 7), 2, None)]
    if hidden:
        for i in range(5):
            k = pair(tuple(rng.integers(1, 4, size=2)))
            s = None if i == 0 else pair(tuple(rng.integers(1, 4, size=2)))
            n, c = (int(v) for v in rng.integers(1, 4, size=2))
            H, W = (int(v) for v in rng.integers(4, 14, size=2))
            dt = np.float32 if i % 2 else np.float64
            out.append((f"hidden random N={n} C={c} {H}x{W} kernel {k} stride {s} "
                        f"{np.dtype(dt).name}", r(n, c, H, W, dt=dt), k, s))
    return out


def _pool(kind: str, x: np.ndarray, k, s) -> np.ndarray:
    torch = oracle._torch()
    fn = getattr(torch.nn.functional, f"{kind}_pool2d")
    return fn(torch.tensor(x, dtype=torch.float64), k, s).numpy().astype(x.dtype)


def _pool_cases(kind: str, hidden: bool, seed: int) -> list[Case]:
    other = "avg" if kind == "max" else "max"
    cases = []
    for label, x, k, s in pool_configs(hidden, seed):
        kh, kw = pair(k)
        sh, sw = pair(s, k)
        N, C, H, W = x.shape
        Ho, Wo = out_size(H, kh, sh), out_size(W, kw, sw)
        mistakes = [Mistake(_pool(other, x, k, s),
                            f"this is {other} pooling: {kind}_pool2d takes the "
                            f"{'largest value' if kind == 'max' else 'mean'} of each window")]
        if s is None and (kh, kw) != (1, 1):
            mistakes.append(Mistake(_pool(kind, x, k, 1),
                                    "stride=None means stride = kernel_size (PyTorch's "
                                    "default: windows side by side), not 1"))
        if kind == "avg" and kh * kw > 1:
            mistakes.append(Mistake(_pool("avg", x, k, s) * (kh * kw),
                                    "you summed each window: divide by the window size h·w"))
        if kind == "max" and C > 1:
            across = _pool("max", x, k, s).max(axis=1, keepdims=True)
            mistakes.append(Mistake(np.broadcast_to(across, (N, C, Ho, Wo)),
                                    "you also took the max across channels: pooling works "
                                    "channel by channel"))
        cases.append(Case(label, (x, k), dict(stride=s), expected=_pool(kind, x, k, s),
                          arg_names=("input", "kernel_size"), mistakes=mistakes,
                          shape_rule=f"(N, C, floor((H - h) / s) + 1, floor((W - w) / s) + 1)"
                                     f" = ({N}, {C}, {Ho}, {Wo})", **_tol(x)))
    return cases


def max_pool2d_vec_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    return _pool_cases("max", hidden, seed)


def avg_pool2d_vec_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    return _pool_cases("avg", hidden, seed)


# Vectorised answers may use NumPy's stride tricks, but not a library's convolution or pooling.
NO_LIBRARY = ("torch", "scipy", "skimage", "numpy.convolve", "numpy.correlate")

check_im2col = make_check("im2col", im2col_cases,
                          "Check im2col(input, kernel_size, stride, padding, dilation) -> "
                          "(C·h·w, N·H_out·W_out).", forbid=NO_LIBRARY)
check_conv2d_im2col = make_check("conv2d_im2col", conv2d_im2col_cases,
                                 "Check conv2d_im2col against F.conv2d.", forbid=NO_LIBRARY)
check_max_pool2d_vec = make_check("max_pool2d_vec", max_pool2d_vec_cases,
                                  "Check max_pool2d_vec against F.max_pool2d.",
                                  forbid=NO_LIBRARY)
check_avg_pool2d_vec = make_check("avg_pool2d_vec", avg_pool2d_vec_cases,
                                  "Check avg_pool2d_vec against F.avg_pool2d.",
                                  forbid=NO_LIBRARY)
