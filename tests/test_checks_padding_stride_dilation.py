"""Notebook 04 checks: right answers pass, each typical mistake gets its diagnosis."""
import numpy as np
import pytest
import torch

from course.checks.padding_stride_dilation import (check_conv2d, check_conv_output_size,
                                                   check_pad2d, check_receptive_field)
import checking


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def pad2d(input, padding, before=True, after=True):
    ph, pw = pair(padding)
    N, C, H, W = input.shape
    out = np.zeros((N, C, H + (before + after) * ph, W + (before + after) * pw), input.dtype)
    out[:, :, before * ph:before * ph + H, before * pw:before * pw + W] = input
    return out


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1):
    (sh, sw), (dh, dw) = pair(stride), pair(dilation)
    x = pad2d(input, padding)
    N, C, H, W = x.shape
    F, _, h, w = weight.shape
    H_out, W_out = (H - dh * (h - 1) - 1) // sh + 1, (W - dw * (w - 1) - 1) // sw + 1
    args = (input, weight) if bias is None else (input, weight, bias)
    out = np.zeros((N, F, H_out, W_out), np.result_type(*args, np.float32))
    for i in range(H_out):
        for j in range(W_out):
            window = x[:, :, i * sh:i * sh + dh * (h - 1) + 1:dh,
                       j * sw:j * sw + dw * (w - 1) + 1:dw]
            out[:, :, i, j] = np.einsum("nchw,fchw->nf", window, weight)
    if bias is not None:
        out += bias[None, :, None, None]
    return out


def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1


def receptive_field(layers):
    r, jump = 1, 1
    for k, s, d in layers:
        r += (k - 1) * d * jump
        jump *= s
    return r


def fails_with(check, fn, words, capsys, may_raise=False):
    return checking.fails_with(check, fn, words, capsys, may_raise)


@pytest.mark.parametrize("seed", [0, 2026])
def test_right_answers_pass_visible_and_hidden(seed, capsys, monkeypatch):
    monkeypatch.setenv("COURSE_HIDDEN_SEED", str(seed))
    for hidden in (False, True):
        check_pad2d(pad2d, hidden=hidden)
        check_conv_output_size(conv_output_size, hidden=hidden)
        check_conv2d(conv2d, hidden=hidden)
        check_receptive_field(receptive_field, hidden=hidden)
    out = capsys.readouterr().out
    assert "✗" not in out and out.count("✓") == 8, out


def test_receptive_field_matches_pytorch_gradients():
    """The formula agrees with a brute-force count: the input pixels with a non-zero gradient."""
    rng = np.random.default_rng(0)
    for _ in range(10):
        layers = [(int(rng.integers(1, 5)), int(rng.integers(1, 3)), int(rng.integers(1, 3)))
                  for _ in range(int(rng.integers(1, 4)))]
        r = receptive_field(layers)
        x = torch.zeros(1, 1, 1, r + 20, dtype=torch.float64, requires_grad=True)
        y = x
        for k, s, d in layers:
            y = torch.nn.functional.conv2d(y, torch.ones(1, 1, 1, k, dtype=torch.float64),
                                           stride=(1, s), dilation=(1, d))
        y[0, 0, 0, 0].backward()
        touched = torch.nonzero(x.grad[0, 0, 0]).flatten()
        assert int(touched.max() - touched.min()) + 1 == r, layers


def pad_axes(x, widths):
    """Zeros around every axis by the given (before, after) widths (np.pad is forbidden)."""
    out = np.zeros([n + a + b for n, (a, b) in zip(x.shape, widths)], x.dtype)
    out[tuple(slice(a, a + n) for n, (a, _) in zip(x.shape, widths))] = x
    return out


def pad_edge(x, padding):
    """Copies of the border values instead of zeros."""
    ph, pw = pair(padding)
    rows = np.clip(np.arange(-ph, x.shape[2] + ph), 0, x.shape[2] - 1)
    cols = np.clip(np.arange(-pw, x.shape[3] + pw), 0, x.shape[3] - 1)
    return x[:, :, rows][:, :, :, cols]


@pytest.mark.parametrize("fn, words", [
    (lambda x, p: pad2d(x, p, after=False), "top and left"),
    (lambda x, p: pad2d(x, p, before=False), "bottom and right"),
    (lambda x, p: pad2d(x, 2 * np.array(pair(p)), after=False), "one side (top and left)"),
    (lambda x, p: pad_axes(x, [(pair(p)[0],) * 2] * 4), "padded every axis"),
    (lambda x, p: pad_axes(x, [(pair(p)[0],) * 2, (pair(p)[1],) * 2, (0, 0), (0, 0)]),
     "batch and channel axes"),
    (pad_edge, "not copies of the border"),
    (lambda x, p: pad2d(x, pair(p)[::-1]), "height and width swapped"),
])
def test_pad2d_mistakes(fn, words, capsys):
    fails_with(check_pad2d, fn, words, capsys)


