"""Checks for notebook 03: the convolutional layer (lecture: COUCHE CONVOLUTIVE, AVANTAGES).

Arrays follow the lecture's layout, channels last: an input X is (H, W, C), one kernel is
(h, w, C), a bank of F kernels is (F, h, w, C) and the layer's output is (H', W', F).
"""
from __future__ import annotations

import numpy as np

from . import oracle
from ._core import Case, Mistake, make_check
from .conv1d import FROM_SCRATCH, _tol

ACTIVATIONS = {None: lambda z: z, "relu": lambda z: np.maximum(z, 0), "tanh": np.tanh}


def layer_ref(X: np.ndarray, K: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    """Z = X * K (+ b) in the lecture's layout via PyTorch: X (H, W, C), K (F, h, w, C),
    b (F,) or None -> (H - h + 1, W - w + 1, F) in the inputs' float dtype."""
    Z = oracle.conv2d(X.transpose(2, 0, 1)[None], K.transpose(0, 3, 1, 2), b)
    return Z[0].transpose(1, 2, 0)


def _shape(X: np.ndarray, K: np.ndarray) -> str:
    (H, W, _), (h, w) = X.shape, K.shape[-3:-1]
    return (f"(H - h + 1, W - w + 1) = ({H} - {h} + 1, {W} - {w} + 1) = "
            f"({H - h + 1}, {W - w + 1})")


def _channel_pairs(hidden: bool, seed: int) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(label, X (H, W, C), K (h, w, C)): small integers first, then random shapes."""
    rng = np.random.default_rng(seed)
    out = [
        ("3 channels of integers, 4x4x3 input, 2x2x3 kernel",
         rng.integers(-3, 4, size=(4, 4, 3)), rng.integers(-2, 3, size=(2, 2, 3))),
        ("one channel (C = 1) is notebook 02's conv2d", rng.normal(size=(5, 6, 1)),
         rng.normal(size=(3, 2, 1))),
        ("non-square 6x9x2 input, 3x2x2 kernel", rng.normal(size=(6, 9, 2)),
         rng.normal(size=(3, 2, 2))),
        ("float32 8x7x4, kernel 3x3x4", rng.normal(size=(8, 7, 4)).astype(np.float32),
         rng.normal(size=(3, 3, 4)).astype(np.float32)),
    ]
    if hidden:
        for i in range(6):
            H, W = (int(v) for v in rng.integers(2, 16, size=2))
            h, w = int(rng.integers(1, min(H, 5) + 1)), int(rng.integers(1, min(W, 5) + 1))
            C = int(rng.integers(1, 6))
            dt = [np.float64, np.float32, np.int64][i % 3]
            if dt == np.int64:
                X, K = rng.integers(-9, 10, size=(H, W, C)), rng.integers(-3, 4, size=(h, w, C))
            else:
                X, K = rng.normal(size=(H, W, C)) * 5, rng.normal(size=(h, w, C))
            out.append((f"hidden random {np.dtype(dt).name}, {H}x{W}x{C} input, {h}x{w}x{C} "
                        f"kernel", X.astype(dt), K.astype(dt)))
    return out


def conv2d_channels_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    cases = []
    for label, X, K in _channel_pairs(hidden, seed):
        per_channel = np.stack([layer_ref(X[..., c:c + 1], K[None, ..., c:c + 1])[..., 0]
                                for c in range(X.shape[2])], axis=-1)
        mistakes = [
            Mistake(per_channel, "one map per channel, of depth C: the convolution sums the "
                                 "channels too, giving ONE activation map of depth 1 (it is "
                                 "pooling that works channel by channel)"),
            Mistake(per_channel.max(axis=-1), "you took the max over the channels (pooling "
                                              "across channels): add them up instead"),
            Mistake(per_channel.mean(axis=-1), "you averaged the channels: the convolution "
                                               "adds them up (no division by C)"),
        ]
        if X.shape[2] > 1:
            mistakes.append(Mistake(per_channel[..., 0], "only the first channel was used: "
                                                         "sum over all C channels"))
        cases.append(Case(label, (X, K), arg_names=("X", "K"),
                          expected=layer_ref(X, K[None])[..., 0], shape_rule=_shape(X, K),
                          mistakes=mistakes, **_tol(X, K)))
    return cases


def _layer_configs(hidden: bool, seed: int) -> list[tuple]:
    """(label, X (H, W, C), K (F, h, w, C), b (F,) or None, activation)."""
    rng = np.random.default_rng(seed)
    f32 = lambda *shape: rng.normal(size=shape).astype(np.float32)  # noqa: E731
    out = [
        ("one kernel, no bias, no activation", rng.integers(-3, 4, size=(4, 5, 2)),
         rng.integers(-2, 3, size=(1, 2, 2, 2)), None, None),
        ("2 kernels, bias, ReLU", rng.normal(size=(5, 5, 3)), rng.normal(size=(2, 3, 3, 3)),
         np.array([0.5, -1.0]), "relu"),
        ("3 kernels, bias, tanh, non-square, float32", f32(7, 6, 2), f32(3, 2, 3, 2),
         f32(3), "tanh"),
        ("4 kernels, no bias, ReLU", rng.normal(size=(6, 8, 3)), rng.normal(size=(4, 3, 3, 3)),
         None, "relu"),
        ("5 kernels, bias, no activation, float32", f32(9, 7, 4), f32(5, 3, 2, 4), f32(5), None),
    ]
    if hidden:
        for i in range(6):
            H, W = (int(v) for v in rng.integers(3, 14, size=2))
            h, w = int(rng.integers(1, 4)), int(rng.integers(1, 4))
            C, F = int(rng.integers(1, 5)), int(rng.integers(1, 6))
            dt = [np.float64, np.float32][i % 2]
            b = rng.normal(size=F).astype(dt) if i % 3 else None
            act = [None, "relu", "tanh"][int(rng.integers(3))]
            out.append((f"hidden random {np.dtype(dt).name}, {H}x{W}x{C} input, {F} kernel(s) "
                        f"{h}x{w}, bias={b is not None}, activation={act}",
                        rng.normal(size=(H, W, C)).astype(dt),
                        rng.normal(size=(F, h, w, C)).astype(dt), b, act))
    return out


def conv_layer_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    cases = []
    for label, X, K, b, act in _layer_configs(hidden, seed):
        sigma = ACTIVATIONS[act]
        Z = layer_ref(X, K)
        bias = np.zeros(K.shape[0], Z.dtype) if b is None else b.astype(Z.dtype)
        right = sigma(Z + bias)
        mistakes = [
            Mistake(right.transpose(2, 0, 1),
                    "the maps are stacked on the first axis, (F, H', W'): in the lecture's "
                    "layout depth comes last, (H', W', F)"),
            Mistake(right[..., 0], "only one activation map (H', W'): a layer with F kernels "
                                   "gives F maps, stacked as the depth of the output "
                                   "(H', W', F), even when F = 1"),
            Mistake(sigma(Z.sum(axis=-1) + bias.sum()),
                    "you added the F kernels' maps into one: each kernel gives its own map"),
        ]
        if b is not None:
            mistakes.append(Mistake(sigma(Z), "the bias is missing: add bias[f] to every value "
                                              "of map f"))
            if act is not None:
                mistakes.append(Mistake(sigma(Z) + bias,
                                        "the activation was applied before the bias: "
                                        "A = sigma(X * K + b), add the bias first"))
            if X.shape[2] > 1:
                mistakes.append(Mistake(sigma(Z + X.shape[2] * bias),
                                        "the bias was added once per input channel: add it "
                                        "once per output value, after summing the channels"))
            if Z.shape[0] * Z.shape[1] > 1:
                mistakes.append(Mistake(sigma(Z + bias / (Z.shape[0] * Z.shape[1])),
                                        "the bias was spread over the pixels: every value of "
                                        "map f gets the whole bias[f]"))
        if act is not None and X.shape[2] > 1:
            per_channel = sum(sigma(layer_ref(X[..., c:c + 1], K[..., c:c + 1]))
                              for c in range(X.shape[2])) + bias
            mistakes.append(Mistake(per_channel,
                                    "the activation was applied to each channel before the "
                                    "sum: sum the channels, add the bias, then apply sigma"))
        args = (X, K) if b is None else (X, K, b)
        cases.append(Case(label, args, {"activation": act}, expected=right,
                          arg_names=("input", "weight", "bias"), mistakes=mistakes,
                          shape_rule=_shape(X, K) + f" by F = {K.shape[0]} maps",
                          **_tol(*args)))
    return cases


def receptive_field_ref(H: int, W: int, h: int, w: int, i: int, j: int) -> np.ndarray:
    """Boolean mask (H, W) of the input values that feed output (i, j) (clipped to the input)."""
    mask = np.zeros((H, W), dtype=bool)
    mask[max(i, 0):max(i + h, 0), max(j, 0):max(j + w, 0)] = True
    return mask


def receptive_field_mask_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    configs = [(5, 5, 3, 3, 0, 0), (5, 5, 3, 3, 2, 2), (6, 8, 2, 3, 1, 4), (7, 4, 3, 1, 4, 0),
               (4, 4, 4, 4, 0, 0)]
    if hidden:
        rng = np.random.default_rng(seed)
        for _ in range(6):
            H, W = (int(v) for v in rng.integers(3, 30, size=2))
            h, w = int(rng.integers(1, H + 1)), int(rng.integers(1, W + 1))
            configs.append((H, W, h, w, int(rng.integers(0, H - h + 1)),
                            int(rng.integers(0, W - w + 1))))
    cases = []
    for H, W, h, w, i, j in configs:
        mistakes = [
            Mistake(receptive_field_ref(H, W, h + 1, w + 1, i, j),
                    "one row and one column too many: X[i:i+h] has h rows, index i + h is "
                    "not included"),
            Mistake(receptive_field_ref(H, W, h, w, i - h // 2, j - w // 2),
                    "you centred the window on (i, j): in the lecture's formula, output (i, j) "
                    "reads the window whose top-left corner is (i, j)"),
            Mistake(receptive_field_ref(H, W, h, w, i - h + 1, j - w + 1),
                    "your window ends at (i, j): it starts there, X[i:i+h, j:j+w]"),
            Mistake(receptive_field_ref(H, W, w, h, i, j),
                    "the window is w rows by h columns: h (the kernel's height) goes with rows"),
            Mistake(receptive_field_ref(H, W, h, w, j, i),
                    "i and j are swapped: i is the row, j the column"),
        ]
        cases.append(Case(f"H={H}, W={W}, kernel {h}x{w}, output ({i}, {j})",
                          (H, W, h, w, i, j), expected=receptive_field_ref(H, W, h, w, i, j),
                          shape_rule=f"a mask of the input's shape (H, W) = ({H}, {W})",
                          mistakes=[m for m in mistakes
                                    if not np.array_equal(m.output,
                                                          receptive_field_ref(H, W, h, w, i, j))],
                          check_dtype=False))
    return cases


def conv_matrix_ref(K: np.ndarray, H: int, W: int, flip: bool = False,
                    row_step: int | None = None) -> np.ndarray:
    """The (n, m) = ((H-h+1)(W-w+1), H*W) matrix M with M @ X.ravel() = (X * K).ravel().

    Column q of M is the convolution of the q-th unit image, computed by PyTorch. `flip` and
    `row_step` reproduce two mistakes (a flipped kernel, the wrong row length)."""
    h, w = K.shape
    k = K[::-1, ::-1] if flip else K
    units = np.eye(H * W).reshape(H * W, 1, H, W)
    M = oracle.conv2d(units, np.asarray(k, np.float64)[None, None]).reshape(H * W, -1).T
    M = M.astype(oracle.result_dtype(K))
    if row_step is None or row_step == W:
        return M
    rows, cols = np.nonzero(M)
    moved = (cols // W) * row_step + cols % W  # input pixel (p, q) taken as p * row_step + q
    keep = moved < H * W
    wrong = np.zeros_like(M)
    wrong[rows[keep], moved[keep]] = M[rows[keep], cols[keep]]
    return wrong


def conv_as_matrix_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    rng = np.random.default_rng(seed)
    configs = [(np.array([[1.0, 2.0], [3.0, 4.0]]), 3, 3), (rng.normal(size=(2, 3)), 4, 5),
               (rng.normal(size=(3, 1)).astype(np.float32), 5, 3), (np.array([[2.0]]), 2, 3)]
    if hidden:
        for i in range(5):
            H, W = (int(v) for v in rng.integers(2, 9, size=2))
            h, w = int(rng.integers(1, H + 1)), int(rng.integers(1, W + 1))
            configs.append((rng.normal(size=(h, w)).astype([np.float64, np.float32][i % 2]),
                            H, W))
    cases = []
    for K, H, W in configs:
        h, w = K.shape
        right = conv_matrix_ref(K, H, W)
        n, m = right.shape
        mistakes = [Mistake(right.T, "the matrix is transposed: one ROW per output value "
                                     "(n rows), one column per input value (m = H * W)"),
                    Mistake(conv_matrix_ref(K, H, W, flip=True),
                            "the kernel is flipped: output (i, j) uses K[a, c] on X[i + a, j + c]")]
        if W - w + 1 != W:
            mistakes.append(Mistake(conv_matrix_ref(K, H, W, row_step=W - w + 1),
                                    "input (r, c) is entry r * W + c of X.ravel(): a row of the "
                                    "input has W values, not W - w + 1"))
        label = (f"{h}x{w} kernel ({K.dtype}) on a {H}x{W} input" +
                 (" (hidden)" if len(cases) >= 4 else ""))
        cases.append(Case(label, (K, H, W), arg_names=("K",), expected=right,
                          shape_rule=f"(n, m) = ((H - h + 1)(W - w + 1), H W) = ({n}, {m})",
                          mistakes=mistakes, **_tol(K)))
    return cases


def _torch_configs(hidden: bool, seed: int) -> list[tuple]:
    """The layer's cases without activation, as float32 (what PyTorch computes in)."""
    f32 = lambda a: None if a is None else np.asarray(a, np.float32)  # noqa: E731
    return [(f"{'hidden: ' if label.startswith('hidden') else ''}{'x'.join(map(str, X.shape))} "
             f"input, {K.shape[0]} kernel(s) {K.shape[1]}x{K.shape[2]}, bias={b is not None}",
             f32(X), f32(K), f32(b)) for label, X, K, b, _ in _layer_configs(hidden, seed)]


def conv_layer_torch_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    cases = []
    for label, X, K, b in _torch_configs(hidden, seed):
        (H, W, C), (Fk, h, w, _) = X.shape, K.shape
        right = layer_ref(X, K, b)
        scrambled = oracle.conv2d(X.reshape(1, C, H, W), K.reshape(Fk, C, h, w), b)
        mistakes = [
            Mistake(right.transpose(2, 0, 1)[None],
                    "you returned PyTorch's (N, F, H', W') result: take [0] and move the "
                    "channels last, .permute(1, 2, 0), to get (H', W', F)"),
            Mistake(right.transpose(2, 0, 1), "the maps are on the first axis (F, H', W'): move "
                                              "them last, .permute(1, 2, 0)"),
            Mistake(scrambled[0].transpose(1, 2, 0),
                    "you used reshape to change the layout: reshape keeps the memory order and "
                    "mixes pixels with channels; use .permute (or np.transpose) to move axes"),
        ]
        if h == w and h > 1:
            mistakes.append(Mistake(layer_ref(X, K.transpose(0, 2, 1, 3), b),
                                    "the kernels are transposed: (F, h, w, C) -> (F, C, h, w) is "
                                    ".permute(0, 3, 1, 2)"))
        if b is not None:
            mistakes.append(Mistake(layer_ref(X, K), "the bias is missing: pass bias=... to "
                                                     "F.conv2d"))
        args = (X, K) if b is None else (X, K, b)
        cases.append(Case(label, args, arg_names=("input", "weight", "bias"), expected=right,
                          rtol=1e-4, atol=1e-4, shape_rule=_shape(X, K) + f" by F = {Fk} maps",
                          mistakes=mistakes))
    return cases


check_conv2d_channels = make_check("conv2d_channels", conv2d_channels_cases,
                                   "Check conv2d_channels(X, K): (H, W, C) * (h, w, C).",
                                   forbid=FROM_SCRATCH)
check_conv_layer = make_check("conv_layer", conv_layer_cases,
                              "Check conv_layer(input, weight, bias, activation) -> (H', W', F).",
                              forbid=FROM_SCRATCH)
check_receptive_field_mask = make_check("receptive_field_mask", receptive_field_mask_cases,
                                        "Check receptive_field_mask(H, W, h, w, i, j) -> (H, W).")
check_conv_as_matrix = make_check("conv_as_matrix", conv_as_matrix_cases,
                                  "Check conv_as_matrix(K, H, W) -> (n, m) matrix.",
                                  forbid=FROM_SCRATCH)
check_conv_layer_torch = make_check("conv_layer_torch", conv_layer_torch_cases,
                                    "Check conv_layer_torch(input, weight, bias) with F.conv2d.")
