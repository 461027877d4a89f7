"""Right answers of notebook 06 (im2col, vectorised convolution and pooling), for the tests of
the checks of notebooks 06 and 07."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def _pair(v):
    return (v, v) if np.isscalar(v) else tuple(v)


def im2col(input, kernel_size, stride=1, padding=0, dilation=1):
    (h, w), (sh, sw), (ph, pw), (dh, dw) = map(_pair, (kernel_size, stride, padding, dilation))
    N, C = input.shape[:2]
    x = np.pad(input, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or pw else input
    # Every window of the dilated kernel's extent, as a view: (N, C, ., ., span_h, span_w).
    win = sliding_window_view(x, ((h - 1) * dh + 1, (w - 1) * dw + 1), axis=(2, 3))
    win = win[:, :, ::sh, ::sw, ::dh, ::dw]          # (N, C, H_out, W_out, h, w)
    Ho, Wo = win.shape[2:4]
    # One copy, in the order (C, h, w) x (N, H_out, W_out).
    return win.transpose(1, 4, 5, 0, 2, 3).reshape(C * h * w, N * Ho * Wo)


def conv2d_im2col(input, weight, bias=None, stride=1, padding=0, dilation=1):
    F, C, h, w = weight.shape
    N, _, H, W = input.shape
    (sh, sw), (ph, pw), (dh, dw) = map(_pair, (stride, padding, dilation))
    Ho = (H + 2 * ph - dh * (h - 1) - 1) // sh + 1
    Wo = (W + 2 * pw - dw * (w - 1) - 1) // sw + 1
    out = im2col(input, (h, w), stride, padding, dilation).T @ weight.reshape(F, -1).T
    if bias is not None:
        out += bias
    return out.reshape(N, Ho, Wo, F).transpose(0, 3, 1, 2)


def _windows_by_offset(input, kernel_size, stride):
    (h, w) = _pair(kernel_size)
    (sh, sw) = _pair(kernel_size if stride is None else stride)
    H, W = input.shape[2:]
    Ho, Wo = (H - h) // sh + 1, (W - w) // sw + 1
    for a in range(h):
        for b in range(w):
            yield input[:, :, a:a + sh * (Ho - 1) + 1:sh, b:b + sw * (Wo - 1) + 1:sw]


def max_pool2d_vec(input, kernel_size, stride=None):
    out = None
    for view in _windows_by_offset(input, kernel_size, stride):
        out = view.copy() if out is None else np.maximum(out, view, out=out)
    return out


def avg_pool2d_vec(input, kernel_size, stride=None):
    out = None
    for view in _windows_by_offset(input, kernel_size, stride):
        out = view.copy() if out is None else np.add(out, view, out=out)
    h, w = _pair(kernel_size)
    out /= h * w
    return out
