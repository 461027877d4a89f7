"""Checks for notebook 02: 2D convolution of one channel (the lecture's CONVOLUTION: 2D).

Dtypes follow the notebook: float32 in, float32 out; float64 in, float64 out; integer inputs
may give any numeric dtype if the values are exact; an 8-bit image with a float kernel gives
floats. The PyTorch exercise returns float32 whatever the inputs.
"""
from __future__ import annotations

import numpy as np

from .. import reference as ref
from ..examples import SOBEL_X, TOP_EDGE, WORKED_K, WORKED_X
from ..i18n import N_, _
from .case import Case, Mistake, streams
from .conv1d import float32_tolerance, named_mistake, summed_tolerance, terms_bound
from .exercise import Notebook
from .forbid import CONVOLUTION, LIBRARIES, Forbid

NOTEBOOK = Notebook("02_conv2d")
Pair = tuple[str, np.ndarray, np.ndarray]


def visible_pairs(rng: np.random.Generator) -> list[Pair]:
    """(label, X, K): the worked example (integers), edge sizes, non-square shapes, float64,
    float32, and 8-bit pixels with a float kernel."""
    return [
        (_("worked example: 4x4 input, 2x2 kernel"), WORKED_X, WORKED_K),
        (_("non-square input 5x7, kernel 2x3"), rng.normal(size=(5, 7)), rng.normal(size=(2, 3))),
        (_("kernel as big as the input (one output)"), rng.normal(size=(3, 4)),
         rng.normal(size=(3, 4))),
        (_("1x1 kernel"), rng.normal(size=(4, 5)), np.array([[-2.0]])),
        (_("tall kernel 3x1, float32 6x5"), rng.normal(size=(6, 5)).astype(np.float32),
         rng.normal(size=(3, 1)).astype(np.float32)),
        (_("random float32 9x8, kernel 3x3"), rng.normal(size=(9, 8)).astype(np.float32),
         rng.normal(size=(3, 3)).astype(np.float32)),
        (_("8-bit image (uint8) 6x7, float64 kernel 3x2"),
         rng.integers(0, 256, size=(6, 7)).astype(np.uint8), rng.normal(size=(3, 2))),
    ]


def hidden_pairs(rng: np.random.Generator) -> list[Pair]:
    out = []
    for i in range(8):
        H, W = (int(v) for v in rng.integers(2, 25, size=2))
        h, w = int(rng.integers(1, min(H, 6) + 1)), int(rng.integers(1, min(W, 6) + 1))
        kind = ["float64", "float32", "int64", "uint8 image, float64 kernel"][i % 4]
        if kind == "int64":
            X, K = rng.integers(-9, 10, size=(H, W)), rng.integers(-3, 4, size=(h, w))
        elif kind.startswith("uint8"):
            X, K = rng.integers(0, 256, size=(H, W)).astype(np.uint8), rng.normal(size=(h, w))
        else:
            X = (rng.normal(size=(H, W)) * 10).astype(kind)
            K = rng.normal(size=(h, w)).astype(kind)
        what = _("uint8 image, float64 kernel") if kind.startswith("uint8") else kind
        out.append((_("random {kind}, {H}x{W} input, {h}x{w} kernel").format(
            kind=what, H=H, W=W, h=h, w=w), X, K))
    return out


FLIP_BOTH = N_("this is true convolution: your kernel is flipped on both axes (as "
               "scipy.signal.convolve2d does). The lecture's * is cross-correlation: "
               "(X * K)[i, j] = sum_k sum_l X[i + k, j + l] K[k, l], with no flip")
FLIP_ROWS = N_("your kernel is flipped upside down (its rows reversed): read K[k, l] with the "
               "same k as X[i + k, j + l], no flip")
FLIP_COLS = N_("your kernel is mirrored left to right (its columns reversed): read K[k, l] with "
               "the same l as X[i + k, j + l], no flip")
SWAPPED = N_("rows and columns are swapped: out[i, j] is the window whose top-left corner is row "
             "i, column j of X (X[i:i+h, j:j+w])")
