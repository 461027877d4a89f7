"""Checks for notebook 05: max and average pooling (the lecture's sections POOLING, COUCHE DE
POOLING and RÔLE DES COUCHES POOLING)."""
from __future__ import annotations

import numpy as np

from ._core import Case, Mistake, make_check

Pair = tuple[int, int]

# The lecture's pooling figure: a 7 x 7 input whose every row is 1, 2, ..., 7.
LECTURE_GRID = np.tile(np.arange(1, 8), (7, 1))


def _pair(v: int | Pair) -> Pair:
    return (int(v), int(v)) if isinstance(v, (int, np.integer)) else (int(v[0]), int(v[1]))


def _torch_pool(kind: str, x: np.ndarray, kernel_size: int | Pair, stride: int | Pair | None,
                ceil_mode: bool = False) -> np.ndarray | None:
    """torch.nn.functional.{max,avg}_pool2d in float64; None when the window does not fit.

    Max pooling keeps the input's dtype (it only picks values); average pooling gives the
    float dtype of the input (float64 for integers)."""
    import torch  # imported lazily: `course` must import quickly for the doctor

    k = _pair(kernel_size)
    if k[0] < 1 or k[1] < 1 or k[0] > x.shape[-2] or k[1] > x.shape[-1]:
        return None
    s = k if stride is None else _pair(stride)
    fn = getattr(torch.nn.functional, f"{kind}_pool2d")
    try:
        out = fn(torch.tensor(np.asarray(x, np.float64)), k, s, ceil_mode=ceil_mode).numpy()
    except RuntimeError:
        return None
    if kind == "max":
        return out.astype(x.dtype)
    return out.astype(x.dtype if x.dtype.kind == "f" else np.float64)


Config = tuple[str, np.ndarray, int | Pair, int | Pair | None]


def _configs(hidden: bool, seed: int) -> list[Config]:
    """(label, input (N, C, H, W), kernel_size, stride)."""
    rng = np.random.default_rng(seed)
    grid = LECTURE_GRID[None, None].astype(np.float64)
    out: list[Config] = [
        ("lecture's 7x7 grid, 3x3 window, stride=1 (the lecture's definition)", grid, 3, 1),
        ("lecture's 7x7 grid, 2x2 window, default stride", grid, 2, None),
        ("1 image, 3 channels, 6x6, 2x2 window", rng.normal(size=(1, 3, 6, 6)), 2, None),
        ("2 images, 2 channels, 7x9 float32, 3x3 window, stride=2",
         rng.normal(size=(2, 2, 7, 9)).astype(np.float32), 3, 2),
        ("non-square window (2, 3), stride (1, 2)", rng.normal(size=(1, 2, 5, 8)), (2, 3), (1, 2)),
        ("window (3, 2), default stride", rng.normal(size=(2, 1, 7, 6)), (3, 2), None),
    ]
    if hidden:
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
            out.append((f"hidden random {np.dtype(dt).name}", x.astype(dt), k, s))
    return out


def _mistakes(kind: str, x: np.ndarray, k: Pair, s: Pair, stride: int | Pair | None,
              expected: np.ndarray) -> list[Mistake]:
    other = "avg" if kind == "max" else "max"
    pool = lambda xx=x, kk=k, ss=s, **kw: _torch_pool(kind, xx, kk, ss, **kw)  # noqa: E731
    wrong: list[tuple[np.ndarray | None, str]] = [
        (_torch_pool(other, x, k, s),
         f"this is {other} pooling: {kind}_pool2d takes the "
         f"{'largest value' if kind == 'max' else 'mean'} of each window"),
        (pool(xx=x.max(axis=1, keepdims=True) if kind == "max" else x.mean(axis=1, keepdims=True)),
         "you pooled across the channels too (output depth 1): pooling works channel by "
         "channel, so the output keeps the input's C channels"),
        (pool(xx=x.sum(axis=1, keepdims=True)),
         "you added the channels together (output depth 1), as a convolution does: pooling "
         "works channel by channel, so the output keeps the input's C channels"),
    ]
    if stride is None and k != (1, 1):
        wrong.append((pool(ss=(1, 1)), "stride=None means stride = kernel_size (PyTorch's "
                                       "default: windows side by side, no overlap), not 1"))
    elif s != k:
        wrong.append((pool(ss=k), "the stride is ignored: you moved the window by its own size; "
                                  "use the `stride` argument when it is given"))
        if s != (1, 1):
            wrong.append((pool(ss=(1, 1)), "the stride is ignored: the window must move by "
                                           "`stride` between two outputs"))
    if kind == "avg":
        wrong.append((expected * (k[0] * k[1]), "you summed the window: the average divides "
                                                "the sum by the number of values, h * w"))
        wrong.append((expected * k[0], "you divided by one side of the window only: the "
                                       "average divides by h * w"))
    for dk, word in ((-1, "small"), (1, "large")):
        kk = (k[0] + dk, k[1] + dk)
        if min(kk) >= 1:
            wrong.append((pool(kk=kk, ss=s), f"window one too {word}: it covers rows i*s to "
                                             f"i*s + h - 1 (h values), i.e. x[..., i*s:i*s+h]"))
    if k != k[::-1] or s != s[::-1]:
        wrong.append((pool(kk=k[::-1], ss=s[::-1]),
                      "height and width swapped: for a pair (a, b), a applies to the rows (H) "
                      "and b to the columns (W)"))
    if any((x.shape[2 + a] - k[a]) % s[a] for a in (0, 1)):
        wrong.append((pool(ceil_mode=True),
                      "you kept a last, partial window: the output size rounds down, "
                      "floor((H - h) / s) + 1, and inputs past the last whole window are "
                      "dropped"))
    return [Mistake(m, msg) for m, msg in wrong if m is not None and m.shape]


