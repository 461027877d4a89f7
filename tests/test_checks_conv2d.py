"""Notebook 02 checks: right answers pass, each typical 2D mistake gets its diagnosis."""
import numpy as np
import pytest
import torch

from course import reference
from course.checks.conv2d import (check_conv2d, check_conv2d_torch, check_edge_kernel,
                                  check_sobel_magnitude, conv2d_cases)
from course.examples import SOBEL_X, TOP_EDGE, WORKED_K, WORKED_X
from checking import fails_with

FORBIDDEN = "would score 0 when graded"
EDGE_KERNELS = reference.edge_kernels()  # data: an answer may return them, not call reference


def conv2d(X, K):
    (H, W), (h, w) = X.shape, K.shape
    out = np.zeros((H - h + 1, W - w + 1), dtype=np.result_type(X, K, np.float32))
    for i in range(H - h + 1):
        for j in range(W - w + 1):
            out[i, j] = np.sum(X[i:i + h, j:j + w] * K)
    return out


def padded(X, K, ph, pw):
    """conv2d of X framed by ph rows and pw columns of zeros (what a student's np.pad does)."""
    return conv2d(np.pad(X, ((ph, ph), (pw, pw))), K)


def sobel(X, conv=conv2d):
    S = SOBEL_X.astype(X.dtype)
    return np.sqrt(conv(X, S) ** 2 + conv(X, S.T) ** 2)


def conv2d_torch(X, K):
    t = torch.nn.functional.conv2d(torch.tensor(X, dtype=torch.float32)[None, None],
                                   torch.tensor(K, dtype=torch.float32)[None, None])
    return t[0, 0].numpy()


def test_worked_example_by_hand():
    # out[0, 0] = 1*1 + 2*0 + 4*2 + 1*(-1) = 8, as the notebook works out
    assert np.array_equal(reference.corr2d(WORKED_X, WORKED_K), [[8, 5, -2], [2, 2, 4], [2, 0, 5]])
    assert np.array_equal(conv2d(WORKED_X, WORKED_K), reference.corr2d(WORKED_X, WORKED_K))


def test_edge_kernels_respond_positively_to_their_edge():
    square = np.zeros((9, 9))
    square[3:6, 3:6] = 1.0                                  # a bright square on black
    where = {"top": (2, 3), "bottom": (4, 3), "left": (3, 2), "right": (3, 4)}  # output index
    for name, (i, j) in where.items():
        out = conv2d(square, EDGE_KERNELS[name])
        assert out[i, j] == out.max() == 3, name


@pytest.mark.parametrize("seed", [0, 1, 2026])
def test_right_answers_pass_visible_and_hidden(seed, capsys, monkeypatch):
    monkeypatch.setenv("COURSE_HIDDEN_SEED", str(seed))
    for hidden in (False, True):
        check_conv2d(conv2d, hidden=hidden)
        check_edge_kernel(lambda d: EDGE_KERNELS[d].copy(), hidden=hidden)
        check_sobel_magnitude(sobel, hidden=hidden)
        check_conv2d_torch(conv2d_torch, hidden=hidden)
    out = capsys.readouterr().out
    assert "✗" not in out and "all 0 cases" not in out and out.count("✓") == 8, out


def test_hidden_cases_have_other_shapes_and_dtypes():
    visible, hidden = conv2d_cases(2026)
    assert {c.args[0].dtype.name for c in hidden} == {"float32", "float64", "int64", "uint8"}
    assert {c.args[0].dtype.name for c in visible} == {"float32", "float64", "int64", "uint8"}
    assert any(c.args[0].shape[0] != c.args[0].shape[1] for c in hidden)
    assert any(c.args[1].shape[0] != c.args[1].shape[1] for c in visible)