@pytest.mark.parametrize("fn, words", [
    (lambda n, k, s=1, p=0, d=1: (n + 2 * p - d * (k - 1) - 1) // s, "forgot the + 1"),
    (lambda n, k, s=1, p=0, d=1: -(-(n + 2 * p - d * (k - 1) - 1) // s) + 1, "rounded up"),
    (lambda n, k, s=1, p=0, d=1: (n + p - d * (k - 1) - 1) // s + 1, "padding counts twice"),
    (lambda n, k, s=1, p=0, d=1: n + 2 * p - d * (k - 1), "stride is missing"),
    (lambda n, k, s=1, p=0, d=1: (n + 2 * p - k) // s + 1, "dilation is missing"),
    (lambda n, k, s=1, p=0, d=1: (n + 2 * p - d * k) // s + 1, "kernel_size - 1 gaps"),
    (lambda n, k, s=1, p=0, d=1: (n + 2 * p - (d + 1) * (k - 1) - 1) // s + 1,
     "dilation off by one"),
    (lambda n, k, s=1, p=0, d=1: (n + 2 * p - d * (k - 1) - 1) / s + 1, "count"),
])
def test_output_size_mistakes(fn, words, capsys):
    fails_with(lambda f: check_conv_output_size(
        lambda size, kernel_size, stride=1, padding=0, dilation=1:
        f(size, kernel_size, stride, padding, dilation)), fn, words, capsys)


def _with(**changes):
    """conv2d with one argument replaced by a wrong value computed from the right ones."""
    def wrong(input, weight, bias=None, stride=1, padding=0, dilation=1):
        kw = dict(input=input, weight=weight, bias=bias, stride=pair(stride),
                  padding=pair(padding), dilation=pair(dilation))
        kw.update({name: f(dict(kw)) for name, f in changes.items()})
        return conv2d(**kw)
    return wrong


def padded_one_side(input, weight, bias=None, stride=1, padding=0, dilation=1):
    return conv2d(pad2d(input, padding, after=False), weight, bias, stride, 0, dilation)


def padded_output(input, weight, bias=None, stride=1, padding=0, dilation=1):
    return pad2d(conv2d(input, weight, bias, stride, 0, dilation), padding)


def padded_kernel(input, weight, bias=None, stride=1, padding=0, dilation=1):
    return conv2d(input, pad2d(weight, padding), bias, stride, 0, dilation)


def stride_spread(input, weight, bias=None, stride=1, padding=0, dilation=1):
    full = conv2d(input, weight, bias, 1, padding, dilation)
    out = np.zeros_like(full)
    s = pair(stride)
    out[..., ::s[0], ::s[1]] = full[..., ::s[0], ::s[1]]
    return out


def stride_on_input(input, weight, bias=None, stride=1, padding=0, dilation=1):
    s = pair(stride)
    return conv2d(pad2d(input, padding)[..., ::s[0], ::s[1]], weight, bias, 1, 0, dilation)


dilation_plus_one = _with(dilation=lambda kw: tuple(d + 1 for d in kw["dilation"]))


@pytest.mark.parametrize("fn, words", [
    (padded_one_side, "padding on one side only"),
    (padded_output, "you padded the output"),
    (padded_kernel, "you padded the kernel"),
    (_with(padding=lambda kw: (0, 0)), "padding is ignored"),
    (_with(stride=lambda kw: (1, 1)), "the stride is ignored"),
    (stride_spread, "wrong places"),
    (stride_on_input, "subsampled the input"),
    (_with(dilation=lambda kw: (1, 1)), "dilation is ignored"),
    (dilation_plus_one, "dilation off by one"),
    (_with(stride=lambda kw: kw["dilation"], dilation=lambda kw: kw["stride"]),
     "stride and dilation swapped"),
    (_with(stride=lambda kw: kw["stride"][::-1], padding=lambda kw: kw["padding"][::-1],
           dilation=lambda kw: kw["dilation"][::-1]), "height and width swapped"),
    (_with(bias=lambda kw: None), "bias is missing"),
    (_with(weight=lambda kw: kw["weight"][..., ::-1, ::-1]), "kernel is flipped"),
    (lambda *a, **k: conv2d(*a, **k).astype(np.float64), "dtype is float64"),
])
def test_conv2d_mistakes(fn, words, capsys):
    # a padded or wider-spread kernel can outgrow the input: that case crashes, the others get
    # the diagnosis
    fails_with(check_conv2d, fn, words, capsys,
               may_raise=fn in (padded_kernel, dilation_plus_one))


def test_conv2d_dilation_one_less(capsys, monkeypatch):
    def fewer(input, weight, bias=None, stride=1, padding=0, dilation=1):
        d = pair(dilation)
        return conv2d(input, weight, bias, stride, padding, (max(d[0] - 1, 1), max(d[1] - 1, 1)))
    monkeypatch.setenv("COURSE_HIDDEN_SEED", "2026")
    out = fails_with(lambda f: check_conv2d(f, hidden=True), fewer, "dilation", capsys)
    assert "taps are d apart" in out or "dilation is ignored" in out


@pytest.mark.parametrize("fn, words", [
    (lambda layers: receptive_field([(k, 1, d) for k, _, d in layers]), "strides are missing"),
    (lambda layers: receptive_field([(k, s, 1) for k, s, _ in layers]),
     "dilation is missing"),
    (lambda layers: sum(k for k, _, _ in layers), "counts the shared pixel twice"),
    (lambda layers: int(np.prod([k for k, _, _ in layers])), "not multiplication"),
    (lambda layers: 1 + sum((k - 1) * d * int(np.prod([s_ for _, s_, _ in layers[:i + 1]]))
                            for i, (k, _, d) in enumerate(layers)), "own stride"),
    (lambda layers: receptive_field([(k, s, d + 1) for k, s, d in layers]),
     "dilation off by one"),
    (lambda layers: layers[-1][0], "every layer"),
])
def test_receptive_field_mistakes(fn, words, capsys):
    fails_with(check_receptive_field, fn, words, capsys)