def _pool_cases(kind: str, hidden: bool, seed: int) -> list[Case]:
    cases = []
    for label, x, kernel_size, stride in _configs(hidden, seed):
        k = _pair(kernel_size)
        s = k if stride is None else _pair(stride)
        expected = _torch_pool(kind, x, kernel_size, stride)
        N, C, H, W = x.shape
        sizes = [(n - kk) // ss + 1 for n, kk, ss in zip((H, W), k, s)]
        f32 = x.dtype == np.float32
        kwargs = {"stride": stride} if stride is not None else {}
        cases.append(Case(
            f"{label}: input {x.shape}, kernel_size={kernel_size}, stride={stride}",
            (x, kernel_size), kwargs, arg_names=("input", "kernel_size"), expected=expected,
            shape_rule=f"(N, C, floor((H - h) / s) + 1, floor((W - w) / s) + 1) = "
                       f"({N}, {C}, {sizes[0]}, {sizes[1]}), s = kernel_size when stride is None",
            mistakes=_mistakes(kind, x, k, s, stride, expected),
            rtol=1e-4 if f32 else 1e-9, atol=1e-4 if f32 else 1e-9,
            check_dtype=x.dtype.kind == "f"))
    return cases


def max_pool2d_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    return _pool_cases("max", hidden, seed)


def avg_pool2d_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    return _pool_cases("avg", hidden, seed)


def relative_change_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    rng = np.random.default_rng(seed)
    pairs = [("(3, 4) vs (3, 4)", np.array([3.0, 4.0]), np.array([3.0, 4.0])),
             ("(3, 4) vs (0, 0)", np.array([3.0, 4.0]), np.array([0.0, 0.0])),
             ("(3, 4) vs (6, 8)", np.array([3.0, 4.0]), np.array([6.0, 8.0])),
             ("2x2 maps", np.array([[1.0, 2.0], [2.0, 4.0]]), np.array([[1.0, 0.0], [2.0, 4.0]])),
             ("random (1, 3, 5, 5) float32", rng.normal(size=(1, 3, 5, 5)).astype(np.float32),
              rng.normal(size=(1, 3, 5, 5)).astype(np.float32))]
    if hidden:
        for _ in range(4):
            shape = tuple(int(v) for v in rng.integers(1, 9, size=int(rng.integers(1, 5))))
            a = rng.normal(size=shape) * float(rng.uniform(0.1, 10))
            pairs.append((f"hidden random {shape}", a, a + rng.normal(size=shape)))
    cases = []
    for label, a, b in pairs:
        a64, b64 = a.astype(np.float64), b.astype(np.float64)
        right = float(np.linalg.norm(a64 - b64) / np.linalg.norm(a64))
        wrong = [(float(np.linalg.norm(a64 - b64) / np.linalg.norm(b64)) if b64.any() else
                  np.inf, "divide by the norm of the reference (the first argument), not of "
                          "the shifted map"),
                 (float(np.linalg.norm(a64 - b64)), "this is the absolute change: divide by "
                                                    "the norm of the reference"),
                 (float(np.abs(a64 - b64).sum() / np.abs(a64).sum()),
                  "use the Euclidean norm (square root of the sum of squares), not the sum of "
                  "absolute values"),
                 (float(np.sum((a64 - b64) ** 2) / np.sum(a64 ** 2)),
                  "take square roots: ||a - b|| / ||a|| is a ratio of norms, not of squared "
                  "norms")]
        mistakes = [Mistake(v, m) for v, m in wrong if np.isfinite(v) and abs(v - right) > 1e-6]
        cases.append(Case(label, (a, b), arg_names=("reference", "shifted"), expected=right,
                          mistakes=mistakes, rtol=1e-5, atol=1e-7, check_dtype=False))
    return cases


# A from-scratch pooling may not call a library's pooling.
FROM_SCRATCH = ("torch", "scipy", "skimage.measure")

check_max_pool2d = make_check("max_pool2d", max_pool2d_cases,
                              "Check max_pool2d(input, kernel_size, stride) against PyTorch.",
                              forbid=FROM_SCRATCH)
check_avg_pool2d = make_check("avg_pool2d", avg_pool2d_cases,
                              "Check avg_pool2d(input, kernel_size, stride) against PyTorch.",
                              forbid=FROM_SCRATCH)
check_relative_change = make_check("relative_change", relative_change_cases,
                                   "Check relative_change(reference, shifted) = "
                                   "||reference - shifted|| / ||reference||.")
