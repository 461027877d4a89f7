"""Notebook 01 checks: right answers pass, each typical mistake gets its diagnosis."""
import numpy as np
import pytest
import torch

from course import reference
from course.checks.conv1d import (check_conv1d, check_conv1d_output_size, check_conv1d_stride,
                                  check_conv1d_torch, check_convolve_valid, conv1d_cases,
                                  conv1d_stride_cases)
from course.examples import LECTURE_K, LECTURE_X, SMALL_K, SMALL_X
from checking import fails_with

FORBIDDEN = "would score 0 when graded"


def conv1d(x, k, stride=1):
    n = (len(x) - len(k)) // stride + 1
    out = np.zeros(n, dtype=np.result_type(x, k, np.float32))
    for j in range(n):
        out[j] = np.dot(x[j * stride:j * stride + len(k)], k)
    return out


def test_reference_reproduces_the_lecture():
    assert np.array_equal(reference.conv1d(SMALL_X, SMALL_K), [7, 12, 17])
    assert np.array_equal(reference.conv1d(LECTURE_X, LECTURE_K), [9, 0, 1, 3, -5, -3, 6])
    assert np.array_equal(reference.conv1d(LECTURE_X, LECTURE_K, 2), [9, 1, -5, 6])


@pytest.mark.parametrize("seed", [0, 1, 2026])
def test_right_answers_pass_visible_and_hidden(seed, capsys, monkeypatch):
    monkeypatch.setenv("COURSE_HIDDEN_SEED", str(seed))
    for hidden in (False, True):
        check_conv1d(conv1d, hidden=hidden)
        check_conv1d_stride(conv1d, hidden=hidden)
        check_conv1d_output_size(lambda W, w, s=1: (W - w) // s + 1, hidden=hidden)
        check_convolve_valid(lambda x, k: conv1d(x, k[::-1]), hidden=hidden)
        check_conv1d_torch(lambda x, k, stride=1: conv1d(x.astype(np.float32),
                                                         k.astype(np.float32), stride),
                           hidden=hidden)
    out = capsys.readouterr().out
    assert "✗" not in out and out.count("✓") == 10, out


def test_cases_cover_the_dtypes_and_sizes_students_meet():
    visible, hidden = conv1d_cases(2026)
    kinds = {(c.args[0].dtype.name, c.args[1].dtype.name) for c in visible}
    assert {("int64", "int64"), ("float64", "float64"), ("float32", "float32"),
            ("uint8", "float64")} <= kinds
    assert {c.args[0].dtype.name for c in hidden} == {"int64", "float64", "float32", "uint8"}
    assert any(len(c.args[1]) == 1 for c in visible)
    assert any(len(c.args[1]) == len(c.args[0]) for c in visible)
    strides = [c.kwargs["stride"] for c in conv1d_stride_cases(0)[0]]
    assert 1 in strides and max(strides) > 2


def test_flipped_kernel(capsys):
    fails_with(check_conv1d, lambda x, k: conv1d(x, k[::-1]), "kernel is flipped", capsys,
               may_raise=False)


def test_np_convolve_scores_zero_and_its_output_is_called_true_convolution(capsys):
    fails_with(check_conv1d, lambda x, k: np.convolve(x, k, "valid"), FORBIDDEN, capsys)
    fails_with(check_conv1d, lambda x, k: conv1d(x, k[::-1]), "true convolution", capsys)


def test_loop_one_short(capsys):
    def short(x, k):
        return conv1d(x, k)[:-1]
    fails_with(check_conv1d, short, "is the last window missing", capsys, may_raise=False)


def test_last_value_never_computed(capsys):
    def last_missing(x, k):
        out = conv1d(x, k)
        out[-1] = 0
        return out
    fails_with(check_conv1d, last_missing, "all 0", capsys)


def test_full_mode(capsys):
    fails_with(check_conv1d, lambda x, k: np.convolve(x, k, "full"), FORBIDDEN, capsys)

    def full(x, k):
        return conv1d(np.concatenate([np.zeros(len(k) - 1, x.dtype), x,
                                      np.zeros(len(k) - 1, x.dtype)]), k)
    fails_with(check_conv1d, full, "past the ends", capsys, may_raise=False)


def test_list_output(capsys):
    fails_with(check_conv1d, lambda x, k: list(conv1d(x, k)), "return a NumPy array", capsys)


def test_float64_for_float32_inputs(capsys):
    fails_with(check_conv1d, lambda x, k: conv1d(x, k).astype(np.float64), "dtype is float64",
               capsys)


def test_float32_for_float64_inputs(capsys):
    fails_with(check_conv1d, lambda x, k: conv1d(x, k).astype(np.float32), "lost precision",
               capsys)


def test_integer_output_for_an_integer_signal_and_a_float_kernel(capsys):
    def truncated(x, k):
        return conv1d(x, k).astype(x.dtype)
    out = fails_with(check_conv1d, truncated, "integer dtype uint8", capsys)
    assert "1 of 7 cases fail" in out


def test_input_modified_in_place(capsys):
    def destructive(x, k):
        out = conv1d(x, k)
        x[:] = 0
        return out
    fails_with(check_conv1d, destructive, "modified its input `x` in place", capsys)


def test_window_modified_in_place_is_named_with_the_wrong_values(capsys):
    def view(x, k):
        out = np.zeros(len(x) - len(k) + 1, dtype=np.result_type(x, k, np.float32))
        for i in range(len(out)):
            window = x[i:i + len(k)]  # a view of x (raises on the uint8 signal)
            window *= k
            out[i] = window.sum()
        return out
    out = fails_with(check_conv1d, view, "also modified its input `x` in place", capsys)
    assert "values differ" in out


def test_student_exception_is_a_diagnosis(capsys):
    def crash(x, k):
        return np.array([x[i:i + len(k)] @ k for i in range(len(x))])
    fails_with(check_conv1d, crash, "raised ValueError", capsys)


def test_stride_ignored(capsys):
    fails_with(check_conv1d_stride, lambda x, k, stride=1: conv1d(x, k), "ignored the stride",
               capsys, may_raise=False)


def test_stride_applied_to_input_positions(capsys):
    def spread(x, k, stride=1):
        full = conv1d(x, k)
        out = np.zeros_like(full)
        out[::stride] = full[::stride]
        return out
    fails_with(check_conv1d_stride, spread, "wrong places", capsys, may_raise=False)


def test_stride_confused_with_dilation(capsys):
    def dilated(x, k, stride=1):
        span = (len(k) - 1) * stride + 1
        return np.array([np.dot(x[i:i + span:stride], k) for i in range(len(x) - span + 1)],
                        dtype=np.result_type(x, k, np.float32))
    fails_with(check_conv1d_stride, dilated, "dilation", capsys, may_raise=False)


@pytest.mark.parametrize("fn, words", [
    (lambda x, k, stride=1: conv1d(x, k, stride)[:-1], "one window too few"),
    (lambda x, k, stride=1: conv1d(x, k, stride)[:(len(x) - len(k) + 1) // stride],
     "divide W - w by the stride"),
    (lambda x, k, stride=1: conv1d(x, k, stride)[:len(range(0, len(x) - len(k), stride))],
     "range(0, W - w + 1, stride)"),
    (lambda x, k, stride=1: conv1d(x, k)[:(len(x) - len(k)) // stride + 1],
     "every window starts at j"),
])
def test_stride_loop_bounds(fn, words, capsys):
    fails_with(check_conv1d_stride, fn, words, capsys, may_raise=False)


@pytest.mark.parametrize("fn, words", [
    (lambda W, w, s=1: (W - w) // s, "forgot the + 1"),
    (lambda W, w, s=1: -(-(W - w) // s) + 1, "rounded"),
    (lambda W, w, s=1: W // s, "kernel size is missing"),
    (lambda W, w, s=1: (W - w) / s + 1, "count"),
    (lambda W, w, s=1: (W - w + 1) // s, "divide (W - w) by the stride, then add 1"),
    (lambda W, w, s=1: W - w // s + 1, "operator precedence"),
])
def test_output_size_mistakes(fn, words, capsys):
    out = fails_with(check_conv1d_output_size, fn, words, capsys)
    if "divide" in words:  # the brief's example: never "you forgot the + 1" for this one
        assert "forgot the + 1" not in out


def test_convolve_valid_without_flip(capsys):
    fails_with(check_convolve_valid, conv1d, "cross-correlation", capsys, may_raise=False)


def test_convolve_valid_with_np_convolve_scores_zero(capsys):
    fails_with(check_convolve_valid, lambda x, k: np.convolve(x, k, "valid"), FORBIDDEN, capsys)


def test_conv1d_torch_keeps_batch_axes(capsys):
    def batched(x, k, stride=1):
        xt = torch.tensor(x, dtype=torch.float32).reshape(1, 1, -1)
        kt = torch.tensor(k, dtype=torch.float32).reshape(1, 1, -1)
        return torch.nn.functional.conv1d(xt, kt, stride=stride).numpy()
    fails_with(check_conv1d_torch, batched, "[0, 0]", capsys, may_raise=False)


def test_conv1d_torch_returns_tensor(capsys):
    fails_with(check_conv1d_torch, lambda x, k, stride=1: torch.tensor(conv1d(x, k, stride)),
               "torch tensor", capsys)


def test_conv1d_torch_keeps_the_inputs_dtype(capsys):
    def float64(x, k, stride=1):
        xt = torch.tensor(x, dtype=torch.float64).reshape(1, 1, -1)
        kt = torch.tensor(k, dtype=torch.float64).reshape(1, 1, -1)
        return torch.nn.functional.conv1d(xt, kt, stride=stride)[0, 0].numpy()
    out = fails_with(check_conv1d_torch, float64, "whatever the dtype of the inputs", capsys)
    assert out.count("whatever the dtype of the inputs") == 6  # every case but the float32 one
