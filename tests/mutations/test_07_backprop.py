"""Notebook 07 (backpropagation): wrong answers as students write them fail with the right
diagnosis; correct answers written differently pass."""
from course.checks.backprop import (check_avg_pool2d_backward, check_conv2d_backward,
                                    check_conv2d_backward_loops, check_max_pool2d_backward,
                                    check_numerical_gradient)

from .harness import Right, Wrong, edit, suite

# The notebook's forward pass (section 1), which the answers may use.
FORWARD = '''
def _pair(v):
    return (v, v) if np.isscalar(v) else tuple(v)


def im2col(input, kernel_size, stride=1, padding=0, dilation=1):
    (h, w), (sh, sw), (ph, pw), (dh, dw) = map(_pair, (kernel_size, stride, padding, dilation))
    N, C = input.shape[:2]
    x = np.pad(input, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or pw else input
    win = sliding_window_view(x, ((h - 1) * dh + 1, (w - 1) * dw + 1), axis=(2, 3))
    win = win[:, :, ::sh, ::sw, ::dh, ::dw]
    Ho, Wo = win.shape[2:4]
    return win.transpose(1, 4, 5, 0, 2, 3).reshape(C * h * w, N * Ho * Wo)


def max_pool2d(input, kernel_size, stride=None):
    (h, w), (sh, sw) = _pair(kernel_size), _pair(kernel_size if stride is None else stride)
    Ho, Wo = (input.shape[2] - h) // sh + 1, (input.shape[3] - w) // sw + 1
    out = input[:, :, :sh * (Ho - 1) + 1:sh, :sw * (Wo - 1) + 1:sw].copy()
    for a in range(h):
        for b in range(w):
            np.maximum(out, input[:, :, a:a + sh * (Ho - 1) + 1:sh, b:b + sw * (Wo - 1) + 1:sw],
                       out=out)
    return out
'''


GRADIENT = '''
def numerical_gradient(f, x, eps=1e-6):
    x = x.astype(np.float64)
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
'''
UP_DOWN = "grad[i] = (up - down) / (2 * eps)"
GRADIENT_WRONG = [
    Wrong("forward difference", edit(GRADIENT, (UP_DOWN, "grad[i] = (up - f(x)) / eps")),
          says="forward difference"),
    Wrong("backward difference", edit(GRADIENT, (UP_DOWN, "grad[i] = (f(x) - down) / eps")),
          says="backward difference"),
    Wrong("divided by eps", edit(GRADIENT, (UP_DOWN, "grad[i] = (up - down) / eps")),
          says="divides by 2·eps"),
    Wrong("/ 2 * eps", edit(GRADIENT, (UP_DOWN, "grad[i] = (up - down) / 2 * eps")),
          says="multiplies by eps"),
    Wrong("x[i] never put back", '''
def numerical_gradient(f, x, eps=1e-6):
    x = x.astype(np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(*x.shape):
        x[i] += eps
        up = f(x)
        x[i] -= 2 * eps
        grad[i] = (up - f(x)) / (2 * eps)
    return grad
''', says="not put back"),
    Wrong("eps hard-coded", edit(GRADIENT, ("x = x.astype(np.float64)",
                                            "x = x.astype(np.float64)\n    eps = 1e-6")),
          says="the eps argument is ignored"),
    Wrong("an integer x stays an integer array", edit(GRADIENT, (
        "x = x.astype(np.float64)\n    grad = np.zeros_like(x)",
        "x = x.copy()\n    grad = np.zeros(x.shape)")), says="x is an integer array"),
    Wrong("an integer x and an integer gradient", edit(GRADIENT, (
        "x = x.astype(np.float64)", "x = x.copy()")), says="x is an integer array"),
    Wrong("works on the caller's array", '''
def numerical_gradient(f, x, eps=1e-6):
    grad = np.zeros(x.shape)
    for i in np.ndindex(*x.shape):
        x[i] += eps
        up = f(x)
        x[i] -= 2 * eps
        down = f(x)
        x[i] += eps
        grad[i] = (up - down) / (2 * eps)
    return grad
''', says="modified its input `x` in place"),
    Wrong("scipy's approx_fprime", '''
def numerical_gradient(f, x, eps=1e-6):
    from scipy.optimize import approx_fprime
    flat = approx_fprime(x.ravel().astype(float), lambda v: f(v.reshape(x.shape)), eps)
    return flat.reshape(x.shape)
''', says="would score 0 when graded"),
]

