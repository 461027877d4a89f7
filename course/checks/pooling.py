"""Checks for notebook 05: max and average pooling (the lecture's sections POOLING, COUCHE DE
POOLING and RÔLE DES COUCHES POOLING)."""
from __future__ import annotations

from typing import Callable

import numpy as np

from .. import reference as ref
from ..examples import LECTURE_GRID
from ..i18n import N_, _
from ..reference import Pair, pair
from .case import Case, Mistake, split
from .exercise import Notebook
from .fixed_weights import on_one_thread
from .forbid import NUMPY_ONLY, POOLING

NOTEBOOK = Notebook("05_pooling")

Config = tuple[str, np.ndarray, int | Pair, int | Pair | None]


def _configs(rng: np.random.Generator, hidden: bool) -> list[Config]:
    """(label, input (N, C, H, W), kernel_size, stride)."""
    if hidden:
        return _hidden_configs(rng)
    grid = LECTURE_GRID[None, None].astype(np.int64)
    return [
        (_("lecture's 7x7 int64 grid, 3x3 window, stride=1 (the lecture's definition)"), grid, 3,
         1),
        (_("lecture's 7x7 int64 grid, 2x2 window, default stride"), grid, 2, None),
        (_("1 image, 3 channels, 6x6, 2x2 window"), rng.normal(size=(1, 3, 6, 6)), 2, None),
        (_("2 images, 2 channels, 7x9 float32, 3x3 window, stride=2"),
         rng.normal(size=(2, 2, 7, 9)).astype(np.float32), 3, 2),
        (_("non-square window (2, 3), stride (1, 2)"), rng.normal(size=(2, 2, 5, 8)), (2, 3),
         (1, 2)),
        (_("window (3, 2), default stride"), rng.normal(size=(2, 3, 7, 6)), (3, 2), None),
        (_("int64, 2x2 window, stride 3 (rows and columns skipped)"),
         rng.integers(-9, 10, size=(2, 2, 8, 7)).astype(np.int64), 2, 3),
        (_("window as large as the input (one output per channel)"),
         rng.normal(size=(2, 2, 3, 5)), (3, 5), None),
    ]


def _hidden_configs(rng: np.random.Generator) -> list[Config]:
    out: list[Config] = []
    for i in range(7):
        N, C = (int(v) for v in rng.integers(1, 4, size=2))
        H, W = (int(v) for v in rng.integers(2, 13, size=2))
        k = (int(rng.integers(1, H + 1)), int(rng.integers(1, W + 1))) if i % 2 else \
            int(rng.integers(1, min(H, W) + 1))
        s = [None, int(rng.integers(1, 4)), (int(rng.integers(1, 4)),
                                             int(rng.integers(1, 4)))][i % 3]
        dt = [np.float64, np.float32, np.int64][i % 3]
        x = rng.integers(-9, 10, size=(N, C, H, W)) if dt == np.int64 else \
            rng.normal(size=(N, C, H, W))
        out.append((_("random {dtype}").format(dtype=np.dtype(dt).name), x.astype(dt), k, s))
    return out


def pool_loops(kind: str, x: np.ndarray, size: Pair, start: Pair, window: Pair
               ) -> np.ndarray | None:
    """What pooling loops return when output [i, j] reads x[..., i*start:i*start + window]
    (NumPy cuts a slice at the border); None if a window is empty."""
    reduce = np.max if kind == "max" else np.mean
    out = np.zeros(x.shape[:2] + tuple(size), x.dtype if kind == "max" else np.float64)
    for i in range(size[0]):
        for j in range(size[1]):
            part = x[:, :, i * start[0]:i * start[0] + window[0],
                     j * start[1]:j * start[1] + window[1]]
            if part.size == 0:
                return None
            out[:, :, i, j] = reduce(part, axis=(2, 3))
    return out


OTHER_POOLING = {"max": N_("this is avg pooling: max_pool2d takes the largest value of each "
                          "window"),
                 "avg": N_("this is max pooling: avg_pool2d takes the mean of each window")}
