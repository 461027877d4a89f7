"""Notebook 07 checks: right answers pass, each typical mistake gets its diagnosis."""
import numpy as np
import pytest

from course.checks.backprop import (check_avg_pool2d_backward, check_conv2d_backward,
                                    check_conv2d_backward_loops, check_max_pool2d_backward,
                                    check_numerical_gradient)
from checking import fails_with
from reference_vectorised import _pair, im2col, max_pool2d_vec


def numerical_gradient(f, x, eps=1e-6):
    x = x.astype(np.float64)          # a copy: the caller's x is never touched
    grad = np.zeros_like(x)
    for i in np.ndindex(*x.shape):
        old = x[i]
        x[i] = old + eps
        up = f(x)
        x[i] = old - eps
        down = f(x)
        x[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad


def conv2d_backward_loops(grad_output, input, weight, stride=1, padding=0, dilation=1):
    (sh, sw), (ph, pw), (dh, dw) = map(_pair, (stride, padding, dilation))
    N, C, H, W = input.shape
    F, _, h, w = weight.shape
    _, _, Ho, Wo = grad_output.shape
    x = np.pad(input, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    gx = np.zeros_like(x)
    gw = np.zeros_like(weight)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    rows = slice(i * sh, i * sh + dh * (h - 1) + 1, dh)
                    cols = slice(j * sw, j * sw + dw * (w - 1) + 1, dw)
                    g = grad_output[n, f, i, j]
                    gw[f] += g * x[n, :, rows, cols]
                    gx[n, :, rows, cols] += g * weight[f]
    gb = grad_output.sum(axis=(0, 2, 3))
    return gx[:, :, ph:ph + H, pw:pw + W], gw, gb


def conv2d_backward(grad_output, input, weight, stride=1, padding=0, dilation=1):
    (sh, sw), (ph, pw), (dh, dw) = map(_pair, (stride, padding, dilation))
    N, C, H, W = input.shape
    F, _, h, w = weight.shape
    _, _, Ho, Wo = grad_output.shape
    g = grad_output.transpose(1, 0, 2, 3).reshape(F, N * Ho * Wo)        # (F, N·L)
    # (C·h·w, N·L) @ (N·L, F): BLAS runs this orientation much faster than g @ cols.T.
    grad_weight = (im2col(input, (h, w), stride, padding, dilation) @ g.T).T.reshape(
        weight.shape)
    grad_bias = grad_output.sum(axis=(0, 2, 3))
    dcols = (weight.reshape(F, -1).T @ g).reshape(C, h, w, N, Ho, Wo)   # im2col's layout
    # col2im: add every column back where it was read, one kernel offset at a time.
    gx = np.zeros((C, N, H + 2 * ph, W + 2 * pw), dtype=dcols.dtype)
    for a in range(h):
        for b in range(w):
            gx[:, :, a * dh:a * dh + sh * (Ho - 1) + 1:sh,
               b * dw:b * dw + sw * (Wo - 1) + 1:sw] += dcols[:, a, b]
    return gx[:, :, ph:ph + H, pw:pw + W].transpose(1, 0, 2, 3), grad_weight, grad_bias


def max_pool2d_backward(grad_output, input, kernel_size, stride=None):
    (h, w) = _pair(kernel_size)
    (sh, sw) = _pair(kernel_size if stride is None else stride)
    Ho, Wo = grad_output.shape[2:]
    out = max_pool2d_vec(input, kernel_size, stride)
    grad = np.zeros_like(input)
    taken = np.zeros(out.shape, dtype=bool)    # the first maximum of a window takes it all
    for a in range(h):
        for b in range(w):
            view = input[:, :, a:a + sh * (Ho - 1) + 1:sh, b:b + sw * (Wo - 1) + 1:sw]
            first = (view == out) & ~taken
            taken |= first
            grad[:, :, a:a + sh * (Ho - 1) + 1:sh, b:b + sw * (Wo - 1) + 1:sw] += \
                np.where(first, grad_output, 0)
    return grad


def avg_pool2d_backward(grad_output, input, kernel_size, stride=None):
    (h, w) = _pair(kernel_size)
    (sh, sw) = _pair(kernel_size if stride is None else stride)
    Ho, Wo = grad_output.shape[2:]
    grad = np.zeros_like(input)
    share = grad_output / (h * w)
    for a in range(h):
        for b in range(w):
            grad[:, :, a:a + sh * (Ho - 1) + 1:sh, b:b + sw * (Wo - 1) + 1:sw] += share
    return grad


@pytest.mark.parametrize("seed", [0, 2026])
def test_right_answers_pass_visible_and_hidden(seed, capsys, monkeypatch):
    monkeypatch.setenv("COURSE_HIDDEN_SEED", str(seed))
    for hidden in (False, True):
        check_numerical_gradient(numerical_gradient, hidden=hidden)
        check_conv2d_backward_loops(conv2d_backward_loops, hidden=hidden)
        check_conv2d_backward(conv2d_backward, hidden=hidden)
        check_max_pool2d_backward(max_pool2d_backward, hidden=hidden)
        check_avg_pool2d_backward(avg_pool2d_backward, hidden=hidden)
    out = capsys.readouterr().out
    assert "✗" not in out and out.count("✓") == 10, out


def test_forward_difference(capsys):
    def forward(f, x, eps=1e-6):
        x = x.astype(np.float64)
        g = np.zeros_like(x)
        for i in np.ndindex(*x.shape):
            old = x[i]
            base = f(x)
            x[i] = old + eps
            g[i] = (f(x) - base) / eps
            x[i] = old
        return g
    fails_with(check_numerical_gradient, forward, "forward difference", capsys)


def test_central_difference_not_halved(capsys):
    fails_with(check_numerical_gradient, lambda f, x, eps=1e-6: 2 * numerical_gradient(f, x, eps),
               "divides by 2·eps", capsys)


def test_x_not_restored(capsys):
    def sloppy(f, x, eps=1e-6):
        x = x.astype(np.float64)
        g = np.zeros_like(x)
        for i in np.ndindex(*x.shape):
            x[i] += eps
            up = f(x)
            x[i] -= 2 * eps
            g[i] = (up - f(x)) / (2 * eps)
        return g
    fails_with(check_numerical_gradient, sloppy, "not put back", capsys)


def test_perturbs_callers_array(capsys):
    def in_place(f, x, eps=1e-6):
        g = numerical_gradient(f, x, eps)
        x += 1
        return g
    fails_with(check_numerical_gradient, in_place, "modified its input `x` in place", capsys)


def _with(part, fn):
    """conv2d_backward with one of its three gradients replaced by fn(args, right_grads)."""
    def wrong(grad_output, input, weight, stride=1, padding=0, dilation=1):
        grads = list(conv2d_backward(grad_output, input, weight, stride, padding, dilation))
        grads[part] = fn(grad_output, input, weight, stride, padding, dilation, grads)
        return tuple(grads)
    return wrong


def _last_image(g, x, w, s, p, d, grads):
    return conv2d_backward(g[-1:], x[-1:], w, s, p, d)[1]


@pytest.mark.parametrize("part, fn, words", [
    (1, _last_image, "last image's only"),
    (1, lambda g, x, w, s, p, d, gr: conv2d_backward(g[:1], x[:1], w, s, p, d)[1],
     "first image's only"),
    (1, lambda g, x, w, s, p, d, gr: gr[1] / len(x), "averaged over the batch"),
    (2, lambda g, *a: g.sum(axis=(2, 3)), "but not over the batch"),
    (2, lambda g, *a: g.sum(axis=0), "over the batch only"),
    (2, lambda g, *a: g.sum(axis=(0, 1)), "wrong axes (0, 1)"),
    (2, lambda g, *a: g.mean(axis=(0, 2, 3)), "is a mean"),
    (0, lambda g, x, w, s, p, d, gr: conv2d_backward(g, x, w[:, :, ::-1, ::-1], s, p, d)[0],
     "kernel must be flipped"),
])
def test_conv_backward_mistakes(part, fn, words, capsys):
    fails_with(check_conv2d_backward, _with(part, fn), words, capsys)


def test_conv_backward_uncropped_padding(capsys):
    def uncropped(g, x, w, s, p, d, grads):
        ph, pw = _pair(p)
        xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
        return conv2d_backward(g, xp, w, s, 0, d)[0]
    fails_with(check_conv2d_backward, _with(0, uncropped), "PADDED input", capsys)


def test_conv_backward_assigns_overlaps(capsys):
    def assigned(g, x, w, s, p, d, grads):
        (sh, sw), (ph, pw), (dh, dw) = map(_pair, (s, p, d))
        N, C, H, W = x.shape
        F, _, h, kw = w.shape
        Ho, Wo = g.shape[2:]
        dcols = np.einsum("nfij,fcab->ncabij", g, w)
        gx = np.zeros((N, C, H + 2 * ph, W + 2 * pw), g.dtype)
        for a in range(h):
            for b in range(kw):
                gx[:, :, a * dh:a * dh + sh * (Ho - 1) + 1:sh,
                   b * dw:b * dw + sw * (Wo - 1) + 1:sw] = dcols[:, :, a, b]
        return gx[:, :, ph:ph + H, pw:pw + W]
    fails_with(check_conv2d_backward, _with(0, assigned), "ADDED", capsys)


def test_conv_backward_returns_one_array(capsys):
    fails_with(check_conv2d_backward, lambda *a, **k: conv2d_backward(*a, **k)[0],
               "expected a tuple of values", capsys)


def test_conv_backward_loops_shares_the_diagnoses(capsys):
    fails_with(check_conv2d_backward_loops, _with(1, _last_image), "last image's only", capsys)


def _spread(grad_output, input, kernel_size, stride=None, divide=False):
    h, w = _pair(kernel_size)
    out = avg_pool2d_backward(grad_output, input, kernel_size, stride)
    return out if divide else out * (h * w)


def test_max_pool_gradient_to_every_element(capsys):
    fails_with(check_max_pool2d_backward, _spread, "every element of the window", capsys)


def test_max_pool_gradient_is_avg_pool_gradient(capsys):
    fails_with(check_max_pool2d_backward, avg_pool2d_backward, "average pooling's gradient",
               capsys)


def test_max_pool_overlaps_assigned(capsys):
    def assigned(grad_output, input, kernel_size, stride=None):
        (h, w), (sh, sw) = _pair(kernel_size), _pair(stride or kernel_size)
        N, C, Ho, Wo = grad_output.shape
        grad = np.zeros_like(input)
        for n, c, i, j in np.ndindex(N, C, Ho, Wo):
            window = input[n, c, i * sh:i * sh + h, j * sw:j * sw + w]
            a, b = np.unravel_index(np.argmax(window), window.shape)
            grad[n, c, i * sh + a, j * sw + b] = grad_output[n, c, i, j]
        return grad
    fails_with(check_max_pool2d_backward, assigned, "BOTH their gradients", capsys)


def test_avg_pool_not_divided(capsys):
    fails_with(check_avg_pool2d_backward, _spread, "not divided by the window size", capsys)


def test_avg_pool_overlaps_assigned(capsys):
    def assigned(grad_output, input, kernel_size, stride=None):
        (h, w), (sh, sw) = _pair(kernel_size), _pair(stride or kernel_size)
        Ho, Wo = grad_output.shape[2:]
        grad = np.zeros_like(input)
        for a in range(h):
            for b in range(w):
                grad[:, :, a:a + sh * (Ho - 1) + 1:sh, b:b + sw * (Wo - 1) + 1:sw] = \
                    grad_output / (h * w)
        return grad
    fails_with(check_avg_pool2d_backward, assigned, "ADDED", capsys)
