"""Checks for notebook 01: 1D convolution (the lecture's section CONVOLUTION: 1D)."""
from __future__ import annotations

import numpy as np

from . import oracle
from ._core import Case, Mistake, make_check

# The lecture's worked examples.
LECTURE_X = np.array([1, 4, -1, 0, 2, -2, 1, 3, 3, 1])
LECTURE_K = np.array([1, 2, 0, -1])
SMALL_X, SMALL_K = np.array([1, 2, 3, 4]), np.array([3, 2])


def _signals(hidden: bool, seed: int) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(label, x, k) triples: the lecture's examples, edge sizes, random float64 and float32."""
    rng = np.random.default_rng(seed)
    out = [
        ("lecture example (1, 2, 3, 4) * (3, 2)", SMALL_X, SMALL_K),
        ("lecture figure: input of 10, kernel (1, 2, 0, -1)", LECTURE_X, LECTURE_K),
        ("kernel as long as the input", rng.normal(size=5), rng.normal(size=5)),
        ("kernel of size 1", rng.normal(size=6), np.array([-2.0])),
        ("random float64, W=13, w=5", rng.normal(size=13), rng.normal(size=5)),
        ("random float32, W=20, w=3", rng.normal(size=20).astype(np.float32),
         rng.normal(size=3).astype(np.float32)),
    ]
    if hidden:
        for i in range(6):
            W = int(rng.integers(2, 60))
            w = int(rng.integers(1, W + 1))
            dt = [np.float64, np.float32, np.int64][i % 3]
            x = rng.normal(size=W) * 10 if dt != np.int64 else rng.integers(-9, 10, size=W)
            k = rng.normal(size=w) if dt != np.int64 else rng.integers(-3, 4, size=w)
            out.append((f"hidden random {np.dtype(dt).name}, W={W}, w={w}",
                        x.astype(dt), k.astype(dt)))
    return out


def _tol(*arrays: np.ndarray) -> dict:
    """Tolerances for the inputs' precision; integer inputs may give any numeric dtype."""
    f32 = any(a.dtype == np.float32 for a in arrays)
    floats = all(a.dtype.kind == "f" for a in arrays)
    return dict(rtol=1e-4, atol=1e-4, check_dtype=floats) if f32 else \
        dict(rtol=1e-9, atol=1e-9, check_dtype=floats)


FLIP = ("this is true convolution: your kernel is flipped (as np.convolve does). The lecture's "
        "* is cross-correlation, (x * k)_i = sum_j x[i-1+j] k[j], with no flip")


def conv1d_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    cases = []
    for label, x, k in _signals(hidden, seed):
        W, w = len(x), len(k)
        mistakes = [Mistake(oracle.conv1d(x, k[::-1]), FLIP),
                    Mistake(np.convolve(x, k, "full"),
                            "you returned np.convolve's 'full' output (W + w - 1 values): the "
                            "lecture's convolution keeps only positions where the kernel fits"),
                    Mistake(np.correlate(x, k, "full"),
                            "you slid the kernel past the ends of the input (W + w - 1 values): "
                            "keep only positions where the kernel fits, W - w + 1 of them")]
        cases.append(Case(label, (x, k), expected=oracle.conv1d(x, k), arg_names=("x", "k"),
                          shape_rule=f"W - w + 1 = {W} - {w} + 1 = {W - w + 1}",
                          mistakes=mistakes, **_tol(x, k)))
    return cases


def conv1d_stride_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    rng = np.random.default_rng(seed + 1)
    strides = [1, 2, 3, 4, 2, 3]
    cases = []
    for (label, x, k), s in zip(_signals(hidden, seed), strides * 3):
        s = int(s if not label.startswith("hidden") else rng.integers(1, 5))
        W, w = len(x), len(k)
        n = (W - w) // s + 1
        full = oracle.conv1d(x, k)
        spread = np.zeros_like(full)
        spread[::s] = full[::s]
        mistakes = [
            Mistake(full, "you ignored the stride: the window must move by `stride` positions"),
            Mistake(oracle.conv1d(x, k[::-1], s), FLIP),
            Mistake(spread, "right values in the wrong places: you stored the window starting "
                            "at input position i in out[i]; with a stride the output index is "
                            "i // stride (output j reads the window starting at j * stride)"),
        ]
        if s > 1 and (w - 1) * s + 1 <= W:
            dil = np.array([np.dot(x[i:i + (w - 1) * s + 1:s], k)
                            for i in range(W - (w - 1) * s)])
            mistakes.append(Mistake(dil, "you stepped through the input inside the window (that "
                                         "is dilation): the stride moves the whole window"))
        cases.append(Case(f"{label}, stride={s}", (x, k), {"stride": s}, arg_names=("x", "k"),
                          expected=oracle.conv1d(x, k, s), mistakes=mistakes,
                          shape_rule=f"floor((W - w) / stride) + 1 = floor(({W} - {w}) / {s}) "
                                     f"+ 1 = {n}", **_tol(x, k)))
    return cases