ACROSS_CHANNELS = {"max": N_("you took the max across the channels too: pooling works channel "
                            "by channel, over the rows and columns of the window only (axes 2 "
                            "and 3)"),
                   "avg": N_("you took the avg across the channels too: pooling works channel "
                            "by channel, over the rows and columns of the window only (axes 2 "
                            "and 3)")}
WINDOW_TOO_SMALL = N_("window one too small: it covers rows i*s to i*s + h - 1 (h values), i.e. "
                      "x[..., i*s:i*s+h]")
WINDOW_TOO_LARGE = N_("window one too large: it covers rows i*s to i*s + h - 1 (h values), i.e. "
                      "x[..., i*s:i*s+h]")


Wrong = list[tuple]  # (output or None, message[, message's key]) of a typical mistake
Pool = Callable[..., np.ndarray]  # the right pooling, with some arguments changed


def pool_mistakes(kind: str, x: np.ndarray, k: Pair, s: Pair, stride: int | Pair | None,
                  expected: np.ndarray) -> list[Mistake]:
    """What typical wrong answers return for max or average pooling of x with the window k
    and the stride s (`stride` as given: None means k), loops or vectorised (notebook 06
    shares them)."""
    pool = lambda xx=x, kk=k, ss=s, **kw: ref.pool2d(kind, xx, kk, ss, **kw)  # noqa: E731
    wrong = (_channel_mistakes(kind, x, k, s, expected, pool) +
             _stride_mistakes(kind, x, k, s, stride, expected, pool) +
             _value_mistakes(kind, k, expected) + _window_mistakes(kind, x, k, s, stride,
                                                                   expected, pool))
    return [Mistake(m, *why) for m, *why in wrong if m is not None and m.shape]


def _channel_mistakes(kind: str, x: np.ndarray, k: Pair, s: Pair, expected: np.ndarray,
                      pool: Pool) -> Wrong:
    """The other pooling, or the channels pooled or added together."""
    across = x.max(axis=1, keepdims=True) if kind == "max" else x.mean(axis=1, keepdims=True)
    return [(ref.pool2d("avg" if kind == "max" else "max", x, k, s),
             OTHER_POOLING[kind]),
            (pool(xx=across), N_("you pooled across the channels too (output depth 1): pooling "
                                 "works channel by channel, so the output keeps the input's C "
                                 "channels")),
            (np.broadcast_to(pool(xx=across), expected.shape), ACROSS_CHANNELS[kind]),
            (pool(xx=x.sum(axis=1, keepdims=True)),
             N_("you added the channels together (output depth 1), as a convolution does: "
                "pooling works channel by channel, so the output keeps the input's C channels"))]


def _stride_mistakes(kind: str, x: np.ndarray, k: Pair, s: Pair, stride: int | Pair | None,
                     expected: np.ndarray, pool: Pool) -> Wrong:
    """The stride ignored, taken as 1, or taken for the window's size."""
    Ho, Wo = expected.shape[2:]
    wrong: Wrong = []
    if stride is None and k != (1, 1):
        wrong.append((pool(ss=(1, 1)), N_("stride=None means stride = kernel_size (PyTorch's "
                                          "default: windows side by side, no overlap), not 1")))
    elif s != k:
        wrong.append((pool(ss=k), N_("the stride is ignored: you moved the window by its own size; "
                                     "use the `stride` argument when it is given")))
    if s != (1, 1):
        wrong.append((pool(ss=(1, 1)), N_("the window always moved by 1: it must move by `stride` "
                                          "between two outputs (and stride=None means stride = "
                                          "kernel_size)")))
        wrong.append((pool_loops(kind, x, (Ho, Wo), (1, 1), k),
                      N_("output [i, j] read the window starting at (i, j): it starts at "
                         "(i * stride, j * stride), x[..., i*sh:i*sh + h, j*sw:j*sw + w]")))
    if s != k:
        wrong.append((pool_loops(kind, x, (Ho, Wo), s, s),
                      N_("the window's size is kernel_size, not the stride: it covers "
                         "x[..., i*sh:i*sh + h, j*sw:j*sw + w]")))
    return wrong