LOOPS = FORWARD + '''
def conv2d_backward_loops(grad_output, input, weight, stride=1, padding=0, dilation=1):
    (sh, sw), (ph, pw), (dh, dw) = map(_pair, (stride, padding, dilation))
    N, C, H, W = input.shape
    Fk, _, h, w = weight.shape
    _, _, Ho, Wo = grad_output.shape
    x = np.pad(input, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    gx = np.zeros_like(x)
    gw = np.zeros_like(weight)
    for n in range(N):
        for f in range(Fk):
            for i in range(Ho):
                for j in range(Wo):
                    rows = slice(i * sh, i * sh + dh * (h - 1) + 1, dh)
                    cols = slice(j * sw, j * sw + dw * (w - 1) + 1, dw)
                    g = grad_output[n, f, i, j]
                    gw[f] += g * x[n, :, rows, cols]
                    gx[n, :, rows, cols] += g * weight[f]
    gb = grad_output.sum(axis=(0, 2, 3))
    return gx[:, :, ph:ph + H, pw:pw + W], gw, gb
'''
CROP = "return gx[:, :, ph:ph + H, pw:pw + W], gw, gb"
ROWS = "rows = slice(i * sh, i * sh + dh * (h - 1) + 1, dh)"
COLS = "cols = slice(j * sw, j * sw + dw * (w - 1) + 1, dw)"
LOOPS_WRONG = [
    Wrong("grad_input assigned in the loops", edit(LOOPS, (
        "gx[n, :, rows, cols] += g * weight[f]", "gx[n, :, rows, cols] = g * weight[f]")),
        says="and by every kernel, gets the sum"),
    Wrong("grad_weight assigned in the loops", edit(LOOPS, (
        "gw[f] += g * x[n, :, rows, cols]", "gw[f] = g * x[n, :, rows, cols]")),
        says="holds the last window's contribution only"),
    Wrong("grad_weight restarted for every image", edit(LOOPS, (
        "    for n in range(N):\n", "    for n in range(N):\n        gw = np.zeros_like(weight)\n")),
        says="the last image's only"),
    Wrong("padded gradient not cropped", edit(LOOPS, (CROP, "return gx, gw, gb")),
          says="gradient of the PADDED input"),
    Wrong("cropped with [p:-p]", edit(LOOPS, (CROP, "return gx[:, :, ph:-ph, pw:-pw], gw, gb")),
          says="the crop [p:-p] is empty"),
    Wrong("stride ignored in the windows", edit(LOOPS, (
        ROWS, "rows = slice(i, i + dh * (h - 1) + 1, dh)"), (
        COLS, "cols = slice(j, j + dw * (w - 1) + 1, dw)")), says="the stride is ignored"),
    Wrong("dilation ignored in the windows", edit(LOOPS, (
        ROWS, "rows = slice(i * sh, i * sh + h)"), (COLS, "cols = slice(j * sw, j * sw + w)")),
        says="the dilation is ignored"),
    Wrong("kernel flipped for grad_input", edit(LOOPS, (
        "gx[n, :, rows, cols] += g * weight[f]",
        "gx[n, :, rows, cols] += g * weight[f, :, ::-1, ::-1]")),
        says="the kernel must be flipped"),
    Wrong("grad_bias summed over the positions only", edit(LOOPS, (
        "gb = grad_output.sum(axis=(0, 2, 3))", "gb = grad_output.sum(axis=(2, 3))")),
        says="but not over the batch"),
    Wrong("grad_bias as a mean", edit(LOOPS, (
        "gb = grad_output.sum(axis=(0, 2, 3))", "gb = grad_output.mean(axis=(0, 2, 3))")),
        says="grad_bias is a mean"),
    Wrong("float64 gradient for float32 inputs", edit(LOOPS, (
        "gx = np.zeros_like(x)", "gx = np.zeros(x.shape)")),
        says="the dtype is float64, expected float32"),
    Wrong("two gradients returned", edit(LOOPS, (CROP, "return gx[:, :, ph:ph + H, pw:pw + W], gw")),
          says="expected a tuple of values (at least 3)"),
    Wrong("torch's autograd", '''
def conv2d_backward_loops(grad_output, input, weight, stride=1, padding=0, dilation=1):
    x = torch.tensor(input, requires_grad=True)
    w = torch.tensor(weight, requires_grad=True)
    F.conv2d(x, w, stride=stride, padding=padding, dilation=dilation).backward(
        torch.tensor(grad_output))
    return x.grad.numpy(), w.grad.numpy(), grad_output.sum(axis=(0, 2, 3))
''', says="would score 0 when graded"),
]

