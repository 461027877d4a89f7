"""Notebook 03 checks: right answers pass, each typical layer mistake gets its diagnosis."""
import numpy as np
import pytest
import torch

from course.checks import (check_conv2d_channels, check_conv_as_matrix,
                           check_conv_layer, check_conv_layer_torch, check_receptive_field_mask)
from course.checks.conv_layer import ACTIVATIONS, conv_matrix_ref, layer_ref
from checking import fails_with


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


def conv_as_matrix(K, H, W):
    (h, w), Wo = K.shape, W - K.shape[1] + 1
    M = np.zeros(((H - h + 1) * Wo, H * W), dtype=np.result_type(K, np.float32))
    for i in range(H - h + 1):
        for j in range(Wo):
            for a in range(h):
                M[i * Wo + j, (i + a) * W + j:(i + a) * W + j + w] = K[a]
    return M


def conv_layer_torch(input, weight, bias=None):
    x = torch.as_tensor(np.asarray(input, np.float32)).permute(2, 0, 1)[None]
    k = torch.as_tensor(np.asarray(weight, np.float32)).permute(0, 3, 1, 2)
    b = None if bias is None else torch.as_tensor(np.asarray(bias, np.float32))
    return torch.nn.functional.conv2d(x, k, b)[0].permute(1, 2, 0).numpy()


@pytest.mark.parametrize("seed", [0, 2026])
def test_right_answers_pass_visible_and_hidden(seed, capsys):
    for hidden in (False, True):
        check_conv2d_channels(conv2d_channels, hidden=hidden, seed=seed)
        check_conv_layer(conv_layer, hidden=hidden, seed=seed)
        check_receptive_field_mask(mask, hidden=hidden, seed=seed)
        check_conv_as_matrix(conv_as_matrix, hidden=hidden, seed=seed)
        check_conv_layer_torch(conv_layer_torch, hidden=hidden, seed=seed)
    assert "✗" not in capsys.readouterr().out


def test_matrix_reproduces_the_convolution():
    rng = np.random.default_rng(0)
    X, K = rng.normal(size=(5, 7)), rng.normal(size=(2, 3))
    M = conv_matrix_ref(K, 5, 7)
    Z = layer_ref(X[..., None], K[None, ..., None])[..., 0]
    assert np.allclose(M @ X.ravel(), Z.ravel())
    assert (M != 0).sum(axis=1).max() == K.size          # each output reads k = h*w inputs


@pytest.mark.parametrize("fn, words", [
    (lambda X, K: np.stack([conv2d_channels(X[..., c:c + 1], K[..., c:c + 1])
                            for c in range(X.shape[2])], -1), "one map per channel"),
    (lambda X, K: conv2d_channels(X, K, np.max), "max over the channels"),
    (lambda X, K: conv2d_channels(X, K, np.mean), "averaged"),
    (lambda X, K: conv2d_channels(X[..., :1], K[..., :1]), "only the first channel"),
])
def test_conv2d_channels_mistakes(fn, words, capsys):
    fails_with(check_conv2d_channels, fn, words, capsys)


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
])
def test_conv_layer_mistakes(fn, words, capsys):
    fails_with(check_conv_layer, fn, words, capsys)


def test_conv_layer_bias_spread_over_pixels(capsys):
    def spread(input, weight, bias=None, activation=None):
        Z = conv_layer(input, weight)
        b = 0 if bias is None else bias / (Z.shape[0] * Z.shape[1])
        return ACTIVATIONS[activation](Z + b)
    fails_with(check_conv_layer, spread, "spread over the pixels", capsys)


@pytest.mark.parametrize("fn, words", [
    (lambda H, W, h, w, i, j: mask(H, W, h + 1, w + 1, i, j), "one row and one column too many"),
    (lambda H, W, h, w, i, j: mask(H, W, h, w, max(i - h // 2, 0), max(j - w // 2, 0)),
     "centred"),
    (lambda H, W, h, w, i, j: mask(H, W, w, h, i, j), "h (the kernel's height) goes with rows"),
    (lambda H, W, h, w, i, j: mask(H, W, h, w, j, i), "i and j are swapped"),
    (lambda H, W, h, w, i, j: mask(H, W, h, w, max(i - h + 1, 0), max(j - w + 1, 0)),
     "ends at (i, j)"),
    (lambda H, W, h, w, i, j: mask(H, W, h, w, i, j)[:-1], "output shape"),
])
def test_receptive_field_mask_mistakes(fn, words, capsys):
    fails_with(check_receptive_field_mask, fn, words, capsys)


@pytest.mark.parametrize("fn, words", [
    (lambda K, H, W: conv_as_matrix(K, H, W).T, "transposed"),
    (lambda K, H, W: conv_as_matrix(K[::-1, ::-1], H, W), "flipped"),
    (lambda K, H, W: conv_matrix_ref(K, H, W, row_step=W - K.shape[1] + 1), "not W - w + 1"),
])
def test_conv_as_matrix_mistakes(fn, words, capsys):
    fails_with(check_conv_as_matrix, fn, words, capsys)


def _reshaped(input, weight, bias=None):
    (H, W, C), (F, h, w, _) = input.shape, weight.shape
    x = torch.as_tensor(input.reshape(1, C, H, W))
    k = torch.as_tensor(weight.reshape(F, C, h, w))
    b = None if bias is None else torch.as_tensor(bias)
    return torch.nn.functional.conv2d(x, k, b)[0].permute(1, 2, 0).numpy()


@pytest.mark.parametrize("fn, words", [
    (lambda X, K, b=None: conv_layer_torch(X, K, b).transpose(2, 0, 1)[None], "take [0]"),
    (lambda X, K, b=None: conv_layer_torch(X, K, b).transpose(2, 0, 1), "first axis"),
    (_reshaped, "reshape"),
    (lambda X, K, b=None: conv_layer_torch(X, K.transpose(0, 2, 1, 3).copy(), b)
     if K.shape[1] == K.shape[2] else conv_layer_torch(X, K, b), "kernels are transposed"),
    (lambda X, K, b=None: conv_layer_torch(X, K), "bias is missing"),
    (lambda X, K, b=None: torch.tensor(conv_layer_torch(X, K, b)), "torch tensor"),
])
def test_conv_layer_torch_mistakes(fn, words, capsys):
    fails_with(check_conv_layer_torch, fn, words, capsys)
