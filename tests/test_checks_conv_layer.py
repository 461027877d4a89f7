"""Notebook 03 checks: right answers pass, each typical layer mistake gets its diagnosis."""
import numpy as np
import pytest
import torch

from course.checks.conv_layer import (check_conv2d_channels, check_conv_as_matrix,
                                      check_conv_layer, check_conv_layer_torch,
                                      check_receptive_field_mask, conv2d_channels_cases,
                                      conv_matrix_ref, layer_ref)
from checking import fails_with

# The activations, written here: a from-scratch answer may not call the course's modules.
ACTIVATIONS = {None: lambda z: z, "relu": lambda z: np.maximum(z, 0), "tanh": np.tanh}


def conv2d_channels(X, K, reduce=np.sum):
    (H, W, _), (h, w, _) = X.shape, K.shape
    out = np.zeros((H - h + 1, W - w + 1), dtype=np.result_type(X, K, np.float32))
    for i in range(H - h + 1):
        for j in range(W - w + 1):
            out[i, j] = reduce(np.sum(X[i:i + h, j:j + w] * K, axis=(0, 1)))
    return out


def conv_layer(input, weight, bias=None, activation=None):
    Z = np.stack([conv2d_channels(input, k) for k in weight], axis=-1)
    if bias is not None:
        Z = Z + bias.astype(Z.dtype)
    return ACTIVATIONS[activation](Z)


def mask(H, W, h, w, i, j):
    m = np.zeros((H, W), dtype=bool)
    m[i:i + h, j:j + w] = True
    return m


def clipped(H, W, top, left, h, w):
    """The mask of an h x w window at (top, left), cut where it leaves the input (as
    `m[max(top, 0):top + h, ...]` does)."""
    m = np.zeros((H, W), dtype=bool)
    m[max(top, 0):max(top + h, 0), max(left, 0):max(left + w, 0)] = True
    return m


def conv_as_matrix(K, H, W, row_step=None):
    """M with M @ X.ravel() = (X * K).ravel(); `row_step` replaces W as the length of an input
    row (a mistake)."""
    (h, w), Wo = K.shape, W - K.shape[1] + 1
    step = W if row_step is None else row_step
    M = np.zeros(((H - h + 1) * Wo, H * W), dtype=np.result_type(K, np.float32))
    for i in range(H - h + 1):
        for j in range(Wo):
            for a in range(h):
                for c in range(w):
                    if (i + a) * step + j + c < H * W:
                        M[i * Wo + j, (i + a) * step + j + c] = K[a, c]
    return M


def conv_layer_torch(input, weight, bias=None):
    x = torch.as_tensor(np.asarray(input, np.float32)).permute(2, 0, 1)[None]
    k = torch.as_tensor(np.asarray(weight, np.float32)).permute(0, 3, 1, 2)
    b = None if bias is None else torch.as_tensor(np.asarray(bias, np.float32))
    return torch.nn.functional.conv2d(x, k, b)[0].permute(1, 2, 0).numpy()


@pytest.mark.parametrize("seed", [0, 2026])
def test_right_answers_pass_visible_and_hidden(seed, capsys, monkeypatch):
    monkeypatch.setenv("COURSE_HIDDEN_SEED", str(seed))
    for hidden in (False, True):
        check_conv2d_channels(conv2d_channels, hidden=hidden)
        check_conv_layer(conv_layer, hidden=hidden)
        check_receptive_field_mask(mask, hidden=hidden)
        check_conv_as_matrix(conv_as_matrix, hidden=hidden)
        check_conv_layer_torch(conv_layer_torch, hidden=hidden)
    out = capsys.readouterr().out
    assert "✗" not in out and out.count("✓") == 10, out


def test_cases_cover_the_dtypes_students_meet():
    visible, hidden = conv2d_channels_cases(2026)
    for cases in (visible, hidden):
        assert {c.args[0].dtype.name for c in cases} == {"int64", "float64", "float32", "uint8"}
    assert any(c.args[0].shape[2] == 1 for c in visible)


def test_matrix_reproduces_the_convolution():
    rng = np.random.default_rng(0)
    X, K = rng.normal(size=(5, 7)), rng.normal(size=(2, 3))
    M = conv_matrix_ref(K, 5, 7)
    Z = layer_ref(X[..., None], K[None, ..., None])[..., 0]
    assert np.allclose(M @ X.ravel(), Z.ravel())
    assert (M != 0).sum(axis=1).max() == K.size          # each output reads k = h*w inputs
    assert np.array_equal(conv_as_matrix(K, 5, 7), M.astype(np.float64))


@pytest.mark.parametrize("fn, words", [
    (lambda X, K: np.stack([conv2d_channels(X[..., c:c + 1], K[..., c:c + 1])
                            for c in range(X.shape[2])], -1), "one map per channel"),
    (lambda X, K: conv2d_channels(X, K, np.max), "max over the channels"),
    (lambda X, K: conv2d_channels(X, K, np.mean), "averaged"),
    (lambda X, K: conv2d_channels(X[..., :1], K[..., :1]), "only the first channel"),
    (lambda X, K: conv2d_channels(X, np.repeat(K[..., :1], X.shape[2], axis=-1)), "K[:, :, 0]"),
    (lambda X, K: conv2d_channels(np.roll(X, (1, 1), axis=(0, 1)), K), "1-based indices"),
    (lambda X, K: conv2d_channels(X, K).astype(X.dtype), "integer dtype uint8"),
])
def test_conv2d_channels_mistakes(fn, words, capsys):
    fails_with(check_conv2d_channels, fn, words, capsys, may_raise=False)


def _layer(transform):
    def wrong(input, weight, bias=None, activation=None):
        return transform(input, weight, bias, ACTIVATIONS[activation])
    return wrong