VECTORISED = FORWARD + '''
def conv2d_backward(grad_output, input, weight, stride=1, padding=0, dilation=1):
    (sh, sw), (ph, pw), (dh, dw) = map(_pair, (stride, padding, dilation))
    N, C, H, W = input.shape
    Fk, _, h, w = weight.shape
    _, _, Ho, Wo = grad_output.shape
    g = grad_output.transpose(1, 0, 2, 3).reshape(Fk, N * Ho * Wo)
    grad_weight = (im2col(input, (h, w), stride, padding, dilation) @ g.T).T.reshape(weight.shape)
    grad_bias = grad_output.sum(axis=(0, 2, 3))
    dcols = (weight.reshape(Fk, -1).T @ g).reshape(C, h, w, N, Ho, Wo)
    gx = np.zeros((C, N, H + 2 * ph, W + 2 * pw), dtype=dcols.dtype)
    for a in range(h):
        for b in range(w):
            gx[:, :, a * dh:a * dh + sh * (Ho - 1) + 1:sh,
               b * dw:b * dw + sw * (Wo - 1) + 1:sw] += dcols[:, a, b]
    return gx[:, :, ph:ph + H, pw:pw + W].transpose(1, 0, 2, 3), grad_weight, grad_bias
'''
COL2IM = '''            gx[:, :, a * dh:a * dh + sh * (Ho - 1) + 1:sh,
               b * dw:b * dw + sw * (Wo - 1) + 1:sw] += dcols[:, a, b]'''
