"""Checks for notebook 01: 1D convolution (the lecture's section CONVOLUTION: 1D).

Dtypes follow the notebook: the output's dtype follows the inputs (float32 in, float32 out;
float64 in, float64 out); integer inputs may give any numeric dtype as long as the values are
exact, and an integer signal with a float kernel gives floats. The PyTorch exercise returns
float32 whatever the inputs.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import reference as ref
from ..examples import LECTURE_K, LECTURE_X, SMALL_K, SMALL_X
from ..i18n import N_, _
from .case import Case, Mistake, streams, tolerance
from .exercise import Notebook
from .forbid import CONVOLUTION

NOTEBOOK = Notebook("01_conv1d")
Signal = tuple[str, np.ndarray, np.ndarray]

FLIP = N_("this is true convolution: your kernel is flipped (as np.convolve does). The lecture's "
          "* is cross-correlation, (x * k)_i = sum_j x[i-1+j] k[j], with no flip")
FULL = N_("you slid the kernel past the ends of the input (W + w - 1 values, np.convolve's "
          "'full' output): keep only the W - w + 1 positions where the kernel fits")
SAME = N_("your output has the size of the input: only W - w + 1 windows fit inside it, so the "
          "output has W - w + 1 values")
NOT_RESET = N_("each output is the sum of its own window: your running total was not reset "
               "between windows (set it to 0 before each window)")
ONE_BASED = N_("you copied the lecture's index x[i-1+j], which counts from 1: in Python both i "
               "and j start at 0, so output i reads x[i + j] (your x[-1] wrapped around to the "
               "last value)")
NO_KERNEL = N_("you added up the window's values without multiplying them by the kernel's: "
               "output i is sum_j x[i + j] * k[j]")


def summed_tolerance(*arrays: np.ndarray, terms: float) -> dict:
    """`tolerance(*arrays)`, whose absolute tolerance, when the answer computes in float32,
    grows with `terms`, a bound on the sum of |terms| an output adds up: a float32 sum of 8-bit
    pixels differs from the float64 reference by far more than 1e-4 in any right answer
    (float64 rounding stays far below its 1e-9)."""
    tol = tolerance(*arrays)
    if tol["rtol"] >= 1e-4:  # computed in float32
        tol["atol"] = max(tol["atol"], 2e-5 * float(terms))
    return tol


def named_mistake(output: Any, message: str, **values: Any) -> Mistake:
    """A mistake whose message names values (`message` marked with N_, with placeholders):
    shown in the student's language, keyed by its English text, the same key in every
    language."""
    return Mistake(output, _(message).format(**values), key=message.format(**values))


def float32_tolerance(terms: float) -> dict:
    """rtol and atol of an answer computed in float32 whatever its inputs (PyTorch's)."""
    return dict(rtol=1e-4, atol=max(1e-4, 2e-5 * float(terms)))


def terms_bound(x: np.ndarray, k: np.ndarray) -> float:
    """A bound on the sum of |x[i + j] k[j]| over a window (any number of dimensions)."""
    return float(np.abs(x.astype(np.float64)).max() * np.abs(k.astype(np.float64)).sum())


def _ints(rng: np.random.Generator, n: int, low: int, high: int, dtype: type) -> np.ndarray:
    return rng.integers(low, high, size=n).astype(dtype)


def visible_signals(rng: np.random.Generator) -> list[Signal]:
    """(label, x, k): the lecture's examples (integers), edge sizes, float64, float32, and 8-bit
    pixels with a float kernel."""
    return [
        (_("lecture example (1, 2, 3, 4) * (3, 2)"), SMALL_X, SMALL_K),
        (_("lecture figure: input of 10, kernel (1, 2, 0, -1)"), LECTURE_X, LECTURE_K),
        (_("kernel as long as the input"), rng.normal(size=5), rng.normal(size=5)),
        (_("kernel of size 1"), rng.normal(size=6), np.array([-2.0])),
        (_("random float64, W=13, w=5"), rng.normal(size=13), rng.normal(size=5)),
        (_("random float32, W=20, w=3"), rng.normal(size=20).astype(np.float32),
         rng.normal(size=3).astype(np.float32)),
        (_("8-bit signal (uint8, W=11) with a float64 kernel (w=4)"),
         _ints(rng, 11, 0, 256, np.uint8), rng.normal(size=4)),
    ]


def hidden_signals(rng: np.random.Generator) -> list[Signal]:
    out = []
    for i in range(8):
        W = int(rng.integers(2, 60))
        w = int(rng.integers(1, W + 1))
        kind = ["float64", "float32", "int64", "uint8 signal, float64 kernel"][i % 4]
        if kind == "int64":
            x, k = _ints(rng, W, -9, 10, np.int64), _ints(rng, w, -3, 4, np.int64)
        elif kind.startswith("uint8"):
            x, k = _ints(rng, W, 0, 256, np.uint8), rng.normal(size=w)
        else:
            x, k = (rng.normal(size=W) * 10).astype(kind), rng.normal(size=w).astype(kind)
        what = _("uint8 signal, float64 kernel") if kind.startswith("uint8") else kind
        out.append((_("random {kind}, W={W}, w={w}").format(kind=what, W=W, w=w), x, k))
    return out


def _loop_mistakes(x: np.ndarray, k: np.ndarray, right: np.ndarray) -> list[Mistake]:
    """What the typical wrong loops return for x * k (stride 1)."""
    W, w = len(x), len(k)
    same = np.zeros(W, right.dtype)
    same[:len(right)] = right
    window_sums = ref.conv1d(x, np.ones(w, right.dtype))
    return [Mistake(ref.conv1d(x, k[::-1]), FLIP),
            Mistake(np.convolve(x, k, "full").astype(right.dtype), FULL),
            Mistake(ref.conv1d(x, k, padding=w - 1), FULL),
            Mistake(same, SAME),
            Mistake(np.cumsum(right), NOT_RESET),
            Mistake(ref.conv1d(np.roll(x, 1), k), ONE_BASED),
            Mistake(window_sums, NO_KERNEL)]


def _conv1d_case(label: str, x: np.ndarray, k: np.ndarray) -> Case:
    W, w = len(x), len(k)
    right = ref.conv1d(x, k)
    return Case(label, (x, k), expected=right, arg_names=("x", "k"), spatial=(0,),
                shape_rule=f"W - w + 1 = {W} - {w} + 1 = {W - w + 1}",
                mistakes=_loop_mistakes(x, k, right),
                **summed_tolerance(x, k, terms=terms_bound(x, k)))


@ref.one_thread()  # PyTorch on tiny tensors: more threads only wait
def conv1d_cases(seed: int) -> tuple[list[Case], list[Case]]:
    vis, hid = streams(seed, "signals")
    return ([_conv1d_case(*s) for s in visible_signals(vis)],
            [_conv1d_case(*s) for s in hidden_signals(hid)])


# ---------------------------------------------------------------------------------------------
# conv1d_stride
# ---------------------------------------------------------------------------------------------

IGNORED = N_("you ignored the stride: the window must move by `stride` positions")
SPREAD = N_("right values in the wrong places: you stored the window starting at input position "
            "i in out[i]; with a stride the output index is i // stride (output j reads the "
            "window starting at j * stride)")
DILATION = N_("you stepped through the input inside the window (that is dilation): the stride "
              "moves the whole window, whose w values stay next to each other")
NOT_MOVED = N_("the output has the right size but every window starts at j: output j reads the "
               "window starting at j * stride, x[j * stride : j * stride + w]")
ONE_SHORT = N_("one window too few: there are floor((W - w) / stride) + 1 outputs (the + 1 "
               "counts the window at position 0)")
PLUS_ONE_FIRST = N_("one window too few when stride does not divide W - w + 1: the count is "
                    "floor((W - w) / stride) + 1; divide W - w by the stride, then add 1")
RANGE_STOP = N_("the last window is missing when the stride divides W - w: it starts at W - w, "
                "which range(0, W - w, stride) excludes; use range(0, W - w + 1, stride)")


def _dilated(x: np.ndarray, k: np.ndarray, s: int) -> np.ndarray:
    """What loops that step by `s` inside the window return: dilation s (no window fits: an
    empty output)."""
    if (len(k) - 1) * s + 1 > len(x):
        return np.zeros(0, ref.result_dtype(x, k))
    return ref.conv1d(x, k, dilation=s)


def _stride_case(label: str, x: np.ndarray, k: np.ndarray, s: int) -> Case:
    W, w = len(x), len(k)
    full = ref.conv1d(x, k)
    right = ref.conv1d(x, k, s)
    n, m = len(right), W - w
    spread = np.zeros_like(full)
    spread[::s] = full[::s]
    mistakes = [Mistake(full, IGNORED), Mistake(ref.conv1d(x, k[::-1], s), FLIP),
                Mistake(spread, SPREAD), Mistake(full[:n], NOT_MOVED),
                Mistake(right[:-1], ONE_SHORT), Mistake(right[:(m + 1) // s], PLUS_ONE_FIRST),
                Mistake(right[:-(-m // s)], RANGE_STOP),
                Mistake(np.cumsum(right), NOT_RESET)]
    if s > 1:
        mistakes.append(Mistake(_dilated(x, k, s), DILATION))
    return Case(f"{label}, stride={s}", (x, k), {"stride": s}, arg_names=("x", "k"),
                expected=right, mistakes=mistakes, spatial=(0,),
                shape_rule=f"floor((W - w) / stride) + 1 = floor(({W} - {w}) / {s}) + 1 = {n}",
                **summed_tolerance(x, k, terms=terms_bound(x, k)))


# The strides of the visible signals: stride 1; a stride that divides W - w and one that
# does not; one that divides W - w + 1 and one that does not; a stride larger than W - w.
VISIBLE_STRIDES = (1, 2, 3, 4, 3, 2, 3)


@ref.one_thread()  # PyTorch on tiny tensors: more threads only wait
def conv1d_stride_cases(seed: int) -> tuple[list[Case], list[Case]]:
    vis, hid = streams(seed, "signals")
    _, strides = streams(seed, "conv1d_stride")
    return ([_stride_case(*sig, s) for sig, s in zip(visible_signals(vis), VISIBLE_STRIDES)],
            [_stride_case(*sig, int(strides.integers(1, 5))) for sig in hidden_signals(hid)])


# ---------------------------------------------------------------------------------------------
# conv1d_output_size
# ---------------------------------------------------------------------------------------------

def _size_case(W: int, w: int, s: int) -> Case:
    right = ref.conv_output_size(W, w, s)
    wrong = [((W - w) // s, N_("one too few: you forgot the + 1 (the first window sits at "
                               "position 0)")),
             (-(-(W - w) // s) + 1, N_("you rounded (W - w) / stride up; a window that does not "
                                       "fit is dropped: round down")),
             (round((W - w) / s) + 1, N_("you rounded (W - w) / stride to the nearest whole "
                                         "number; a window that does not fit is dropped: round "
                                         "down (//)")),
             (W // s, N_("the kernel size is missing: a window of w values must fit inside the "
                         "input")),
             ((W - w + 1) // s, N_("divide (W - w) by the stride, then add 1")),
             (W - w + 1, N_("the stride is missing: with stride s only every s-th window is kept")),
             (W - w // s + 1, N_("operator precedence: // binds tighter than -, so W - w // stride "
                                 "divides only w; write (W - w) // stride + 1")),
             ((W - w - 1) // s + 1, N_("one too many subtracted: PyTorch's formula "
                                       "(W + 2p - d(w - 1) - 1) // s + 1 subtracts w - 1 and 1, "
                                       "that is w in all: (W - w) // stride + 1"))]
    mistakes = [Mistake(v, m) for v, m in wrong]
    return Case(f"W={W}, w={w}, stride={s}", (W, w, s), expected=right, mistakes=mistakes,
                check_dtype=False)


def conv1d_output_size_cases(seed: int) -> tuple[list[Case], list[Case]]:
    _, hid = streams(seed, "conv1d_output_size")
    visible = [_size_case(*c) for c in [(4, 2, 1), (10, 4, 1), (10, 4, 2), (7, 3, 3),
                                        (5, 5, 1), (6, 3, 4), (9, 2, 3), (12, 3, 3),
                                        (5, 5, 3), (8, 1, 5), (10, 2, 3)]]
    hidden = []
    for _ in range(10):
        w = int(hid.integers(1, 12))
        hidden.append(_size_case(int(hid.integers(w, 300)), w, int(hid.integers(1, 9))))
    return visible, hidden


# ---------------------------------------------------------------------------------------------
# convolve_valid
# ---------------------------------------------------------------------------------------------

NO_FLIP = N_("this is the lecture's cross-correlation: true convolution flips the kernel first "
             "(k[::-1])")
SIGNAL_FLIPPED = N_("you flipped the signal x instead of the kernel k (the output comes out "
                    "reversed): flip k, convolve_valid(x, k) = conv1d(x, k[::-1])")
OUTPUT_FLIPPED = N_("reversing the output (or both x and k) is not the flip: only the kernel is "
                    "reversed, convolve_valid(x, k) = conv1d(x, k[::-1])")
NEGATIVE_INDEX = N_("k[-j] is not the flipped kernel: for j = 0 it is k[0], which stays first; "
                    "the flipped kernel is k[w - 1 - j], that is k[::-1]")


def _convolve_case(label: str, x: np.ndarray, k: np.ndarray) -> Case:
    true = ref.conv1d(x, k[::-1])
    corr = ref.conv1d(x, k)
    return Case(label, (x, k), arg_names=("x", "k"), spatial=(0,), expected=true,
                mistakes=[Mistake(corr, NO_FLIP), Mistake(true[::-1], SIGNAL_FLIPPED),
                          Mistake(corr[::-1], OUTPUT_FLIPPED),
                          Mistake(ref.conv1d(x, np.roll(k[::-1], 1)), NEGATIVE_INDEX)],
                shape_rule=f"W - w + 1 = {len(x) - len(k) + 1}",
                **summed_tolerance(x, k, terms=terms_bound(x, k)))


@ref.one_thread()  # PyTorch on tiny tensors: more threads only wait
def convolve_valid_cases(seed: int) -> tuple[list[Case], list[Case]]:
    vis, hid = streams(seed, "signals")
    return ([_convolve_case(*s) for s in visible_signals(vis)],
            [_convolve_case(*s) for s in hidden_signals(hid)])


# ---------------------------------------------------------------------------------------------
# conv1d_torch
# ---------------------------------------------------------------------------------------------

def _torch_case(case: Case) -> Case:
    """The strided case, called with the same inputs (integers, float64, float32): the answer
    converts them and returns float32."""
    x, k = case.args
    s = case.kwargs["stride"]
    expected = ref.conv1d(x, k, s).astype(np.float32)
    full = ref.conv1d(x, k).astype(np.float32)
    mistakes = [Mistake(expected[None, None], N_("you returned the (N, C, W) = (1, 1, n) result: "
                                                 "take [0, 0] to get back a vector")),
                Mistake(expected[None], N_("you returned a (1, n) result: the output of F.conv1d "
                                           "is (N, C, W), take [0, 0] to get back a vector")),
                Mistake(full, N_("the stride is not passed to F.conv1d: add stride=stride")),
                Mistake(ref.conv1d(x, k[::-1], s).astype(np.float32),
                        N_("your kernel is flipped: F.conv1d already computes the lecture's "
                           "cross-correlation, pass k as it is"))]
    if len(expected) == 1:
        mistakes.append(Mistake(expected.reshape(()),
                                N_("your result has no axis left: .squeeze() also removed the "
                                   "output's length, which is 1 here; take [0, 0] instead")))
    if s > 1:
        mistakes.append(Mistake(_dilated(x, k, s).astype(np.float32),
                                N_("you passed the stride as dilation=...: the stride moves the "
                                   "window, use stride=stride")))
    return Case(case.label, (x, k), case.kwargs, arg_names=("x", "k"), expected=expected,
                shape_rule=case.shape_rule, spatial=(0,), mistakes=mistakes,
                **float32_tolerance(terms_bound(x, k)))


@ref.one_thread()  # PyTorch on tiny tensors: more threads only wait
def conv1d_torch_cases(seed: int) -> tuple[list[Case], list[Case]]:
    visible, hidden = conv1d_stride_cases(seed)
    return [_torch_case(c) for c in visible], [_torch_case(c) for c in hidden]


check_conv1d = NOTEBOOK.check("conv1d", conv1d_cases,
                              N_("conv1d(x, k): the lecture's 1D convolution, with loops."),
                              forbid=CONVOLUTION, loops=True)
check_conv1d_output_size = NOTEBOOK.check("conv1d_output_size", conv1d_output_size_cases,
                                          "conv1d_output_size(W, w, stride).")
check_conv1d_stride = NOTEBOOK.check("conv1d_stride", conv1d_stride_cases,
                                     N_("conv1d_stride(x, k, stride), with loops."),
                                     forbid=CONVOLUTION, loops=True, widget="arithmetic_explorer")
check_convolve_valid = NOTEBOOK.check("convolve_valid", convolve_valid_cases,
                                      N_("convolve_valid(x, k) = np.convolve(x, k, 'valid'), from "
                                         "conv1d."), forbid=CONVOLUTION)
check_conv1d_torch = NOTEBOOK.check("conv1d_torch", conv1d_torch_cases,
                                    N_("conv1d_torch(x, k, stride) with F.conv1d (float32)."))
