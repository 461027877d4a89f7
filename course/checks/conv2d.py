"""Checks for notebook 02: 2D convolution of one channel (the lecture's CONVOLUTION: 2D)."""
from __future__ import annotations

import numpy as np

from . import oracle
from ._core import Case, Mistake, make_check
from .conv1d import FROM_SCRATCH, _tol

# The notebook's worked example: an asymmetric kernel, so that every flip gives other numbers.
WORKED_X = np.array([[1, 2, 0, 3],
                     [4, 1, -1, 0],
                     [0, 2, 3, 1],
                     [1, 0, 2, 2]])
WORKED_K = np.array([[1, 0],
                     [2, -1]])

# The 3x3 edge kernels: the top one is given, the others are its flips and transposes.
TOP_EDGE = np.array([[-1, -1, -1],
                     [1, 1, 1],
                     [0, 0, 0]])
EDGE_KERNELS = {"top": TOP_EDGE, "bottom": TOP_EDGE[::-1], "left": TOP_EDGE.T,
                "right": TOP_EDGE.T[:, ::-1]}
SOBEL_X = np.array([[-1, 0, 1],
                    [-2, 0, 2],
                    [-1, 0, 1]])


def corr2d(X: np.ndarray, K: np.ndarray, padding: tuple[int, int] = (0, 0)) -> np.ndarray:
    """The lecture's X * K for X (H, W) and K (h, w), via PyTorch in float64.

    Returns (H + 2 p_h - h + 1, W + 2 p_w - w + 1) in the inputs' float dtype."""
    return oracle.conv2d(X[None, None], K[None, None], padding=padding)[0, 0]


def _fits(X: np.ndarray, K: np.ndarray) -> bool:
    return K.shape[0] <= X.shape[0] and K.shape[1] <= X.shape[1]