VEC_CROP = "return gx[:, :, ph:ph + H, pw:pw + W].transpose(1, 0, 2, 3), grad_weight, grad_bias"
VECTORISED_WRONG = [
    Wrong("col2im assigns", edit(VECTORISED, (COL2IM, COL2IM.replace("+=", "="))),
          says="where windows overlap the gradients must be ADDED"),
    Wrong("grad_output reshaped without moving F first", edit(VECTORISED, (
        "g = grad_output.transpose(1, 0, 2, 3).reshape(Fk, N * Ho * Wo)",
        "g = grad_output.reshape(Fk, N * Ho * Wo)")), says="mixes images and kernels"),
    Wrong("grad_weight not transposed before the reshape", edit(VECTORISED, (
        "@ g.T).T.reshape(weight.shape)", "@ g.T).reshape(weight.shape)")),
        says="transpose it to (F, C·h·w)"),
    Wrong("padded gradient not cropped", edit(VECTORISED, (
        VEC_CROP, "return gx.transpose(1, 0, 2, 3), grad_weight, grad_bias")),
        says="gradient of the PADDED input"),
    Wrong("crop stops short", edit(VECTORISED, (
        VEC_CROP, "return gx[:, :, ph:H, pw:W].transpose(1, 0, 2, 3), grad_weight, grad_bias")),
        says="stops short"),
    Wrong("dilation ignored in col2im", edit(VECTORISED, (COL2IM, '''            gx[:, :, a:a + sh * (Ho - 1) + 1:sh,
               b:b + sw * (Wo - 1) + 1:sw] += dcols[:, a, b]''')),
          says="grad_input: the dilation is ignored"),
    Wrong("stride ignored in col2im", edit(VECTORISED, (COL2IM, '''            gx[:, :, a * dh:a * dh + Ho, b * dw:b * dw + Wo] += dcols[:, a, b]''')),
          says="grad_input: the stride is ignored"),
    Wrong("grad_weight averaged over the batch", edit(VECTORISED, (
        "grad_bias = grad_output.sum(axis=(0, 2, 3))",
        "grad_bias = grad_output.sum(axis=(0, 2, 3))\n    grad_weight = grad_weight / N")),
        says="averaged over the batch"),
    Wrong("grad_weight of the first image only", edit(VECTORISED, (
        "grad_weight = (im2col(input, (h, w), stride, padding, dilation) @ g.T).T.reshape(weight.shape)",
        "g1 = grad_output[:1].transpose(1, 0, 2, 3).reshape(Fk, Ho * Wo)\n"
        "    grad_weight = (im2col(input[:1], (h, w), stride, padding, dilation) @ g1.T).T.reshape(weight.shape)")),
        says="the first image's only"),
    Wrong("grad_bias over axes (0, 1)", edit(VECTORISED, (
        "grad_bias = grad_output.sum(axis=(0, 2, 3))", "grad_bias = grad_output.sum(axis=(0, 1))")),
        says="wrong axes (0, 1)"),
    Wrong("kernel flipped for grad_input", edit(VECTORISED, (
        "dcols = (weight.reshape(Fk, -1).T @ g)", "dcols = (weight[:, :, ::-1, ::-1].reshape(Fk, -1).T @ g)")),
        says="the kernel must be flipped"),
    Wrong("torch's autograd in a helper", '''
def conv2d_backward(grad_output, input, weight, stride=1, padding=0, dilation=1):
    return autograd_grads(grad_output, input, weight, stride, padding, dilation)
''', setup='''
def autograd_grads(g, x, w, *settings):
    x, w = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    b = torch.zeros(w.shape[0], dtype=w.dtype, requires_grad=True)
    torch.nn.functional.conv2d(x, w, b, *settings).backward(torch.tensor(g))
    return x.grad.numpy(), w.grad.numpy(), b.grad.numpy()
''', says="would score 0 when graded"),
]

MAX_BACKWARD = FORWARD + '''
def max_pool2d_backward(grad_output, input, kernel_size, stride=None):
    (h, w) = _pair(kernel_size)
    (sh, sw) = _pair(kernel_size if stride is None else stride)
    N, C, Ho, Wo = grad_output.shape
    grad = np.zeros_like(input)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    window = input[n, c, i * sh:i * sh + h, j * sw:j * sw + w]
                    BODY
    return grad
'''
ARGMAX = '''a, b = np.unravel_index(np.argmax(window), window.shape)
                    grad[n, c, i * sh + a, j * sw + b] += grad_output[n, c, i, j]'''


def max_backward(body: str) -> str:
    return MAX_BACKWARD.replace("BODY", body)


MAX_WRONG = [
    Wrong("every tied maximum gets the gradient", max_backward(
        '''grad[n, c, i * sh:i * sh + h, j * sw:j * sw + w] += (window == window.max()) * grad_output[n, c, i, j]'''),
        says="each got the gradient"),
    Wrong("ties go to the last maximum (>=)", max_backward('''best = (0, 0)
                    for a in range(h):
                        for b in range(w):
                            if window[a, b] >= window[best]:
                                best = (a, b)
                    grad[n, c, i * sh + best[0], j * sw + best[1]] += grad_output[n, c, i, j]'''),
          says="went to the last one"),
    Wrong("ties scanned column by column", max_backward('''best = (0, 0)
                    for b in range(w):
                        for a in range(h):
                            if window[a, b] > window[best]:
                                best = (a, b)
                    grad[n, c, i * sh + best[0], j * sw + best[1]] += grad_output[n, c, i, j]'''),
          says="column by column"),
    Wrong("gradient split between ties", max_backward(
        '''mask = window == window.max()
                    grad[n, c, i * sh:i * sh + h, j * sw:j * sw + w] += mask * grad_output[n, c, i, j] / mask.sum()'''),
        says="split the gradient"),
    Wrong("the whole window gets the gradient", max_backward(
        '''grad[n, c, i * sh:i * sh + h, j * sw:j * sw + w] += grad_output[n, c, i, j]'''),
        says="every element of the window"),
    Wrong("average pooling's gradient", max_backward(
        '''grad[n, c, i * sh:i * sh + h, j * sw:j * sw + w] += grad_output[n, c, i, j] / (h * w)'''),
        says="average pooling's gradient"),
    Wrong("assigned where windows overlap", max_backward(ARGMAX.replace("+=", "=")),
          says="gets BOTH their gradients"),
    Wrong("float64 gradient for float32 input", max_backward(ARGMAX).replace(
        "grad = np.zeros_like(input)", "grad = np.zeros(input.shape)"),
        says="the dtype is float64, expected float32"),
    Wrong("stride None taken as 1", max_backward(ARGMAX).replace(
        "(sh, sw) = _pair(kernel_size if stride is None else stride)",
        "(sh, sw) = _pair(stride or 1)"), says="stride=None means stride = kernel_size"),
    Wrong("torch's autograd", '''
def max_pool2d_backward(grad_output, input, kernel_size, stride=None):
    x = torch.tensor(input, requires_grad=True)
    F.max_pool2d(x, kernel_size, stride).backward(torch.tensor(grad_output))
    return x.grad.numpy()
''', says="would score 0 when graded"),
]

