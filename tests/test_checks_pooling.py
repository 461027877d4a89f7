"""Notebook 05 checks: right answers pass, each typical mistake gets its diagnosis."""
import numpy as np
import pytest
import torch

from course.checks.pooling import check_avg_pool2d, check_max_pool2d, check_relative_change
from course.examples import LECTURE_GRID
import checking


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def pool2d(reduce, input, kernel_size, stride=None, ceil=False, dtype=None):
    (h, w) = pair(kernel_size)
    (sh, sw) = (h, w) if stride is None else pair(stride)
    N, C, H, W = input.shape
    rnd = (lambda a, b: -(-a // b)) if ceil else (lambda a, b: a // b)
    H_out, W_out = rnd(H - h, sh) + 1, rnd(W - w, sw) + 1
    out = np.zeros((N, C, H_out, W_out), dtype or input.dtype)
    for i in range(H_out):
        for j in range(W_out):
            out[:, :, i, j] = reduce(input[:, :, i * sh:i * sh + h, j * sw:j * sw + w],
                                     axis=(2, 3))
    return out


def max_pool2d(input, kernel_size, stride=None):
    return pool2d(np.max, input, kernel_size, stride)


def avg_pool2d(input, kernel_size, stride=None):
    return pool2d(np.mean, input, kernel_size, stride,
                  dtype=input.dtype if input.dtype.kind == "f" else np.float64)


def relative_change(reference, shifted):
    return float(np.linalg.norm(reference - shifted) / np.linalg.norm(reference))


def fails_with(check, fn, words, capsys):
    return checking.fails_with(check, fn, words, capsys, may_raise=False)


@pytest.mark.parametrize("seed", [0, 2026])
def test_right_answers_pass_visible_and_hidden(seed, capsys, monkeypatch):
    monkeypatch.setenv("COURSE_HIDDEN_SEED", str(seed))
    for hidden in (False, True):
        check_max_pool2d(max_pool2d, hidden=hidden)
        check_avg_pool2d(avg_pool2d, hidden=hidden)
        check_relative_change(relative_change, hidden=hidden)
    out = capsys.readouterr().out
    assert "✗" not in out and out.count("✓") == 6, out


def test_lecture_grid():
    """The lecture's figure: a 3x3 max over rows 1..7 gives 3 at the first position."""
    out = max_pool2d(LECTURE_GRID[None, None], 3, 1)[0, 0]
    assert out.shape == (5, 5) and out[0, 0] == 3 and list(out[0]) == [3, 4, 5, 6, 7]
    assert torch.nn.MaxPool2d(2).state_dict() == {}


def across_channels(reduce, over_channels=None):
    def wrong(input, kernel_size, stride=None):
        merged = (over_channels or reduce)(input, axis=1, keepdims=True)
        return pool2d(reduce, merged, kernel_size, stride,
                      dtype=np.float64 if input.dtype.kind != "f" else None)
    return wrong


def stride_one_when_none(fn):
    return lambda input, kernel_size, stride=None: fn(input, kernel_size,
                                                      1 if stride is None else stride)


def kernel_as_stride(fn):
    return lambda input, kernel_size, stride=None: fn(input, kernel_size, kernel_size)


def window(fn, dk):
    return lambda input, kernel_size, stride=None: fn(
        input, tuple(k + dk for k in pair(kernel_size)), pair(kernel_size) if stride is None
        else stride)


def swapped(fn):
    return lambda input, kernel_size, stride=None: fn(
        input, pair(kernel_size)[::-1], None if stride is None else pair(stride)[::-1])


def ceil(reduce):
    def wrong(input, kernel_size, stride=None):
        return pool2d(lambda a, axis: reduce(a, axis=axis) if a.size else np.nan, input,
                      kernel_size, stride, ceil=True,
                      dtype=input.dtype if input.dtype.kind == "f" or reduce is np.max
                      else np.float64)
    return wrong


@pytest.mark.parametrize("check, fn, words", [
    (check_max_pool2d, avg_pool2d, "this is avg pooling"),
    (check_avg_pool2d, lambda x, k, stride=None: max_pool2d(x, k, stride).astype(
        x.dtype if x.dtype.kind == "f" else np.float64), "this is max pooling"),
    (check_max_pool2d, across_channels(np.max), "across the channels"),
    (check_avg_pool2d, across_channels(np.mean), "across the channels"),
    (check_max_pool2d, across_channels(np.max, np.sum), "added the channels"),
    (check_max_pool2d, stride_one_when_none(max_pool2d), "stride=None means"),
    (check_avg_pool2d, stride_one_when_none(avg_pool2d), "stride=None means"),
    (check_max_pool2d, kernel_as_stride(max_pool2d), "stride is ignored"),
    (check_avg_pool2d, lambda x, k, stride=None: pool2d(np.sum, x, k, stride, dtype=np.float64).astype(
        x.dtype if x.dtype.kind == "f" else np.float64), "summed the window"),
    (check_max_pool2d, window(max_pool2d, -1), "window one too small"),
    (check_avg_pool2d, window(avg_pool2d, 1), "window one too large"),
    (check_max_pool2d, swapped(max_pool2d), "height and width swapped"),
    (check_avg_pool2d, ceil(np.mean), "partial window"),
])
def test_pooling_mistakes(check, fn, words, capsys):
    fails_with(check, fn, words, capsys)


def test_max_pool_ignores_given_stride_as_one(capsys):
    fails_with(check_max_pool2d,
               lambda x, k, stride=None: max_pool2d(x, k, 1), "must move by `stride`", capsys)


@pytest.mark.parametrize("fn, words", [
    (lambda a, b: float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300)),
     "norm of the reference"),
    (lambda a, b: float(np.linalg.norm(a - b)), "absolute change"),
    (lambda a, b: float(np.abs(a - b).sum() / np.abs(a).sum()), "Euclidean norm"),
    (lambda a, b: float(np.sum((a - b) ** 2) / np.sum(a ** 2)), "take square roots"),
])
def test_relative_change_mistakes(fn, words, capsys):
    fails_with(check_relative_change, fn, words, capsys)
