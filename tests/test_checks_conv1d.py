"""Notebook 00-01 checks: right answers pass, each typical mistake gets its diagnosis."""
import numpy as np
import pytest
import torch

from course.checks import (check_conv1d, check_conv1d_output_size,
                           check_conv1d_stride, check_conv1d_torch, check_conv_params,
                           check_convolve_valid, check_dense_params, check_flatten_image,
                           check_float32_bytes, oracle)
from checking import fails_with


def conv1d(x, k, stride=1):
    n = (len(x) - len(k)) // stride + 1
    out = np.zeros(n, dtype=np.result_type(x, k, np.float32))
    for j in range(n):
        out[j] = np.dot(x[j * stride:j * stride + len(k)], k)
    return out


def test_oracle_reproduces_the_lecture():
    assert np.array_equal(oracle.conv1d(np.array([1, 2, 3, 4]), np.array([3, 2])), [7, 12, 17])
    x, k = np.array([1, 4, -1, 0, 2, -2, 1, 3, 3, 1]), np.array([1, 2, 0, -1])
    assert np.array_equal(oracle.conv1d(x, k), [9, 0, 1, 3, -5, -3, 6])
    assert np.array_equal(oracle.conv1d(x, k, 2), [9, 1, -5, 6])


@pytest.mark.parametrize("seed", [0, 1, 2026])
def test_right_answers_pass_visible_and_hidden(seed, capsys):
    for hidden in (False, True):
        check_conv1d(conv1d, hidden=hidden, seed=seed)
        check_conv1d_stride(conv1d, hidden=hidden, seed=seed)
        check_conv1d_output_size(lambda W, w, s=1: (W - w) // s + 1, hidden=hidden, seed=seed)
        check_convolve_valid(lambda x, k: conv1d(x, k[::-1]), hidden=hidden, seed=seed)
        check_conv1d_torch(lambda x, k, stride=1: conv1d(x.astype(np.float32),
                                                         k.astype(np.float32), stride),
                           hidden=hidden, seed=seed)
        check_flatten_image(lambda im: im.reshape(-1), hidden=hidden, seed=seed)
        check_dense_params(lambda i, o, bias=True: i * o + o * bias, hidden=hidden, seed=seed)
        check_conv_params(lambda h, w, c, f, bias=True: h * w * c * f + f * bias,
                          hidden=hidden, seed=seed)
        check_float32_bytes(lambda n: 4 * n, hidden=hidden, seed=seed)
    assert "✗" not in capsys.readouterr().out


def test_flipped_kernel(capsys):
    fails_with(check_conv1d, lambda x, k: conv1d(x, k[::-1]), "kernel is flipped", capsys)


def test_np_convolve_is_called_true_convolution(capsys):
    fails_with(check_conv1d, lambda x, k: np.convolve(x, k, "valid"), "true convolution", capsys)


def test_loop_one_short(capsys):
    def short(x, k):
        return conv1d(x, k)[:-1]
    fails_with(check_conv1d, short, "off by one at the border", capsys)


def test_last_value_never_computed(capsys):
    def last_missing(x, k):
        out = conv1d(x, k)
        out[-1] = 0
        return out
    fails_with(check_conv1d, last_missing, "all 0", capsys)


def test_full_mode(capsys):
    fails_with(check_conv1d, lambda x, k: np.convolve(x, k, "full"), "'full'", capsys)


def test_list_output(capsys):
    fails_with(check_conv1d, lambda x, k: list(conv1d(x, k)), "return a NumPy array", capsys)


def test_float64_for_float32_inputs(capsys):
    fails_with(check_conv1d, lambda x, k: conv1d(x, k).astype(np.float64), "dtype is float64",
               capsys)


def test_input_modified_in_place(capsys):
    def destructive(x, k):
        out = conv1d(x, k)
        x[:] = 0
        return out
    fails_with(check_conv1d, destructive, "modified its input `x` in place", capsys)


def test_student_exception_is_a_diagnosis(capsys):
    def crash(x, k):
        return np.array([x[i:i + len(k)] @ k for i in range(len(x))])
    fails_with(check_conv1d, crash, "raised ValueError", capsys)


def test_stride_ignored(capsys):
    fails_with(check_conv1d_stride, lambda x, k, stride=1: conv1d(x, k), "ignored the stride",
               capsys)


def test_stride_applied_to_input_positions(capsys):
    def spread(x, k, stride=1):
        full = conv1d(x, k)
        out = np.zeros_like(full)
        out[::stride] = full[::stride]
        return out
    fails_with(check_conv1d_stride, spread, "wrong places", capsys)


def test_stride_confused_with_dilation(capsys):
    def dilated(x, k, stride=1):
        span = (len(k) - 1) * stride + 1
        return np.array([np.dot(x[i:i + span:stride], k) for i in range(len(x) - span + 1)],
                        dtype=np.result_type(x, k, np.float32))
    fails_with(check_conv1d_stride, dilated, "dilation", capsys)


@pytest.mark.parametrize("fn, words", [
    (lambda W, w, s=1: (W - w) // s, "forgot the + 1"),
    (lambda W, w, s=1: -(-(W - w) // s) + 1, "rounded"),
    (lambda W, w, s=1: W // s, "kernel size is missing"),
    (lambda W, w, s=1: (W - w) / s + 1, "count"),
])
def test_output_size_mistakes(fn, words, capsys):
    fails_with(check_conv1d_output_size, fn, words, capsys)


def test_convolve_valid_without_flip(capsys):
    fails_with(check_convolve_valid, conv1d, "cross-correlation", capsys)


def test_conv1d_torch_keeps_batch_axes(capsys):
    def batched(x, k, stride=1):
        xt = torch.tensor(x, dtype=torch.float32).reshape(1, 1, -1)
        kt = torch.tensor(k, dtype=torch.float32).reshape(1, 1, -1)
        return torch.nn.functional.conv1d(xt, kt, stride=stride).numpy()
    fails_with(check_conv1d_torch, batched, "[0, 0]", capsys)


def test_conv1d_torch_returns_tensor(capsys):
    fails_with(check_conv1d_torch, lambda x, k, stride=1: torch.tensor(conv1d(x, k, stride)),
               "torch tensor", capsys)


@pytest.mark.parametrize("check, fn, words", [
    (check_dense_params, lambda i, o, bias=True: i * o, "bias adds one parameter"),
    (check_dense_params, lambda i, o, bias=True: i + o + o * bias, "multiply, don't add"),
    (check_conv_params, lambda h, w, c, f, bias=True: h * w * f + f * bias,
     "spans all input channels"),
    (check_conv_params, lambda h, w, c, f, bias=True: h * w * c + bias, "one per output channel"),
    (check_float32_bytes, lambda n: 32 * n, "4 bytes"),
    (check_float32_bytes, lambda n: 8 * n, "float64"),
    (check_flatten_image, lambda im: im.transpose(2, 0, 1).reshape(-1), "channel-first"),
    (check_flatten_image, lambda im: im.reshape(im.shape[0], -1), "still 2D"),
])
def test_notebook00_mistakes(check, fn, words, capsys):
    fails_with(check, fn, words, capsys)