@pytest.mark.parametrize("fn, words", [
    (_layer(lambda X, K, b, s: s(conv_layer(X, K, b)).transpose(2, 0, 1)), "first axis"),
    (_layer(lambda X, K, b, s: s(conv_layer(X, K[:1], None if b is None else b[:1])[..., 0])),
     "only one activation map"),
    (_layer(lambda X, K, b, s: s(conv_layer(X, K).sum(-1) + (0 if b is None else b.sum()))),
     "into one"),
    (_layer(lambda X, K, b, s: s(conv_layer(X, K))), "bias is missing"),
    (_layer(lambda X, K, b, s: s(conv_layer(X, K)) + (0 if b is None else b)),
     "activation was applied before the bias"),
    (_layer(lambda X, K, b, s: s(conv_layer(X, K) + (0 if b is None else X.shape[2] * b))),
     "once per input channel"),
    (_layer(lambda X, K, b, s: sum(s(conv_layer(X[..., c:c + 1], K[..., c:c + 1]))
                                   for c in range(X.shape[2])) + (0 if b is None else b)),
     "each channel before the sum"),
    (_layer(lambda X, K, b, s: conv_layer(X, K, b)), "was not applied"),
    (_layer(lambda X, K, b, s: s((lambda Z: Z.transpose(2, 0, 1).reshape(Z.shape))(
        conv_layer(X, K)) + (0 if b is None else b))), "you used reshape"),
])
def test_conv_layer_mistakes(fn, words, capsys):
    fails_with(check_conv_layer, fn, words, capsys, may_raise=False)


def test_conv_layer_bias_spread_over_pixels(capsys):
    def spread(input, weight, bias=None, activation=None):
        Z = conv_layer(input, weight)
        b = 0 if bias is None else bias / (Z.shape[0] * Z.shape[1])
        return ACTIVATIONS[activation](Z + b)
    fails_with(check_conv_layer, spread, "spread over the pixels", capsys, may_raise=False)


def test_conv_layer_with_torch_scores_zero(capsys):
    fails_with(check_conv_layer, lambda input, weight, bias=None, activation=None:
               ACTIVATIONS[activation](conv_layer_torch(input, weight, bias)),
               "would score 0 when graded", capsys)


@pytest.mark.parametrize("fn, words", [
    (lambda H, W, h, w, i, j: mask(H, W, h + 1, w + 1, i, j), "one row and one column too many"),
    (lambda H, W, h, w, i, j: mask(H, W, h - 1, w - 1, i, j), "one row and one column too few"),
    (lambda H, W, h, w, i, j: clipped(H, W, i - h // 2, j - w // 2, h, w), "centred"),
    (lambda H, W, h, w, i, j: mask(H, W, w, h, i, j), "h (the kernel's height) goes with rows"),
    (lambda H, W, h, w, i, j: mask(H, W, h, w, j, i), "i and j are swapped"),
    (lambda H, W, h, w, i, j: clipped(H, W, i - h + 1, j - w + 1, h, w), "ends at (i, j)"),
    (lambda H, W, h, w, i, j: mask(H, W, h, w, i, j)[:-1], "output shape"),
    (lambda H, W, h, w, i, j: mask(H, W, h, w, i, j).astype(int), "expected bool"),
])
def test_receptive_field_mask_mistakes(fn, words, capsys):
    out = fails_with(check_receptive_field_mask, fn, words, capsys, may_raise=False)
    assert "border" not in out  # a mask has no windows: no border hint


@pytest.mark.parametrize("fn, words", [
    (lambda K, H, W: conv_as_matrix(K, H, W).T, "transposed"),
    (lambda K, H, W: conv_as_matrix(K[::-1, ::-1], H, W), "flipped"),
    (lambda K, H, W: conv_as_matrix(K, H, W, row_step=W - K.shape[1] + 1), "not W - w + 1"),
    (lambda K, H, W: conv_as_matrix(K, H, W).astype(np.float64), "dtype is float64"),
])
def test_conv_as_matrix_mistakes(fn, words, capsys):
    fails_with(check_conv_as_matrix, fn, words, capsys, may_raise=False)


def _reshaped(input, weight, bias=None):
    (H, W, C), (F, h, w, _) = input.shape, weight.shape
    x = torch.as_tensor(np.asarray(input, np.float32).reshape(1, C, H, W))
    k = torch.as_tensor(np.asarray(weight, np.float32).reshape(F, C, h, w))
    b = None if bias is None else torch.as_tensor(np.asarray(bias, np.float32))
    return torch.nn.functional.conv2d(x, k, b)[0].permute(1, 2, 0).numpy()


@pytest.mark.parametrize("fn, words", [
    (lambda X, K, b=None: conv_layer_torch(X, K, b).transpose(2, 0, 1)[None], "take [0]"),
    (lambda X, K, b=None: conv_layer_torch(X, K, b).transpose(2, 0, 1), "first axis"),
    (_reshaped, "reshape"),
    (lambda X, K, b=None: conv_layer_torch(X, K.transpose(0, 2, 1, 3).copy(), b),
     "kernels are transposed"),
    (lambda X, K, b=None: conv_layer_torch(X, K), "bias is missing"),
    (lambda X, K, b=None: torch.tensor(conv_layer_torch(X, K, b)), "torch tensor"),
    (lambda X, K, b=None: conv_layer_torch(X, K, b).transpose(1, 0, 2), "(W', H', F)"),
    (lambda X, K, b=None: conv_layer_torch(X, K, b).astype(np.float64),
     "whatever the dtype of the inputs"),
])
def test_conv_layer_torch_mistakes(fn, words, capsys):
    fails_with(check_conv_layer_torch, fn, words, capsys, may_raise=False)