SAME = N_("your output has the size of the input: the lecture's X * K keeps only the positions "
          "where the whole kernel fits, (H - h + 1) x (W - w + 1) of them")
FULL = N_("you slid the kernel past the edges of the input ('full' output, (H + h - 1) x "
          "(W + w - 1)): keep only positions where the kernel fits")
KERNEL_T = N_("you used the kernel transposed (K[l, k] instead of K[k, l]): the kernel's first "
              "index goes down the rows, like X's")
ONE_BASED = N_("you copied the lecture's 1-based indices x[i-1+k, j-1+l]: in Python i, j, k and "
               "l all start at 0, so output (i, j) reads X[i + k, j + l] (your index -1 wrapped "
               "around to the last row and column)")
MATMUL = N_("`@` (or np.dot) is a matrix product: the lecture's ⊙ multiplies the window and the "
            "kernel entry by entry, use `*`, then sum")
PADDED = N_("you padded the input with zeros: the lecture's X * K has no padding, the kernel "
            "stays inside the input and the output is (H - h + 1) x (W - w + 1)")
NOT_RESET = N_("each output is the sum of its own window: your running total was not reset "
               "between windows (set it to 0 before each window)")


def _mistakes(X: np.ndarray, K: np.ndarray, right: np.ndarray) -> list[Mistake]:
    """What the typical wrong 2D loops return for X * K, with what to tell the student."""
    h, w = K.shape
    padded = np.zeros(X.shape, right.dtype)
    padded[:right.shape[0], :right.shape[1]] = right
    mistakes = [
        Mistake(ref.corr2d(X, K[::-1, ::-1]), FLIP_BOTH),
        Mistake(ref.corr2d(X, K[::-1, :]), FLIP_ROWS),
        Mistake(ref.corr2d(X, K[:, ::-1]), FLIP_COLS),
        Mistake(right.T, SWAPPED),
        Mistake(padded, SAME),
        Mistake(ref.corr2d(X, K, padding=(h - 1, w - 1)), FULL),
        Mistake(ref.corr2d(np.roll(X, (1, 1), axis=(0, 1)), K), ONE_BASED),
        Mistake(np.cumsum(right).reshape(right.shape), NOT_RESET),
    ]
    if w <= X.shape[0] and h <= X.shape[1]:
        mistakes.append(Mistake(ref.corr2d(X, K.T), KERNEL_T))
    if h > 1 or w > 1:  # np.pad(X, h // 2, w // 2): 'same' size for odd kernels
        mistakes.append(Mistake(ref.corr2d(X, K, padding=(h // 2, w // 2)), PADDED))
    if h == w:  # np.sum(window @ K) = sum over (a, b) of window[a, b] * (row b of K).sum()
        mistakes.append(Mistake(ref.corr2d(X, np.tile(K.sum(axis=1), (h, 1))), MATMUL))
    return mistakes


def _shape_rule(X: np.ndarray, K: np.ndarray) -> str:
    (H, W), (h, w) = X.shape, K.shape
    return (f"(H - h + 1, W - w + 1) = ({H} - {h} + 1, {W} - {w} + 1) = "
            f"({H - h + 1}, {W - w + 1})")


def _conv2d_case(label: str, X: np.ndarray, K: np.ndarray) -> Case:
    right = ref.corr2d(X, K)
    return Case(label, (X, K), expected=right, arg_names=("X", "K"), spatial=(0, 1),
                shape_rule=_shape_rule(X, K), mistakes=_mistakes(X, K, right),
                **summed_tolerance(X, K, terms=terms_bound(X, K)))


@ref.one_thread()  # PyTorch on tiny tensors: more threads only wait
def conv2d_cases(seed: int) -> tuple[list[Case], list[Case]]:
    vis, hid = streams(seed, "pairs")
    return ([_conv2d_case(*p) for p in visible_pairs(vis)],
            [_conv2d_case(*p) for p in hidden_pairs(hid)])


# ---------------------------------------------------------------------------------------------
# edge_kernel
# ---------------------------------------------------------------------------------------------

def _edge_case(name: str) -> Case:
    kernels = ref.edge_kernels()
    right = kernels[name]
    mistakes = [named_mistake(-right, N_("the sign is reversed: this kernel gives a negative "
                                         "response on the {name} edge of a bright object"),
                              name=name)]
    if name == "bottom":
        mistakes.append(Mistake(-TOP_EDGE, N_("-top is not the bottom-edge kernel: negating "
                                              "changes the sign, not which rows are compared; "
                                              "turn the top kernel upside down instead")))
    if name == "right":
        mistakes.append(Mistake(-TOP_EDGE.T, N_("-left is not the right-edge kernel: negating "
                                                "changes the sign, not which columns are "
                                                "compared; mirror the left kernel left to right "
                                                "instead")))
    mistakes += [named_mistake(k, N_("that is the {other}-edge kernel, not the {name}-edge one"),
                               other=other, name=name)
                 for other, k in kernels.items() if other != name]
    return Case(f"edge_kernel({name!r})", (name,), expected=right, shape_rule=_("a 3x3 kernel"),
                mistakes=mistakes, check_dtype=False)


def edge_kernel_cases(seed: int) -> tuple[list[Case], list[Case]]:
    """The answer has no random part: hidden cases ask again, in a shuffled order."""
    _, hid = streams(seed, "edge_kernel")
    names = list(ref.edge_kernels())
    return [_edge_case(n) for n in names], [_edge_case(names[i]) for i in hid.permutation(4)]


# ---------------------------------------------------------------------------------------------
# sobel_magnitude
# ---------------------------------------------------------------------------------------------

def _images(rng: np.random.Generator, hidden: bool) -> list[tuple[str, np.ndarray]]:
    """Float32 (like the notebook's photographs), float64 and integer images, non-square."""
    if hidden:
        out = []
        for i in range(4):
            H, W = (int(v) for v in rng.integers(3, 30, size=2))
            dt = [np.float32, np.float64, np.float32, np.int64][i]
            img = rng.integers(0, 10, size=(H, W)) if dt == np.int64 else rng.random((H, W))
            out.append((_("random {dtype} {H}x{W}").format(dtype=np.dtype(dt).name, H=H, W=W),
                        img.astype(dt)))
        return out
    step = np.zeros((6, 7))
    step[:, 3:] = 1.0
    return [(_("vertical step edge, float64 6x7"), step),
            (_("horizontal step edge, integers 7x6"), (9 * step.T).astype(np.int64)),
            (_("random float32 9x12"), rng.random((9, 12)).astype(np.float32)),
            (_("random float64 5x3"), rng.random((5, 3)))]


GX_GY_CANCEL = N_("gx + gy can cancel out: combine them as sqrt(gx**2 + gy**2)")


def _sobel_case(label: str, X: np.ndarray) -> Case:
    S = SOBEL_X.astype(np.float64)
    gx, gy = ref.corr2d(X, S), ref.corr2d(X, S.T)
    dt = ref.result_dtype(X)
    gx, gy = gx.astype(dt), gy.astype(dt)
    H, W = X.shape
    return Case(label, (X,), arg_names=("X",), expected=np.sqrt(gx ** 2 + gy ** 2),
                spatial=(0, 1),
                shape_rule=_("(H - 2, W - 2) = ({H2}, {W2}) for 3x3 kernels").format(
                    H2=H - 2, W2=W - 2),
                mistakes=[
                    Mistake(np.abs(gx) + np.abs(gy), N_("|gx| + |gy| is a cheaper approximation; "
                                                        "the magnitude is sqrt(gx**2 + gy**2)")),
                    Mistake(gx ** 2 + gy ** 2, N_("you forgot the square root")),
                    Mistake(np.abs(gx), N_("only the horizontal gradient gx: add gy, from the "
                                           "transposed kernel")),
                    Mistake(np.abs(gy), N_("only the vertical gradient gy: add gx")),
                    Mistake(np.sqrt(2) * np.abs(gx), N_("gx and gy are equal: did you use SOBEL_X "
                                                        "twice? gy uses its transpose SOBEL_X.T")),
                    Mistake(gx + gy, GX_GY_CANCEL), Mistake(np.abs(gx + gy), GX_GY_CANCEL),
                    Mistake(np.sqrt(gx ** 2 + gy ** 2) / 2,
                            N_("the magnitude is sqrt(gx**2 + gy**2), not divided by 2")),
                    Mistake(np.sqrt((gx ** 2 + gy ** 2) / 2),
                            N_("the magnitude is sqrt(gx**2 + gy**2): no mean inside the root"))],
                **summed_tolerance(X, terms=terms_bound(X, SOBEL_X)))


@ref.one_thread()  # PyTorch on tiny tensors: more threads only wait
def sobel_magnitude_cases(seed: int) -> tuple[list[Case], list[Case]]:
    vis, hid = streams(seed, "sobel_magnitude")
    return ([_sobel_case(*i) for i in _images(vis, False)],
            [_sobel_case(*i) for i in _images(hid, True)])


# ---------------------------------------------------------------------------------------------
# conv2d_torch
# ---------------------------------------------------------------------------------------------

def _torch_case(label: str, X: np.ndarray, K: np.ndarray) -> Case:
    """Called with the same inputs as conv2d (integers, float64, float32): the answer converts
    them and returns float32."""
    expected = ref.corr2d(X, K).astype(np.float32)
    mistakes = [Mistake(expected[None, None], N_("you returned the (N, C, H, W) = (1, 1, ...) "
                                                 "result: take [0, 0] to get back a matrix")),
                Mistake(expected[None], N_("you returned a (1, H', W') result: the output of "
                                           "F.conv2d is (N, C, H, W), take [0, 0] to get back a "
                                           "matrix")),
                Mistake(ref.corr2d(X, K[::-1, ::-1]).astype(np.float32),
                        N_("your kernel is flipped on both axes: F.conv2d already computes the "
                           "lecture's X * K, pass K as it is"))]
    if expected.shape == (1, 1):
        mistakes.append(Mistake(expected.reshape(()),
                                N_("your result has no axis left: .squeeze() also removed the "
                                   "output's axes of length 1 (here the output is 1x1); take "
                                   "[0, 0] instead")))
    return Case(label, (X, K), arg_names=("X", "K"), expected=expected, spatial=(0, 1),
                shape_rule=_shape_rule(X, K), mistakes=mistakes,
                **float32_tolerance(terms_bound(X, K)))


@ref.one_thread()  # PyTorch on tiny tensors: more threads only wait
def conv2d_torch_cases(seed: int) -> tuple[list[Case], list[Case]]:
    vis, hid = streams(seed, "pairs")
    return ([_torch_case(*p) for p in visible_pairs(vis)],
            [_torch_case(*p) for p in hidden_pairs(hid)])


check_conv2d = NOTEBOOK.check("conv2d", conv2d_cases,
                              N_("conv2d(X, K): the lecture's X * K on one channel, with loops."),
                              forbid=CONVOLUTION, loops=True, widget="filter_explorer")
check_edge_kernel = NOTEBOOK.check("edge_kernel", edge_kernel_cases,
                                   N_("edge_kernel(direction): the top, bottom, left and right "
                                      "edge filters, from TOP_EDGE."),
                                   forbid=Forbid(LIBRARIES, (), N_("derive them from TOP_EDGE")),
                                   widget="filter_explorer")
check_sobel_magnitude = NOTEBOOK.check("sobel_magnitude", sobel_magnitude_cases,
                                       "sobel_magnitude(X) = sqrt(gx**2 + gy**2).",
                                       forbid=CONVOLUTION)
check_conv2d_torch = NOTEBOOK.check("conv2d_torch", conv2d_torch_cases,
                                    N_("conv2d_torch(X, K) with F.conv2d (float32)."))
