"""The French edition of the checks of notebooks 00-07: wrong answers get their diagnosis in
French, and every message of these modules has a complete French translation in course.po."""
from __future__ import annotations


import numpy as np
import pytest

from course.checks import CheckFailed
from course.checks.backprop import check_numerical_gradient
from course.checks.conv1d import check_conv1d, check_conv1d_output_size
from course.checks.conv2d import check_edge_kernel
from course.checks.conv_layer import check_receptive_field_mask
from course.checks.padding_stride_dilation import check_conv2d, check_conv_output_size
from course.checks.pooling import check_max_pool2d
from course.checks.setup import check_dense_params
from course.checks.vectorisation_gpu import check_im2col



# ---------------------------------------------------------------------------------------------
# Wrong answers, as students write them
# ---------------------------------------------------------------------------------------------

def dense_params_added(n_in, n_out, bias=True):
    return n_in + n_out + (n_out if bias else 0)


def conv1d_flipped(x, k):
    w = len(k)
    out = np.zeros(len(x) - w + 1, dtype=np.result_type(x, k, np.float32))
    for i in range(len(out)):
        for j in range(w):
            out[i] += x[i + j] * k[w - 1 - j]
    return out


def size_without_plus_one(W, w, stride):
    return (W - w) // stride


EDGES = {"top": np.array([[-1, -1, -1], [1, 1, 1], [0, 0, 0]])}
EDGES["bottom"] = EDGES["top"][::-1]
EDGES["left"] = EDGES["top"].T
EDGES["right"] = EDGES["left"][:, ::-1]


def edge_kernel_left_right_swapped(direction):
    swap = {"left": "right", "right": "left"}
    return EDGES[swap.get(direction, direction)].copy()


def mask_centred(H, W, h, w, i, j):
    mask = np.zeros((H, W), dtype=bool)
    top, left = i - h // 2, j - w // 2
    mask[max(top, 0):max(top + h, 0), max(left, 0):max(left + w, 0)] = True
    return mask


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def conv2d_stride_pair_swapped(input, weight, bias=None, stride=1, padding=0, dilation=1):
    """Loops that read the stride's pair (a, b) as (width, height)."""
    (sw, sh), (ph, pw), (dh, dw) = pair(stride), pair(padding), pair(dilation)
    x = np.pad(input, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    F, _, h, w = weight.shape
    Ho = (x.shape[2] - dh * (h - 1) - 1) // sh + 1
    Wo = (x.shape[3] - dw * (w - 1) - 1) // sw + 1
    out = np.zeros((x.shape[0], F, Ho, Wo), dtype=np.result_type(input, weight))
    for i in range(Ho):
        for j in range(Wo):
            rows = slice(i * sh, i * sh + dh * (h - 1) + 1, dh)
            window = x[:, :, rows, j * sw:j * sw + dw * (w - 1) + 1:dw]
            out[:, :, i, j] = np.einsum("nchw,fchw->nf", window, weight)
    return out if bias is None else out + bias[None, :, None, None]


def max_pool2d_mean(input, kernel_size, stride=None):
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    stride = (kh, kw) if stride is None else stride
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    N, C, H, W = input.shape
    out = np.zeros((N, C, (H - kh) // sh + 1, (W - kw) // sw + 1))
    for i in range(out.shape[2]):
        for j in range(out.shape[3]):
            out[:, :, i, j] = input[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw].mean(axis=(2, 3))
    return out


def numerical_gradient_forward(f, x, eps=1e-6):
    x = x.astype(np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(*x.shape):
        old = x[i]
        x[i] = old + eps
        up = f(x)
        x[i] = old
        grad[i] = (up - f(x)) / eps
    return grad


# (check, wrong answer, French words of its diagnosis, French words of a case label)
WRONG = {
    "00": (check_dense_params, dense_params_added, "n'additionnez pas", "n_in="),
    "01": (check_conv1d, conv1d_flipped, "votre noyau est retourné", "exemple du cours"),
    "01 size": (check_conv1d_output_size, size_without_plus_one, "vous avez oublié le + 1",
                "stride="),
    "02": (check_edge_kernel, edge_kernel_left_right_swapped,
           "c'est le noyau du bord 'right', pas celui du bord 'left'", "edge_kernel('left')"),
    "03": (check_receptive_field_mask, mask_centred, "vous avez centré la fenêtre",
           "sortie (0, 0)"),
    "04": (check_conv_output_size, lambda size, kernel_size, stride=1, padding=0, dilation=1:
           (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride,
           "une fenêtre de moins", "kernel_size="),
    "04 conv2d": (check_conv2d, conv2d_stride_pair_swapped,
                  "stride=(a, b) : a s'applique aux lignes (H)", "paires (hauteur, largeur)"),
    "05": (check_max_pool2d, max_pool2d_mean, "c'est un average pooling",
           "grille 7x7 int64 du cours"),
    "07": (check_numerical_gradient, numerical_gradient_forward,
           "utilisez la différence centrée", "x de 5 valeurs"),
}


def run(check, answer) -> None:
    """Call the check on a wrong answer: it must fail (and print its diagnosis)."""
    with pytest.raises(CheckFailed):
        check(answer)


@pytest.mark.parametrize("notebook", sorted(WRONG))
def test_wrong_answer_gets_its_diagnosis_in_french(notebook, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_LANG", "fr")
    check, answer, diagnosis, label = WRONG[notebook]
    run(check, answer)
    out = capsys.readouterr().out
    assert diagnosis in out, out
    assert label in out, out
    assert "{" not in out and "}" not in out, out


def test_english_stays_english(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_LANG", "en")
    run(check_conv1d, conv1d_flipped)
    out = capsys.readouterr().out
    assert "your kernel is flipped" in out and "lecture example" in out, out
    assert "noyau" not in out, out


def test_hidden_labels_are_built_in_french(monkeypatch):
    """Labels built with values (hidden cases, images of any size) are whole French templates."""
    monkeypatch.setenv("COURSE_LANG", "fr")
    labels = [c.label for check in (check_conv1d, check_im2col) for c in check.build(7)[1]]
    assert all(label.startswith("aléatoire") for label in labels), labels
    assert not any("{" in label or "random" in label for label in labels), labels