AVG_BACKWARD = FORWARD + '''
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
'''
SHARE = "share = grad_output / (h * w)"
AVG_WRONG = [
    Wrong("not divided by the window size", edit(AVG_BACKWARD, (SHARE, "share = grad_output")),
          says="not divided by the window size"),
    Wrong("divided by the window height", edit(AVG_BACKWARD, (SHARE, "share = grad_output / h")),
          says="one side of the window"),
    Wrong("assigned where windows overlap", edit(AVG_BACKWARD, (
        "b:b + sw * (Wo - 1) + 1:sw] += share", "b:b + sw * (Wo - 1) + 1:sw] = share")),
        says="must be ADDED"),
    Wrong("float64 gradient for float32 input", edit(AVG_BACKWARD, (
        "grad = np.zeros_like(input)", "grad = np.zeros(input.shape)")),
        says="the dtype is float64, expected float32"),
    Wrong("offsets without the stride", edit(AVG_BACKWARD, (
        "grad[:, :, a:a + sh * (Ho - 1) + 1:sh, b:b + sw * (Wo - 1) + 1:sw] += share",
        "grad[:, :, a:a + Ho, b:b + Wo] += share")), says="ignore the stride"),
    Wrong("torch's autograd", '''
def avg_pool2d_backward(grad_output, input, kernel_size, stride=None):
    x = torch.tensor(input, requires_grad=True)
    F.avg_pool2d(x, kernel_size, stride).backward(torch.tensor(grad_output))
    return x.grad.numpy()
''', says="would score 0 when graded"),
]

WRONG = {check_numerical_gradient: GRADIENT_WRONG, check_conv2d_backward_loops: LOOPS_WRONG,
         check_conv2d_backward: VECTORISED_WRONG, check_max_pool2d_backward: MAX_WRONG,
         check_avg_pool2d_backward: AVG_WRONG}