def _value_mistakes(kind: str, k: Pair, expected: np.ndarray) -> Wrong:
    """Right windows, wrong value: the average's divisor, the maximum's starting value."""
    if kind == "max":
        return [(np.maximum(expected, 0),
                 N_("windows whose values are all negative gave 0: start the maximum from "
                    "the window's own values (or -inf), not from 0"))]
    wrong: Wrong = [(expected * (k[0] * k[1]), N_("you summed the window: the average divides "
                                                  "the sum by the number of values, h * w"))]
    for side, other_side, name in [k + ("h",), k[::-1] + ("w",)][:1 + (k[0] != k[1])]:
        wrong.append((expected * other_side, N_("you divided by one side of the window "
                                                "only: the average divides by h * w"),
                      f"divided by {name}"))
        wrong.append((expected * other_side / side, N_("you divided by the square of one "
                                                       "side: the window has h * w values"),
                      f"divided by {name} * {name}"))
    wrong.append((np.floor(expected), N_("integer division // rounds down: divide with /")))
    return wrong


def _window_mistakes(kind: str, x: np.ndarray, k: Pair, s: Pair, stride: int | Pair | None,
                     expected: np.ndarray, pool: Pool) -> Wrong:
    """Windows of the wrong size or count, height and width swapped, a partial window kept."""
    Ho, Wo = expected.shape[2:]
    wrong: Wrong = [(expected[..., :-1, :-1], N_("one window too few along each axis: the "
                                                 "output size is floor((H - h) / s) + 1, the "
                                                 "+ 1 counts the window at position 0"))]
    for dk, why in ((-1, WINDOW_TOO_SMALL), (1, WINDOW_TOO_LARGE)):
        kk = (k[0] + dk, k[1] + dk)
        wrong += [(pool_loops(kind, x, (Ho, Wo), s, kk), why, f"{why} (slices)"),
                  (pool(kk=kk) if min(kk) >= 1 else None, why, f"{why} (size)")]
    if k != k[::-1] or s != s[::-1]:
        wrong.append((pool(kk=k[::-1], ss=s[::-1]),
                      N_("height and width swapped: for a pair (a, b), a applies to the rows (H) "
                         "and b to the columns (W)")))
    if k != k[::-1]:
        flipped = k[::-1] if stride is None else s
        sizes = tuple((n - kk) // ss + 1 for n, kk, ss in zip(x.shape[2:], k[::-1], flipped))
        wrong.append((pool_loops(kind, x, sizes, flipped, k[::-1]) if min(sizes) > 0 else
                      np.zeros(x.shape[:2] + tuple(max(v, 0) for v in sizes), expected.dtype),
                      N_("kernel_size=(h, w) is h rows and w columns: you swapped them")))
    if any((x.shape[2 + a] - k[a]) % s[a] for a in (0, 1)):
        wrong.append((pool(ceil_mode=True),
                      N_("you kept a last, partial window: the output size rounds down, "
                         "floor((H - h) / s) + 1, and inputs past the last whole window are "
                         "dropped")))
    return wrong


def _pool_case(kind: str, label: str, x: np.ndarray, kernel_size: int | Pair,
               stride: int | Pair | None) -> Case:
    k = pair(kernel_size)
    s = pair(stride, k)
    expected = ref.pool2d(kind, x, kernel_size, stride)
    N, C, H, W = x.shape
    sizes = [(n - kk) // ss + 1 for n, kk, ss in zip((H, W), k, s)]
    f32 = x.dtype == np.float32
    kwargs = {"stride": stride} if stride is not None else {}
    described = _("{label}: input {shape}, kernel_size={kernel_size}, stride={stride}").format(
        label=label, shape=x.shape, kernel_size=kernel_size, stride=stride)
    rule = _("(N, C, floor((H - h) / s) + 1, floor((W - w) / s) + 1) = ({N}, {C}, {H_out}, "
             "{W_out}), s = kernel_size when stride is None").format(N=N, C=C, H_out=sizes[0],
                                                                     W_out=sizes[1])
    return Case(described, (x, kernel_size), kwargs, arg_names=("input", "kernel_size"),
                expected=expected, shape_rule=rule,
                mistakes=pool_mistakes(kind, x, k, s, stride, expected),
                rtol=1e-4 if f32 else 1e-9, atol=1e-4 if f32 else 1e-9,
                check_dtype=x.dtype.kind == "f", spatial=(2, 3))


@on_one_thread
def max_pool2d_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return split(seed, "pooling", _configs, lambda *c: _pool_case("max", *c))


@on_one_thread
def avg_pool2d_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return split(seed, "pooling", _configs, lambda *c: _pool_case("avg", *c))


def _change_pairs(rng: np.random.Generator, hidden: bool) -> list[tuple]:
    """(label, reference map, shifted map)."""
    if hidden:
        out = []
        for _draw in range(4):
            shape = tuple(int(v) for v in rng.integers(1, 9, size=int(rng.integers(1, 5))))
            a = rng.normal(size=shape) * float(rng.uniform(0.1, 10))
            out.append((_("random {shape}").format(shape=shape), a, a + rng.normal(size=shape)))
        return out
    return [("(3, 4) vs (3, 4)", np.array([3.0, 4.0]), np.array([3.0, 4.0])),
            ("(3, 4) vs (0, 0)", np.array([3.0, 4.0]), np.array([0.0, 0.0])),
            ("(3, 4) vs (6, 8)", np.array([3.0, 4.0]), np.array([6.0, 8.0])),
            (_("2x2 maps"), np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[0.0, 2.0], [3.0, 5.0]])),
            (_("random (1, 3, 5, 5) float32"), rng.normal(size=(1, 3, 5, 5)).astype(np.float32),
             rng.normal(size=(1, 3, 5, 5)).astype(np.float32))]