def conv1d_output_size_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    configs = [(4, 2, 1), (10, 4, 1), (10, 4, 2), (7, 3, 3), (5, 5, 1), (6, 3, 4), (9, 2, 3)]
    if hidden:
        rng = np.random.default_rng(seed)
        for _ in range(10):
            w = int(rng.integers(1, 12))
            configs.append((int(rng.integers(w, 300)), w, int(rng.integers(1, 9))))
    cases = []
    for W, w, s in configs:
        right = (W - w) // s + 1
        mistakes = [Mistake((W - w) // s, "one too few: you forgot the + 1 (the first window "
                                          "sits at position 0)"),
                    Mistake(-(-(W - w) // s) + 1, "you rounded (W - w) / stride up; a window "
                                                  "that does not fit is dropped: round down"),
                    Mistake(W // s, "the kernel size is missing: a window of w values must fit "
                                    "inside the input"),
                    Mistake((W - w + 1) // s, "divide (W - w) by the stride, then add 1")]
        if (W - w) % s:
            mistakes.append(Mistake((W - w) / s + 1, "not a whole number: use integer division "
                                                     "// (floor), since windows come whole"))
        cases.append(Case(f"W={W}, w={w}, stride={s}", (W, w, s), expected=right,
                          mistakes=mistakes, check_dtype=False))
    return cases


def convolve_valid_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    cases = []
    for label, x, k in _signals(hidden, seed):
        cases.append(Case(label, (x, k), arg_names=("x", "k"),
                          expected=np.convolve(x, k, "valid").astype(oracle.result_dtype(x, k)),
                          mistakes=[Mistake(oracle.conv1d(x, k),
                                            "this is the lecture's cross-correlation: true "
                                            "convolution flips the kernel first (k[::-1])")],
                          shape_rule=f"W - w + 1 = {len(x) - len(k) + 1}", **_tol(x, k)))
    return cases


def conv1d_torch_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    cases = []
    for c in conv1d_stride_cases(hidden, seed):
        x, k = (a.astype(np.float32) for a in c.args)
        expected = oracle.conv1d(x, k, c.kwargs["stride"])
        cases.append(Case(c.label.replace("float64", "as float32").replace("int64", "int64 as float32"), (x, k), c.kwargs,
                          arg_names=("x", "k"), expected=expected, rtol=1e-4, atol=1e-4,
                          shape_rule=c.shape_rule,
                          mistakes=[Mistake(expected[None, None],
                                            "you returned the (N, C, W) = (1, 1, n) result: "
                                            "take [0, 0] to get back a vector")]))
    return cases


# A from-scratch convolution may not call a library's convolution.
FROM_SCRATCH = ("numpy.convolve", "numpy.correlate", "scipy", "torch")

check_conv1d = make_check("conv1d", conv1d_cases,
                          "Check conv1d(x, k) against the lecture and PyTorch.",
                          forbid=FROM_SCRATCH)
check_conv1d_stride = make_check("conv1d_stride", conv1d_stride_cases,
                                 "Check conv1d_stride(x, k, stride).", forbid=FROM_SCRATCH)
check_conv1d_output_size = make_check("conv1d_output_size", conv1d_output_size_cases,
                                      "Check conv1d_output_size(W, w, stride).")
check_convolve_valid = make_check("convolve_valid", convolve_valid_cases,
                                  "Check convolve_valid(x, k) against np.convolve(x, k, 'valid').",
                                  forbid=FROM_SCRATCH)
check_conv1d_torch = make_check("conv1d_torch", conv1d_torch_cases,
                                "Check conv1d_torch(x, k, stride) (float32, as PyTorch computes).")