RIGHT = {
    check_numerical_gradient: [
        Right("a flat copy and one index", '''
def numerical_gradient(f, x, eps=1e-6):
    flat = np.array(x, dtype=np.float64).ravel()
    grad = np.empty_like(flat)
    for k in range(flat.size):
        keep = flat[k]
        flat[k] = keep + eps
        up = f(flat.reshape(x.shape))
        flat[k] = keep - eps
        down = f(flat.reshape(x.shape))
        flat[k] = keep
        grad[k] = (up - down) / (2 * eps)
    return grad.reshape(x.shape)
'''),
        Right("a fresh copy for every evaluation", '''
def numerical_gradient(f, x, eps=1e-6):
    base = x.astype(np.float64)
    grad = np.zeros(base.shape)
    for i in np.ndindex(base.shape):
        step = np.zeros(base.shape)
        step[i] = eps
        grad[i] = (f(base + step) - f(base - step)) / (2 * eps)
    return grad
'''),
    ],
    check_conv2d_backward_loops: [
        Right("positions outside, einsum inside", FORWARD + '''
def conv2d_backward_loops(grad_output, input, weight, stride=1, padding=0, dilation=1):
    (sh, sw), (ph, pw), (dh, dw) = map(_pair, (stride, padding, dilation))
    N, C, H, W = input.shape
    Fk, _, h, w = weight.shape
    Ho, Wo = grad_output.shape[2:]
    x = np.zeros((N, C, H + 2 * ph, W + 2 * pw), input.dtype)
    x[:, :, ph:ph + H, pw:pw + W] = input
    gx = np.zeros_like(x)
    gw = np.zeros_like(weight)
    for i in range(Ho):
        for j in range(Wo):
            r, c = i * sh, j * sw
            window = x[:, :, r:r + dh * (h - 1) + 1:dh, c:c + dw * (w - 1) + 1:dw]
            g = grad_output[:, :, i, j]
            gw += np.einsum("nf,nchw->fchw", g, window)
            gx[:, :, r:r + dh * (h - 1) + 1:dh, c:c + dw * (w - 1) + 1:dw] += \\
                np.einsum("nf,fchw->nchw", g, weight)
    return gx[:, :, ph:ph + H, pw:pw + W], gw, grad_output.sum(axis=(0, 2, 3))
'''),
        Right("a loop over the kernel taps", FORWARD + '''
def conv2d_backward_loops(grad_output, input, weight, stride=1, padding=0, dilation=1):
    (sh, sw), (ph, pw), (dh, dw) = map(_pair, (stride, padding, dilation))
    N, C, H, W = input.shape
    Fk, _, h, w = weight.shape
    Ho, Wo = grad_output.shape[2:]
    x = np.pad(input, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    gx = np.zeros_like(x)
    gw = np.zeros_like(weight)
    for a in range(h):
        for b in range(w):
            rows = slice(a * dh, a * dh + sh * (Ho - 1) + 1, sh)
            cols = slice(b * dw, b * dw + sw * (Wo - 1) + 1, sw)
            gw[:, :, a, b] = np.einsum("nfij,ncij->fc", grad_output, x[:, :, rows, cols])
            gx[:, :, rows, cols] += np.einsum("nfij,fc->ncij", grad_output, weight[:, :, a, b])
    return gx[:, :, ph:ph + H, pw:pw + W], gw, grad_output.sum(axis=(0, 2, 3))
'''),
    ],
    check_conv2d_backward: [
        Right("np.add.at for col2im", FORWARD + '''
def conv2d_backward(grad_output, input, weight, stride=1, padding=0, dilation=1):
    (sh, sw), (ph, pw), (dh, dw) = map(_pair, (stride, padding, dilation))
    N, C, H, W = input.shape
    Fk, _, h, w = weight.shape
    Ho, Wo = grad_output.shape[2:]
    g = grad_output.transpose(1, 0, 2, 3).reshape(Fk, -1)
    cols = im2col(input, (h, w), stride, padding, dilation)
    grad_weight = (g @ cols.T).reshape(weight.shape)
    dcols = (weight.reshape(Fk, -1).T @ g).reshape(C, h, w, N, Ho, Wo)
    rows = (np.arange(h) * dh)[:, None, None, None] + (np.arange(Ho) * sh)[None, None, :, None]
    colz = (np.arange(w) * dw)[None, :, None, None] + (np.arange(Wo) * sw)[None, None, None, :]
    gx = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dcols.dtype)
    np.add.at(gx, (slice(None), slice(None), rows, colz), dcols.transpose(3, 0, 1, 2, 4, 5))
    return gx[:, :, ph:ph + H, pw:pw + W], grad_weight, grad_output.sum(axis=(0, 2, 3))
'''),
        Right("tensordot per kernel offset, no im2col", FORWARD + '''
def conv2d_backward(grad_output, input, weight, stride=1, padding=0, dilation=1):
    (sh, sw), (ph, pw), (dh, dw) = map(_pair, (stride, padding, dilation))
    N, C, H, W = input.shape
    Fk, _, h, w = weight.shape
    Ho, Wo = grad_output.shape[2:]
    x = np.pad(input, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    gx = np.zeros_like(x)
    gw = np.empty_like(weight)
    for a in range(h):
        for b in range(w):
            part = (slice(None), slice(None), slice(a * dh, a * dh + sh * (Ho - 1) + 1, sh),
                    slice(b * dw, b * dw + sw * (Wo - 1) + 1, sw))
            gw[:, :, a, b] = np.tensordot(grad_output, x[part], axes=([0, 2, 3], [0, 2, 3]))
            gx[part] += np.tensordot(grad_output, weight[:, :, a, b], axes=([1], [0])).transpose(0, 3, 1, 2)
    return gx[:, :, ph:ph + H, pw:pw + W], gw, grad_output.sum(axis=(0, 2, 3))
'''),
    ],
    check_max_pool2d_backward: [
        Right("argmax in loops", max_backward(ARGMAX)),
        Right("sliding_window_view, argmax and np.add.at", FORWARD + '''
def max_pool2d_backward(grad_output, input, kernel_size, stride=None):
    (h, w) = _pair(kernel_size)
    (sh, sw) = _pair(kernel_size if stride is None else stride)
    N, C, Ho, Wo = grad_output.shape
    win = sliding_window_view(input, (h, w), axis=(2, 3))[:, :, ::sh, ::sw][:, :, :Ho, :Wo]
    best = win.reshape(N, C, Ho, Wo, h * w).argmax(axis=-1)        # first maximum
    rows = np.arange(Ho)[:, None] * sh + best // w
    cols = np.arange(Wo)[None, :] * sw + best % w
    grad = np.zeros_like(input)
    n, c = np.meshgrid(np.arange(N), np.arange(C), indexing="ij")
    np.add.at(grad, (n[:, :, None, None], c[:, :, None, None], rows, cols), grad_output)
    return grad
'''),
        Right("the notebook's hint, offsets and a taken mask", FORWARD + '''
def max_pool2d_backward(grad_output, input, kernel_size, stride=None):
    (h, w) = _pair(kernel_size)
    (sh, sw) = _pair(kernel_size if stride is None else stride)
    Ho, Wo = grad_output.shape[2:]
    out = max_pool2d(input, kernel_size, stride)
    grad = np.zeros_like(input)
    taken = np.zeros(out.shape, dtype=bool)
    for a in range(h):
        for b in range(w):
            rows = slice(a, a + sh * (Ho - 1) + 1, sh)
            cols = slice(b, b + sw * (Wo - 1) + 1, sw)
            first = (input[:, :, rows, cols] == out) & ~taken
            taken |= first
            grad[:, :, rows, cols] += np.where(first, grad_output, 0)
    return grad
'''),
    ],
    check_avg_pool2d_backward: [
        Right("loops over the windows", FORWARD + '''
def avg_pool2d_backward(grad_output, input, kernel_size, stride=None):
    (h, w) = _pair(kernel_size)
    (sh, sw) = _pair(kernel_size if stride is None else stride)
    N, C, Ho, Wo = grad_output.shape
    grad = np.zeros_like(input)
    for i in range(Ho):
        for j in range(Wo):
            grad[:, :, i * sh:i * sh + h, j * sw:j * sw + w] += \\
                grad_output[:, :, i:i + 1, j:j + 1] / (h * w)
    return grad
'''),
        Right("np.add.at", FORWARD + '''
def avg_pool2d_backward(grad_output, input, kernel_size, stride=None):
    (h, w) = _pair(kernel_size)
    (sh, sw) = _pair(kernel_size if stride is None else stride)
    N, C, Ho, Wo = grad_output.shape
    rows = (np.arange(Ho) * sh)[:, None, None, None] + np.arange(h)[None, None, :, None]
    cols = (np.arange(Wo) * sw)[None, :, None, None] + np.arange(w)[None, None, None, :]
    grad = np.zeros_like(input)
    share = np.broadcast_to((grad_output / (h * w))[..., None, None], (N, C, Ho, Wo, h, w))
    np.add.at(grad, (slice(None), slice(None), rows, cols), share)
    return grad
'''),
    ],
}

globals().update(suite("07_backprop", WRONG, RIGHT, least_specific=0.85))