def _change_case(label: str, a: np.ndarray, b: np.ndarray) -> Case:
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    right = float(np.linalg.norm(a64 - b64) / np.linalg.norm(a64))
    wrong = [(float(np.linalg.norm(a64 - b64) / np.linalg.norm(b64)) if b64.any() else np.inf,
              N_("divide by the norm of the reference (the first argument), not of the shifted "
                 "map")),
             (float(np.linalg.norm(a64 - b64)), N_("this is the absolute change: divide by the "
                                                   "norm of the reference")),
             (float(np.abs(a64 - b64).sum() / np.abs(a64).sum()),
              N_("use the Euclidean norm (square root of the sum of squares), not the sum of "
                 "absolute values")),
             (float(np.sum((a64 - b64) ** 2) / np.sum(a64 ** 2)),
              N_("take square roots: ||a - b|| / ||a|| is a ratio of norms, not of squared norms")),
             (float(np.abs(a64 - b64).max() / np.abs(a64).max()),
              N_("this is the largest change over the largest value: use the Euclidean norm of "
                 "all the values, sqrt(sum of squares)"))]
    if a.ndim == 2:
        wrong.append((float(np.linalg.norm(a64 - b64, 2) / np.linalg.norm(a64, 2)),
                      N_("np.linalg.norm(m, 2) of a matrix is its largest singular value, not the "
                         "Euclidean norm of its values: call np.linalg.norm(m) without ord (or "
                         "sqrt(sum of squares))")))
    return Case(label, (a, b), arg_names=("reference", "shifted"), expected=right,
                mistakes=[Mistake(v, m) for v, m in wrong if np.isfinite(v)], rtol=1e-5,
                atol=1e-7, check_dtype=False)


def relative_change_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return split(seed, "relative_change", _change_pairs, _change_case)


check_max_pool2d = NOTEBOOK.check("max_pool2d", max_pool2d_cases,
                                  N_("max_pool2d(input, kernel_size, stride) against PyTorch."),
                                  forbid=POOLING, loops=True, widget="pooling_explorer")
check_avg_pool2d = NOTEBOOK.check("avg_pool2d", avg_pool2d_cases,
                                  N_("avg_pool2d(input, kernel_size, stride) against PyTorch."),
                                  forbid=POOLING, loops=True, widget="pooling_explorer")
check_relative_change = NOTEBOOK.check("relative_change", relative_change_cases,
                                       N_("relative_change(reference, shifted) = "
                                          "||a - b|| / ||a||."), forbid=NUMPY_ONLY,
                                       widget="equivariance_explorer")