def _pairs(hidden: bool, seed: int) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(label, X, K): the worked example, edge sizes, non-square shapes, float32 and float64."""
    rng = np.random.default_rng(seed)
    out = [
        ("worked example: 4x4 input, 2x2 kernel", WORKED_X, WORKED_K),
        ("non-square input 5x7, kernel 2x3", rng.normal(size=(5, 7)), rng.normal(size=(2, 3))),
        ("kernel as big as the input (one output)", rng.normal(size=(3, 4)),
         rng.normal(size=(3, 4))),
        ("1x1 kernel", rng.normal(size=(4, 5)), np.array([[-2.0]])),
        ("tall kernel 3x1, float32 6x5", rng.normal(size=(6, 5)).astype(np.float32),
         rng.normal(size=(3, 1)).astype(np.float32)),
        ("random float32 9x8, kernel 3x3", rng.normal(size=(9, 8)).astype(np.float32),
         rng.normal(size=(3, 3)).astype(np.float32)),
    ]
    if hidden:
        for i in range(6):
            H, W = (int(v) for v in rng.integers(2, 25, size=2))
            h, w = int(rng.integers(1, min(H, 6) + 1)), int(rng.integers(1, min(W, 6) + 1))
            dt = [np.float64, np.float32, np.int64][i % 3]
            if dt == np.int64:
                X, K = rng.integers(-9, 10, size=(H, W)), rng.integers(-3, 4, size=(h, w))
            else:
                X, K = rng.normal(size=(H, W)) * 10, rng.normal(size=(h, w))
            out.append((f"hidden random {np.dtype(dt).name}, {H}x{W} input, {h}x{w} kernel",
                        X.astype(dt), K.astype(dt)))
    return out


def _conv2d_mistakes(X: np.ndarray, K: np.ndarray) -> list[Mistake]:
    """What the typical wrong 2D loops return for X * K, with what to tell the student."""
    h, w = K.shape
    right = corr2d(X, K)
    same_msg = ("your output has the size of the input: the lecture's X * K keeps only the "
                "positions where the whole kernel fits, (H - h + 1) x (W - w + 1) of them")
    padded = np.zeros(X.shape, right.dtype)
    padded[:right.shape[0], :right.shape[1]] = right
    mistakes = [
        Mistake(corr2d(X, K[::-1, ::-1]),
                "this is true convolution: your kernel is flipped on both axes (as "
                "scipy.signal.convolve2d does). The lecture's * is cross-correlation: "
                "(X * K)[i, j] = sum_k sum_l X[i + k, j + l] K[k, l], with no flip"),
        Mistake(corr2d(X, K[::-1, :]),
                "your kernel is flipped upside down (its rows reversed): read K[k, l] with "
                "the same k as X[i + k, j + l], no flip"),
        Mistake(corr2d(X, K[:, ::-1]),
                "your kernel is mirrored left to right (its columns reversed): read K[k, l] "
                "with the same l as X[i + k, j + l], no flip"),
        Mistake(right.T, "rows and columns are swapped: out[i, j] is the window whose top-left "
                         "corner is row i, column j of X (X[i:i+h, j:j+w])"),
        Mistake(padded, same_msg),
        Mistake(corr2d(X, K, padding=(h - 1, w - 1)),
                "you slid the kernel past the edges of the input ('full' output, "
                "(H + h - 1) x (W + w - 1)): keep only positions where the kernel fits"),
    ]
    if _fits(X, K.T):
        mistakes.append(Mistake(corr2d(X, K.T),
                                "you used the kernel transposed (K[l, k] instead of K[k, l]): "
                                "the kernel's first index goes down the rows, like X's"))
    if h % 2 and w % 2:
        mistakes.append(Mistake(corr2d(X, K, padding=(h // 2, w // 2)), same_msg))
    return mistakes


def conv2d_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    cases = []
    for label, X, K in _pairs(hidden, seed):
        (H, W), (h, w) = X.shape, K.shape
        cases.append(Case(label, (X, K), expected=corr2d(X, K), arg_names=("X", "K"),
                          shape_rule=f"(H - h + 1, W - w + 1) = ({H} - {h} + 1, {W} - {w} + 1)"
                                     f" = ({H - h + 1}, {W - w + 1})",
                          mistakes=_conv2d_mistakes(X, K), **_tol(X, K)))
    return cases


def edge_kernel_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    """The answer has no random part: hidden cases ask again, in a shuffled order."""
    order = list(EDGE_KERNELS)
    if hidden:
        order += [order[i] for i in np.random.default_rng(seed).permutation(4)]
    cases = []
    for n, name in enumerate(order):
        right = EDGE_KERNELS[name]
        mistakes = [Mistake(-right, "the sign is reversed: this kernel gives a negative response "
                                    f"on the {name} edge of a bright object")]
        if name == "bottom":
            mistakes.append(Mistake(-TOP_EDGE, "-top is not the bottom-edge kernel: negating "
                                               "changes the sign, not which rows are compared; "
                                               "turn the top kernel upside down instead"))
        for other, k in EDGE_KERNELS.items():
            if other != name:
                mistakes.append(Mistake(k, f"that is the {other}-edge kernel, not the "
                                           f"{name}-edge one"))
        label = f"{'hidden: ' if n >= 4 else ''}edge_kernel({name!r})"
        cases.append(Case(label, (name,), expected=right,
                          shape_rule="a 3x3 kernel", mistakes=mistakes, check_dtype=False))
    return cases


def _images(hidden: bool, seed: int) -> list[tuple[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    step = np.zeros((6, 7))
    step[:, 3:] = 1.0
    out = [("vertical step edge, 6x7", step), ("horizontal step edge, 7x6", step.T.copy()),
           ("random float32 9x12", rng.random((9, 12)).astype(np.float32)),
           ("random float64 5x3", rng.random((5, 3)))]
    if hidden:
        for i in range(4):
            H, W = (int(v) for v in rng.integers(3, 30, size=2))
            out.append((f"hidden random {['float32', 'float64'][i % 2]} {H}x{W}",
                        rng.random((H, W)).astype([np.float32, np.float64][i % 2])))
    return out


def sobel_magnitude_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    cases = []
    for label, X in _images(hidden, seed):
        gx = corr2d(X, SOBEL_X.astype(X.dtype))
        gy = corr2d(X, SOBEL_X.T.astype(X.dtype))
        H, W = X.shape
        cases.append(Case(label, (X,), arg_names=("X",), expected=np.sqrt(gx ** 2 + gy ** 2),
                          shape_rule=f"(H - 2, W - 2) = ({H - 2}, {W - 2}) for 3x3 kernels",
                          mistakes=[
                              Mistake(np.abs(gx) + np.abs(gy),
                                      "|gx| + |gy| is a cheaper approximation; the magnitude "
                                      "is sqrt(gx**2 + gy**2)"),
                              Mistake(gx ** 2 + gy ** 2, "you forgot the square root"),
                              Mistake(np.abs(gx), "only the horizontal gradient gx: add gy, "
                                                  "from the transposed kernel"),
                              Mistake(np.abs(gy), "only the vertical gradient gy: add gx"),
                              Mistake(np.sqrt(2) * np.abs(gx),
                                      "gx and gy are equal: did you use SOBEL_X twice? gy uses "
                                      "its transpose SOBEL_X.T"),
                              Mistake(gx + gy, "gx + gy can cancel out: combine them as "
                                               "sqrt(gx**2 + gy**2)")],
                          **_tol(X)))
    return cases


def conv2d_torch_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    cases = []
    for label, X, K in _pairs(hidden, seed):
        X, K = X.astype(np.float32), K.astype(np.float32)
        expected = corr2d(X, K)
        cases.append(Case(label.replace("float64", "as float32").replace("int64",
                                                                         "int64 as float32"),
                          (X, K), arg_names=("X", "K"), expected=expected, rtol=1e-4, atol=1e-4,
                          shape_rule=f"(H - h + 1, W - w + 1) = {expected.shape}",
                          mistakes=[Mistake(expected[None, None],
                                            "you returned the (N, C, H, W) = (1, 1, ...) result: "
                                            "take [0, 0] to get back a matrix"),
                                    Mistake(corr2d(X, K[::-1, ::-1]),
                                            "your kernel is flipped on both axes: F.conv2d "
                                            "already computes the lecture's X * K, pass K as "
                                            "it is")]))
    return cases


check_conv2d = make_check("conv2d", conv2d_cases,
                          "Check conv2d(X, K) on one channel against the lecture and PyTorch.",
                          forbid=FROM_SCRATCH)
check_edge_kernel = make_check("edge_kernel", edge_kernel_cases,
                               "Check edge_kernel(direction) for top, bottom, left, right.")
check_sobel_magnitude = make_check("sobel_magnitude", sobel_magnitude_cases,
                                   "Check sobel_magnitude(X) = sqrt(gx**2 + gy**2).",
                                   forbid=FROM_SCRATCH)
check_conv2d_torch = make_check("conv2d_torch", conv2d_torch_cases,
                                "Check conv2d_torch(X, K) (float32, as PyTorch computes).")