@pytest.mark.parametrize("fn, words", [
    (lambda X, K: conv2d(X, K[::-1, ::-1]), "flipped on both axes"),
    (lambda X, K: conv2d(X, K[::-1, :]), "upside down"),
    (lambda X, K: conv2d(X, K[:, ::-1]), "left to right"),
    (lambda X, K: conv2d(X.T, K.T), "rows and columns are swapped"),
    (lambda X, K: conv2d(X, K.T) if K.shape[1] <= X.shape[0] and K.shape[0] <= X.shape[1]
     else conv2d(X, K), "kernel transposed"),
    (lambda X, K: padded(X, K, K.shape[0] // 2, K.shape[1] // 2), "padded the input with zeros"),
    (lambda X, K: padded(X, K, K.shape[0] - 1, K.shape[1] - 1), "'full'"),
    (lambda X, K: conv2d(np.roll(X, (1, 1), axis=(0, 1)), K), "1-based indices"),
    (lambda X, K: conv2d(X, K)[:-1], "is the last window missing"),
    (lambda X, K: conv2d(X, K)[:, :-1], "is the last window missing"),
    (lambda X, K: conv2d(X, K).astype(np.float64), "dtype is float64"),
    (lambda X, K: conv2d(X, K).astype(np.float32), "lost precision"),
    (lambda X, K: conv2d(X, K).astype(X.dtype), "integer dtype uint8"),
    (lambda X, K: np.cumsum(conv2d(X, K)).reshape(X.shape[0] - K.shape[0] + 1, -1), "not reset"),
])
def test_conv2d_mistakes(fn, words, capsys):
    fails_with(check_conv2d, fn, words, capsys, may_raise=False)


def test_conv2d_zero_padded_top_left(capsys):
    def same_size(X, K):
        out = np.zeros(X.shape, dtype=np.result_type(X, K, np.float32))
        valid = conv2d(X, K)
        out[:valid.shape[0], :valid.shape[1]] = valid
        return out
    fails_with(check_conv2d, same_size, "size of the input", capsys, may_raise=False)


def test_conv2d_returning_a_tensor_uses_torch(capsys):
    fails_with(check_conv2d, lambda X, K: torch.tensor(conv2d(X, K)), FORBIDDEN, capsys)


@pytest.mark.parametrize("fn, words", [
    (lambda d: -EDGE_KERNELS[d], "sign is reversed"),
    (lambda d: -TOP_EDGE if d == "bottom" else EDGE_KERNELS[d], "turn the top kernel upside"),
    (lambda d: -TOP_EDGE.T if d == "right" else EDGE_KERNELS[d], "mirror the left kernel"),
    (lambda d: EDGE_KERNELS[{"left": "right", "right": "left"}.get(d, d)], "right-edge kernel"),
    (lambda d: TOP_EDGE, "that is the top-edge kernel"),
])
def test_edge_kernel_mistakes(fn, words, capsys):
    fails_with(check_edge_kernel, fn, words, capsys, may_raise=False)


def test_edge_kernel_hints_never_speak_of_windows(capsys):
    def corner(d):
        k = EDGE_KERNELS[d].copy()
        k[2, 2] = 5
        return k
    out = fails_with(check_edge_kernel, corner, "values differ", capsys)
    assert "window" not in out


@pytest.mark.parametrize("fn, words", [
    (lambda X: np.abs(conv2d(X, SOBEL_X)) + np.abs(conv2d(X, SOBEL_X.T)), "|gx| + |gy|"),
    (lambda X: sobel(X) ** 2, "square root"),
    (lambda X: np.abs(conv2d(X, SOBEL_X.astype(X.dtype))), "only the horizontal"),
    (lambda X: np.abs(conv2d(X, SOBEL_X.T.astype(X.dtype))), "only the vertical"),
    (lambda X: np.sqrt(2 * conv2d(X, SOBEL_X.astype(X.dtype)) ** 2), "SOBEL_X twice"),
    (lambda X: conv2d(X, SOBEL_X) + conv2d(X, SOBEL_X.T), "cancel out"),
])
def test_sobel_mistakes(fn, words, capsys):
    fails_with(check_sobel_magnitude, fn, words, capsys, may_raise=False)


def test_sobel_ignores_the_flip():
    """A flipped Sobel kernel only changes signs, not the magnitude (the notebook says so)."""
    X = np.random.default_rng(0).random((8, 9))
    assert np.allclose(sobel(X), sobel(X, lambda X, K: conv2d(X, K[::-1, ::-1])))


@pytest.mark.parametrize("fn, words", [
    (lambda X, K: conv2d_torch(X, K)[None, None], "[0, 0]"),
    (lambda X, K: conv2d_torch(X, K)[None], "(1, H', W')"),
    (lambda X, K: conv2d_torch(X, K[::-1, ::-1].copy()), "flipped on both axes"),
    (lambda X, K: torch.tensor(conv2d_torch(X, K)), "torch tensor"),
    (lambda X, K: np.squeeze(conv2d_torch(X, K)[None, None]), ".squeeze() also removed"),
    (lambda X, K: conv2d_torch(X, K).astype(np.float64), "whatever the dtype of the inputs"),
])
def test_conv2d_torch_mistakes(fn, words, capsys):
    fails_with(check_conv2d_torch, fn, words, capsys, may_raise=False)
