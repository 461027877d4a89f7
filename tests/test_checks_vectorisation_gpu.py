"""Notebook 06 checks: right answers pass, each typical mistake gets its diagnosis."""
import numpy as np
import pytest

from course.checks.vectorisation_gpu import (check_avg_pool2d_vec, check_conv2d_im2col,
                                             check_im2col, check_max_pool2d_vec)
from checking import fails_with
from reference_vectorised import _pair, avg_pool2d_vec, conv2d_im2col, im2col, max_pool2d_vec


@pytest.mark.parametrize("seed", [0, 2026])
def test_right_answers_pass_visible_and_hidden(seed, capsys, monkeypatch):
    monkeypatch.setenv("COURSE_HIDDEN_SEED", str(seed))
    for hidden in (False, True):
        check_im2col(im2col, hidden=hidden)
        check_conv2d_im2col(conv2d_im2col, hidden=hidden)
        check_max_pool2d_vec(max_pool2d_vec, hidden=hidden)
        check_avg_pool2d_vec(avg_pool2d_vec, hidden=hidden)
    out = capsys.readouterr().out
    assert "✗" not in out and out.count("✓") == 8, out


def _six(input, kernel_size, stride=1, padding=0, dilation=1):
    h, w = _pair(kernel_size)
    cols = im2col(input, kernel_size, stride, padding, dilation)
    N, C = input.shape[:2]
    H, W = input.shape[2:]
    (sh, sw), (ph, pw), (dh, dw) = map(_pair, (stride, padding, dilation))
    Ho = (H + 2 * ph - dh * (h - 1) - 1) // sh + 1
    return cols.reshape(C, h, w, N, Ho, -1)


@pytest.mark.parametrize("perm, words", [
    ((1, 2, 0, 3, 4, 5), "(kernel row, kernel column, channel)"),
    ((0, 1, 2, 4, 5, 3), "image index last"),
    ((0, 1, 2, 3, 5, 4), "column by column"),
])
def test_im2col_wrong_orders(perm, words, capsys):
    def wrong(*a, **k):
        six = _six(*a, **k)
        return six.transpose(perm).reshape(six.shape[0] * six.shape[1] * six.shape[2], -1)
    fails_with(check_im2col, wrong, words, capsys)


def test_im2col_unfold_layout(capsys):
    def per_image(input, *a, **k):
        return np.stack([im2col(input[n:n + 1], *a, **k) for n in range(len(input))])
    fails_with(check_im2col, per_image, "as F.unfold does", capsys)


def test_im2col_transposed(capsys):
    fails_with(check_im2col, lambda *a, **k: im2col(*a, **k).T, "rows and columns swapped",
               capsys)


def test_conv_kernel_flattened_in_another_order(capsys):
    def wrong(input, weight, bias=None, stride=1, padding=0, dilation=1):
        w2 = np.ascontiguousarray(weight.transpose(0, 2, 3, 1)).reshape(weight.shape)
        return conv2d_im2col(input, w2, bias, stride, padding, dilation)
    fails_with(check_conv2d_im2col, wrong, "not flattened in the same order", capsys)


def test_conv_reshaped_straight_to_nf(capsys):
    def wrong(input, weight, bias=None, stride=1, padding=0, dilation=1):
        out = conv2d_im2col(input, weight, bias, stride, padding, dilation)
        return np.ascontiguousarray(out.transpose(1, 0, 2, 3)).reshape(out.shape)
    fails_with(check_conv2d_im2col, wrong, "mixes images and kernels", capsys)


def test_conv_flipped_and_bias(capsys):
    fails_with(check_conv2d_im2col,
               lambda i, w, b=None, **k: conv2d_im2col(i, w[:, :, ::-1, ::-1], b, **k),
               "flipped", capsys)
    fails_with(check_conv2d_im2col, lambda i, w, b=None, **k: conv2d_im2col(i, w, None, **k),
               "bias is missing", capsys)


def test_pool_mistakes(capsys):
    fails_with(check_max_pool2d_vec, avg_pool2d_vec, "this is avg pooling", capsys)
    fails_with(check_avg_pool2d_vec, max_pool2d_vec, "this is max pooling", capsys)
    fails_with(check_max_pool2d_vec, lambda x, k, stride=None: max_pool2d_vec(x, k, stride or 1),
               "stride=None means stride = kernel_size", capsys)
    fails_with(check_avg_pool2d_vec,
               lambda x, k, stride=None: avg_pool2d_vec(x, k, stride) * np.prod(_pair(k)),
               "you summed the window", capsys)
    fails_with(check_max_pool2d_vec,
               lambda x, k, stride=None: np.broadcast_to(
                   max_pool2d_vec(x, k, stride).max(axis=1, keepdims=True),
                   max_pool2d_vec(x, k, stride).shape).copy(),
               "across the channels", capsys)
