"""Checks for notebook 03: the convolutional layer (lecture: COUCHE CONVOLUTIVE, AVANTAGES).

Arrays follow the lecture's layout, channels last: an input X is (H, W, C), one kernel is
(h, w, C), a bank of F kernels is (F, h, w, C) and the layer's output is (H', W', F).
Dtypes follow the inputs (float32 in, float32 out; integers may give any numeric dtype when
the values are exact); the PyTorch exercise returns float32 whatever the inputs.
"""
from __future__ import annotations

import numpy as np

from .. import reference as ref
from ..i18n import N_, _
from .case import Case, Mistake, split, tolerance
from .conv1d import float32_tolerance, summed_tolerance, terms_bound
from .exercise import Notebook
from .forbid import CONVOLUTION

NOTEBOOK = Notebook("03_conv_layer")

ACTIVATIONS = {None: lambda z: z, "relu": lambda z: np.maximum(z, 0), "tanh": np.tanh}


def layer_ref(X: np.ndarray, K: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    """Z = X * K (+ b) in the lecture's layout via PyTorch: X (H, W, C), K (F, h, w, C),
    b (F,) or None -> (H - h + 1, W - w + 1, F) in the inputs' float dtype."""
    Z = ref.conv2d(X.transpose(2, 0, 1)[None], K.transpose(0, 3, 1, 2), b)
    return Z[0].transpose(1, 2, 0)


def _shape(X: np.ndarray, K: np.ndarray) -> str:
    (H, W, _), (h, w) = X.shape, K.shape[-3:-1]
    return (f"(H - h + 1, W - w + 1) = ({H} - {h} + 1, {W} - {w} + 1) = "
            f"({H - h + 1}, {W - w + 1})")


# ---------------------------------------------------------------------------------------------
# conv2d_channels
# ---------------------------------------------------------------------------------------------

PER_CHANNEL = N_("one map per channel, of depth C: the convolution sums the channels too, giving "
                 "ONE activation map of depth 1 (it is pooling that works channel by channel)")
CHANNEL_MAX = N_("you took the max over the channels (pooling across channels): add them up "
                 "instead")
CHANNEL_MEAN = N_("you averaged the channels: the convolution adds them up (no division by C)")
FIRST_CHANNEL = N_("only the first channel was used: sum over all C channels")
SAME_KERNEL = N_("every channel was convolved with the kernel's first slice K[:, :, 0]: channel c "
                 "has its own slice K[:, :, c]")
ONE_BASED = N_("you copied the lecture's 1-based indices x[i-1+k, j-1+l, c]: in Python they all "
               "start at 0, so output (i, j) reads X[i + k, j + l, c] (your index -1 wrapped "
               "around to the last row and column)")


def _channel_pairs(rng: np.random.Generator, hidden: bool
                   ) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(label, X (H, W, C), K (h, w, C)): small integers first, then random shapes."""
    if hidden:
        return _hidden_channel_pairs(rng)
    return [
        (_("3 channels of integers, 4x4x3 input, 2x2x3 kernel"),
         rng.integers(-3, 4, size=(4, 4, 3)), rng.integers(-2, 3, size=(2, 2, 3))),
        (_("one channel (C = 1) is notebook 02's conv2d"), rng.normal(size=(5, 6, 1)),
         rng.normal(size=(3, 2, 1))),
        (_("non-square 6x9x2 input, 3x2x2 kernel"), rng.normal(size=(6, 9, 2)),
         rng.normal(size=(3, 2, 2))),
        (_("float32 8x7x4, kernel 3x3x4"), rng.normal(size=(8, 7, 4)).astype(np.float32),
         rng.normal(size=(3, 3, 4)).astype(np.float32)),
        (_("8-bit colour image (uint8) 5x7x3, float32 kernel 2x3x3"),
         rng.integers(0, 256, size=(5, 7, 3)).astype(np.uint8),
         rng.normal(size=(2, 3, 3)).astype(np.float32)),
    ]


def _hidden_channel_pairs(rng: np.random.Generator) -> list[tuple[str, np.ndarray, np.ndarray]]:
    out = []
    for i in range(8):
        H, W = (int(v) for v in rng.integers(2, 16, size=2))
        h, w = int(rng.integers(1, min(H, 5) + 1)), int(rng.integers(1, min(W, 5) + 1))
        C = int(rng.integers(1, 6))
        kind = ["float64", "float32", "int64", "uint8 image, float32 kernel"][i % 4]
        if kind == "int64":
            X, K = rng.integers(-9, 10, size=(H, W, C)), rng.integers(-3, 4, size=(h, w, C))
        elif kind.startswith("uint8"):
            X = rng.integers(0, 256, size=(H, W, C)).astype(np.uint8)
            K = rng.normal(size=(h, w, C)).astype(np.float32)
        else:
            X = (rng.normal(size=(H, W, C)) * 5).astype(kind)
            K = rng.normal(size=(h, w, C)).astype(kind)
        what = _("uint8 image, float32 kernel") if kind.startswith("uint8") else kind
        out.append((_("random {kind}, {H}x{W}x{C} input, {h}x{w}x{C} kernel").format(
            kind=what, H=H, W=W, C=C, h=h, w=w), X, K))
    return out


@ref.one_thread()  # PyTorch on tiny tensors: more threads only wait
def conv2d_channels_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return split(seed, "conv2d_channels", _channel_pairs, _channels_case)


def _channels_case(label: str, X: np.ndarray, K: np.ndarray) -> Case:
    right = layer_ref(X, K[None])[..., 0]
    per_channel = np.stack([layer_ref(X[..., c:c + 1], K[None, ..., c:c + 1])[..., 0]
                            for c in range(X.shape[2])], axis=-1)
    same_kernel = layer_ref(X, np.repeat(K[None, ..., :1], X.shape[2], axis=-1))[..., 0]
    mistakes = [
        Mistake(per_channel, PER_CHANNEL),
        Mistake(per_channel.max(axis=-1), CHANNEL_MAX),
        Mistake(per_channel.mean(axis=-1), CHANNEL_MEAN),
        Mistake(per_channel[..., 0], FIRST_CHANNEL),
        Mistake(same_kernel, SAME_KERNEL),
        Mistake(layer_ref(np.roll(X, (1, 1), axis=(0, 1)), K[None])[..., 0], ONE_BASED),
    ]
    return Case(label, (X, K), arg_names=("X", "K"), spatial=(0, 1), expected=right,
                shape_rule=_shape(X, K), mistakes=mistakes,
                **summed_tolerance(X, K, terms=terms_bound(X, K)))


# ---------------------------------------------------------------------------------------------
# conv_layer
# ---------------------------------------------------------------------------------------------

FIRST_AXIS = N_("the maps are stacked on the first axis, (F, H', W'): in the lecture's layout "
                "depth comes last, (H', W', F) (np.stack(maps, axis=-1))")
ONE_MAP = N_("only one activation map (H', W'): a layer with F kernels gives F maps, stacked as "
             "the depth of the output (H', W', F), even when F = 1")
MAPS_ADDED = N_("you added the F kernels' maps into one: each kernel gives its own map")
RESHAPED = N_("you used reshape to change the layout: reshape keeps the memory order and mixes "
              "maps with pixels; stack the maps on the last axis (np.stack(maps, axis=-1)) or "
              "use np.transpose")
NO_BIAS = N_("the bias is missing: add bias[f] to every value of map f")
ACT_FIRST = N_("the activation was applied before the bias: A = sigma(X * K + b), add the bias "
               "first")
BIAS_PER_CHANNEL = N_("the bias was added once per input channel: add it once per output value, "
                      "after summing the channels")
BIAS_SPREAD = N_("the bias was spread over the pixels: every value of map f gets the whole bias[f]")
ACT_PER_CHANNEL = N_("the activation was applied to each channel before the sum: sum the "
                     "channels, add the bias, then apply sigma")
NO_ACTIVATION = {"relu": N_("activation='relu' was not applied: A = max(z, 0) for every value "
                            "z, after the bias"),
                 "tanh": N_("activation='tanh' was not applied: A = np.tanh(z) for every value "
                            "z, after the bias")}
RELU_FOR_TANH = N_("activation='tanh' asks for np.tanh(z): you applied ReLU")
TANH_FOR_RELU = N_("activation='relu' asks for max(z, 0): you applied tanh")


def _layer_terms(X: np.ndarray, K: np.ndarray, b: np.ndarray) -> float:
    """A bound on the sum of |terms| of one output of the layer, bias included."""
    return max(terms_bound(X, k) for k in K) + float(np.abs(b).max())


def _layer_configs(rng: np.random.Generator, hidden: bool) -> list[tuple]:
    """(label, X (H, W, C), K (F, h, w, C), b (F,) or None, activation)."""
    if hidden:
        return _hidden_layer_configs(rng)
    f32 = lambda *shape: rng.normal(size=shape).astype(np.float32)  # noqa: E731
    return [
        (_("one kernel, no bias, no activation, integers"), rng.integers(-3, 4, size=(4, 5, 2)),
         rng.integers(-2, 3, size=(1, 2, 2, 2)), None, None),
        (_("2 kernels, bias, ReLU"), rng.normal(size=(5, 5, 3)), rng.normal(size=(2, 3, 3, 3)),
         np.array([0.5, -1.0]), "relu"),
        (_("3 kernels, bias, tanh, non-square, float32"), f32(7, 6, 2), f32(3, 2, 3, 2),
         f32(3), "tanh"),
        (_("4 kernels, no bias, ReLU"), rng.normal(size=(6, 8, 3)), rng.normal(size=(4, 3, 3, 3)),
         None, "relu"),
        (_("5 kernels, bias, no activation, float32"), f32(9, 7, 4), f32(5, 3, 2, 4), f32(5), None),
        (_("integer image, 3 kernels of integers, float64 bias, tanh"),
         rng.integers(0, 10, size=(6, 5, 2)), rng.integers(-2, 3, size=(3, 2, 2, 2)),
         np.array([-3.0, 0.0, 2.5]), "tanh"),
    ]


def _hidden_layer_configs(rng: np.random.Generator) -> list[tuple]:
    out = []
    for i in range(6):
        H, W = (int(v) for v in rng.integers(3, 14, size=2))
        h, w = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        C, F = int(rng.integers(1, 5)), int(rng.integers(1, 6))
        dt = [np.float64, np.float32][i % 2]
        b = rng.normal(size=F).astype(dt) if i % 3 else None
        act = [None, "relu", "tanh"][int(rng.integers(3))]
        label = _("random {dtype}, {H}x{W}x{C} input, {F} kernel(s) {h}x{w}, bias={bias}, "
                  "activation={activation}").format(dtype=np.dtype(dt).name, H=H, W=W, C=C,
                                                    F=F, h=h, w=w, bias=b is not None,
                                                    activation=act)
        out.append((label, rng.normal(size=(H, W, C)).astype(dt),
                    rng.normal(size=(F, h, w, C)).astype(dt), b, act))
    return out


@ref.one_thread()  # PyTorch on tiny tensors: more threads only wait
def conv_layer_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return split(seed, "conv_layer", _layer_configs, _layer_case)


def _layer_case(label: str, X: np.ndarray, K: np.ndarray, b: np.ndarray | None,
                act: str | None) -> Case:
    sigma = ACTIVATIONS[act]
    Z = layer_ref(X, K)
    bias = np.zeros(K.shape[0], Z.dtype) if b is None else b.astype(Z.dtype)
    right = sigma(Z + bias)
    mistakes = [
        Mistake(right.transpose(2, 0, 1), FIRST_AXIS),
        Mistake(right[..., 0], ONE_MAP),
        Mistake(sigma(Z.sum(axis=-1) + bias.sum()), MAPS_ADDED),
        Mistake(sigma(Z.transpose(2, 0, 1).reshape(Z.shape) + bias), RESHAPED),
    ]
    if b is not None:
        mistakes.append(Mistake(sigma(Z), NO_BIAS))
        if act is not None:
            mistakes.append(Mistake(sigma(Z) + bias, ACT_FIRST))
        if X.shape[2] > 1:
            mistakes.append(Mistake(sigma(Z + X.shape[2] * bias), BIAS_PER_CHANNEL))
        if Z.shape[0] * Z.shape[1] > 1:
            mistakes.append(Mistake(sigma(Z + bias / (Z.shape[0] * Z.shape[1])), BIAS_SPREAD))
    if act is not None:
        mistakes.append(Mistake(Z + bias, NO_ACTIVATION[act]))
        other = "tanh" if act == "relu" else "relu"
        mistakes.append(Mistake(ACTIVATIONS[other](Z + bias),
                                TANH_FOR_RELU if act == "relu" else RELU_FOR_TANH))
        if X.shape[2] > 1:
            per_channel = sum(sigma(layer_ref(X[..., c:c + 1], K[..., c:c + 1]))
                              for c in range(X.shape[2])) + bias
            mistakes.append(Mistake(per_channel, ACT_PER_CHANNEL))
    args = (X, K) if b is None else (X, K, b)
    return Case(label, args, {"activation": act}, expected=right, spatial=(0, 1),
                arg_names=("input", "weight", "bias"), mistakes=mistakes,
                shape_rule=_("{shape} by F = {F} maps").format(shape=_shape(X, K), F=K.shape[0]),
                **summed_tolerance(*args, terms=_layer_terms(X, K, bias)))


# ---------------------------------------------------------------------------------------------
# receptive_field_mask
# ---------------------------------------------------------------------------------------------

def receptive_field_ref(H: int, W: int, h: int, w: int, i: int, j: int) -> np.ndarray:
    """Boolean mask (H, W) of the input values that feed output (i, j) (clipped to the input)."""
    mask = np.zeros((H, W), dtype=bool)
    mask[max(i, 0):max(i + h, 0), max(j, 0):max(j + w, 0)] = True
    return mask


def _mask_configs(rng: np.random.Generator, hidden: bool) -> list[tuple[int, ...]]:
    """(H, W, h, w, i, j): input size, kernel size, output position."""
    if not hidden:
        return [(5, 5, 3, 3, 0, 0), (5, 5, 3, 3, 2, 2), (6, 8, 2, 3, 1, 4), (7, 4, 3, 1, 4, 0),
                (4, 4, 4, 4, 0, 0), (9, 7, 2, 4, 5, 1)]
    out = []
    for _draw in range(6):
        H, W = (int(v) for v in rng.integers(3, 30, size=2))
        h, w = int(rng.integers(1, H + 1)), int(rng.integers(1, W + 1))
        out.append((H, W, h, w, int(rng.integers(0, H - h + 1)), int(rng.integers(0, W - w + 1))))
    return out


def _mask_case(H: int, W: int, h: int, w: int, i: int, j: int) -> Case:
    right = receptive_field_ref(H, W, h, w, i, j)
    ends_at_size = np.zeros((H, W), dtype=bool)
    ends_at_size[i:h, j:w] = True
    mistakes = [
        Mistake(receptive_field_ref(H, W, h + 1, w + 1, i, j),
                N_("one row and one column too many: X[i:i+h] has h rows, index i + h is not "
                   "included")),
        Mistake(receptive_field_ref(H, W, h - 1, w - 1, i, j),
                N_("one row and one column too few: the lecture's X[i:i+h-1] counts from 1 and "
                   "includes its end; in Python X[i:i+h] has the h rows")),
        Mistake(receptive_field_ref(H, W, h, w, i - h // 2, j - w // 2),
                N_("you centred the window on (i, j): in the lecture's formula, output (i, j) "
                   "reads the window whose top-left corner is (i, j)")),
        Mistake(receptive_field_ref(H, W, h, w, i - h + 1, j - w + 1),
                N_("your window ends at (i, j): it starts there, X[i:i+h, j:j+w]")),
        Mistake(receptive_field_ref(H, W, w, h, i, j),
                N_("the window is w rows by h columns: h (the kernel's height) goes with rows")),
        Mistake(receptive_field_ref(H, W, h, w, j, i),
                N_("i and j are swapped: i is the row, j the column")),
        Mistake(receptive_field_ref(H, W, 1, 1, i, j),
                N_("only pixel (i, j): output (i, j) reads the whole h x w window "
                   "X[i:i+h, j:j+w]")),
        Mistake(ends_at_size, N_("the window stops at row h and column w: it ends at i + h and "
                                 "j + w, X[i:i+h, j:j+w]")),
    ]
    label = _("H={H}, W={W}, kernel {h}x{w}, output ({i}, {j})").format(H=H, W=W, h=h, w=w,
                                                                        i=i, j=j)
    rule = _("a mask of the input's shape (H, W) = ({H}, {W})").format(H=H, W=W)
    return Case(label, (H, W, h, w, i, j), expected=right, shape_rule=rule, mistakes=mistakes)


def receptive_field_mask_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return split(seed, "receptive_field_mask", _mask_configs, _mask_case)


# ---------------------------------------------------------------------------------------------
# conv_as_matrix
# ---------------------------------------------------------------------------------------------

def conv_matrix_ref(K: np.ndarray, H: int, W: int, flip: bool = False,
                    row_step: int | None = None) -> np.ndarray:
    """The (n, m) = ((H-h+1)(W-w+1), H*W) matrix M with M @ X.ravel() = (X * K).ravel().

    Column q of M is the convolution of the q-th unit image, computed by PyTorch. `flip` and
    `row_step` reproduce two mistakes (a flipped kernel, the wrong row length)."""
    k = K[::-1, ::-1] if flip else K
    units = np.eye(H * W).reshape(H * W, 1, H, W)
    M = ref.conv2d(units, np.asarray(k, np.float64)[None, None]).reshape(H * W, -1).T
    M = M.astype(ref.result_dtype(K))
    if row_step is None or row_step == W:
        return M
    rows, cols = np.nonzero(M)
    moved = (cols // W) * row_step + cols % W  # input pixel (p, q) taken as p * row_step + q
    keep = moved < H * W
    wrong = np.zeros_like(M)
    wrong[rows[keep], moved[keep]] = M[rows[keep], cols[keep]]
    return wrong


def _matrix_configs(rng: np.random.Generator, hidden: bool) -> list[tuple]:
    """(K, H, W): a kernel and the input size."""
    if not hidden:
        return [(np.array([[1, 2], [3, 4]]), 3, 3), (rng.normal(size=(2, 3)), 4, 5),
                (rng.normal(size=(3, 1)).astype(np.float32), 5, 3), (np.array([[2.0]]), 2, 3),
                (rng.normal(size=(2, 2)), 5, 4)]
    out = []
    for i in range(5):
        H, W = (int(v) for v in rng.integers(2, 9, size=2))
        h, w = int(rng.integers(1, H + 1)), int(rng.integers(1, W + 1))
        out.append((rng.normal(size=(h, w)).astype([np.float64, np.float32][i % 2]), H, W))
    return out


def _matrix_case(K: np.ndarray, H: int, W: int) -> Case:
    h, w = K.shape
    right = conv_matrix_ref(K, H, W)
    n, m = right.shape
    mistakes = [Mistake(right.T, N_("the matrix is transposed: one ROW per output value (n rows), "
                                    "one column per input value (m = H * W)")),
                Mistake(conv_matrix_ref(K, H, W, flip=True),
                        N_("the kernel is flipped: output (i, j) uses K[a, c] on X[i + a, j + c]"))]
    if W - w + 1 != W:
        mistakes.append(Mistake(conv_matrix_ref(K, H, W, row_step=W - w + 1),
                                N_("input (r, c) is entry r * W + c of X.ravel(): a row of the "
                                   "input has W values, not W - w + 1")))
    if H != W:
        mistakes.append(Mistake(conv_matrix_ref(K, H, W, row_step=H),
                                N_("input (r, c) is entry r * W + c of X.ravel(): a row of the "
                                   "input has W values (its width), not H")))
    label = _("{h}x{w} kernel ({dtype}) on a {H}x{W} input").format(h=h, w=w, dtype=K.dtype,
                                                                    H=H, W=W)
    return Case(label, (K, H, W), arg_names=("K",), expected=right, mistakes=mistakes,
                **tolerance(K),
                shape_rule=f"(n, m) = ((H - h + 1)(W - w + 1), H W) = ({n}, {m})")


@ref.one_thread()  # PyTorch on tiny tensors: more threads only wait
def conv_as_matrix_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return split(seed, "conv_as_matrix", _matrix_configs, _matrix_case)


# ---------------------------------------------------------------------------------------------
# conv_layer_torch
# ---------------------------------------------------------------------------------------------

def _torch_configs(rng: np.random.Generator, hidden: bool) -> list[tuple]:
    """The layer's cases without activation, with the same inputs (integers, float64,
    float32): the answer converts them to float32."""
    label = _("{dtype} {shape} input, {F} kernel(s) {h}x{w}, bias={bias}")
    return [(label.format(dtype=X.dtype.name, shape="x".join(map(str, X.shape)), F=K.shape[0],
                          h=K.shape[1], w=K.shape[2], bias=b is not None), X, K, b)
            for _, X, K, b, _ in _layer_configs(rng, hidden)]


def _torch_case(label: str, X: np.ndarray, K: np.ndarray, b: np.ndarray | None) -> Case:
    (H, W, C), (Fk, h, w) = X.shape, K.shape[:3]
    f32 = lambda a: a.astype(np.float32)  # noqa: E731
    right = f32(layer_ref(X, K, b))
    scrambled = ref.conv2d(X.reshape(1, C, H, W), K.reshape(Fk, C, h, w), b)
    mistakes = [
        Mistake(right.transpose(2, 0, 1)[None],
                N_("you returned PyTorch's (N, F, H', W') result: take [0] and move the channels "
                   "last, .permute(1, 2, 0), to get (H', W', F)")),
        Mistake(right.transpose(2, 0, 1), N_("the maps are on the first axis (F, H', W'): move "
                                             "them last, .permute(1, 2, 0)")),
        Mistake(f32(scrambled[0].transpose(1, 2, 0)),
                N_("you used reshape to change the layout: reshape keeps the memory order and "
                   "mixes pixels with channels; use .permute (or np.transpose) to move axes")),
        Mistake(right.transpose(1, 0, 2), N_("the output is (W', H', F): .permute(2, 1, 0) "
                                             "reverses all the axes; use .permute(1, 2, 0)")),
    ]
    if w <= H and h <= W:
        mistakes.append(Mistake(f32(layer_ref(X, K.transpose(0, 2, 1, 3), b)),
                                N_("the kernels are transposed: (F, h, w, C) -> (F, C, h, w) is "
                                   ".permute(0, 3, 1, 2)")))
    if h <= W and w <= H:
        swapped = layer_ref(X.transpose(1, 0, 2), K, b)
        mistakes.append(Mistake(f32(swapped), N_("the image is transposed: (H, W, C) -> (C, H, W) "
                                                 "is .permute(2, 0, 1)")))
    if b is not None:
        mistakes.append(Mistake(f32(layer_ref(X, K)), N_("the bias is missing: pass bias=... to "
                                                         "F.conv2d")))
    args = (X, K) if b is None else (X, K, b)
    terms = _layer_terms(X, K, np.zeros(1) if b is None else b)
    return Case(label, args, arg_names=("input", "weight", "bias"), expected=right,
                shape_rule=_("{shape} by F = {F} maps").format(shape=_shape(X, K), F=Fk),
                mistakes=mistakes,
                spatial=(0, 1), **float32_tolerance(terms))


@ref.one_thread()  # PyTorch on tiny tensors: more threads only wait
def conv_layer_torch_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return split(seed, "conv_layer", _torch_configs, _torch_case)


check_conv2d_channels = NOTEBOOK.check("conv2d_channels", conv2d_channels_cases,
                                       N_("conv2d_channels(X, K): (H, W, C) * (h, w, C), one map."),
                                       forbid=CONVOLUTION, loops=True)
check_conv_layer = NOTEBOOK.check("conv_layer", conv_layer_cases,
                                  "conv_layer(input, weight, bias, activation) -> (H', W', F).",
                                  forbid=CONVOLUTION)
check_receptive_field_mask = NOTEBOOK.check("receptive_field_mask", receptive_field_mask_cases,
                                            "receptive_field_mask(H, W, h, w, i, j) -> (H, W).")
check_conv_as_matrix = NOTEBOOK.check("conv_as_matrix", conv_as_matrix_cases,
                                      N_("conv_as_matrix(K, H, W) -> the (n, m) matrix of X * K."),
                                      forbid=CONVOLUTION)
check_conv_layer_torch = NOTEBOOK.check("conv_layer_torch", conv_layer_torch_cases,
                                        N_("conv_layer_torch(input, weight, bias) with F.conv2d."))
