"""Notebook 06 (vectorisation): wrong answers as students write them fail with the right
diagnosis; correct answers written differently pass."""
from course.checks.vectorisation_gpu import (check_avg_pool2d_vec,
                                             check_conv2d_im2col, check_im2col,
                                             check_max_pool2d_vec)

from .harness import Right, Wrong, edit, suite

# The notebook defines `_pair` in the cell of its loop convolution, before the exercises.
PAIR = '''
def _pair(v):
    return (v, v) if np.isscalar(v) else tuple(v)
'''

IM2COL = PAIR + '''
def im2col(input, kernel_size, stride=1, padding=0, dilation=1):
    (h, w), (sh, sw), (ph, pw), (dh, dw) = map(_pair, (kernel_size, stride, padding, dilation))
    N, C = input.shape[:2]
    x = np.pad(input, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or pw else input
    win = sliding_window_view(x, ((h - 1) * dh + 1, (w - 1) * dw + 1), axis=(2, 3))
    win = win[:, :, ::sh, ::sw, ::dh, ::dw]
    Ho, Wo = win.shape[2:4]
    return win.transpose(1, 4, 5, 0, 2, 3).reshape(C * h * w, N * Ho * Wo)
'''

CONV = IM2COL + '''
def conv2d_im2col(input, weight, bias=None, stride=1, padding=0, dilation=1):
    Fk, C, h, w = weight.shape
    N, _, H, W = input.shape
    (sh, sw), (ph, pw), (dh, dw) = map(_pair, (stride, padding, dilation))
    Ho = (H + 2 * ph - dh * (h - 1) - 1) // sh + 1
    Wo = (W + 2 * pw - dw * (w - 1) - 1) // sw + 1
    cols = im2col(input, (h, w), stride, padding, dilation)
    out = weight.reshape(Fk, -1) @ cols
    if bias is not None:
        out = out + bias[:, None]
    return out.reshape(Fk, N, Ho, Wo).transpose(1, 0, 2, 3)
'''

POOL = PAIR + '''
def POOL(input, kernel_size, stride=None):
    (h, w) = _pair(kernel_size)
    (sh, sw) = _pair(kernel_size if stride is None else stride)
    N, C, H, W = input.shape
    Ho, Wo = (H - h) // sh + 1, (W - w) // sw + 1
    out = input[:, :, :sh * (Ho - 1) + 1:sh, :sw * (Wo - 1) + 1:sw].copy()
    for a in range(h):
        for b in range(w):
            view = input[:, :, a:a + sh * (Ho - 1) + 1:sh, b:b + sw * (Wo - 1) + 1:sw]
            COMBINE
    return FINISH
'''
MAX = POOL.replace("POOL", "max_pool2d_vec").replace("COMBINE", "np.maximum(out, view, out=out)")\
    .replace("FINISH", "out")
AVG = POOL.replace("POOL", "avg_pool2d_vec").replace(
    "COMBINE", "if a or b:\n                out += view").replace("FINISH", "out / (h * w)")


def im2col(*changes: tuple[str, str]) -> str:
    return edit(IM2COL, *changes)


ORDER = "win.transpose(1, 4, 5, 0, 2, 3)"
IM2COL_WRONG = [
    Wrong("rows in the order (row, column, channel)", im2col((ORDER, "win.transpose(4, 5, 1, 0, 2, 3)")),
          says="rows in the order (kernel row, kernel column, channel)"),
    Wrong("image index last in the columns", im2col((ORDER, "win.transpose(1, 4, 5, 2, 3, 0)")),
          says="image index last"),
    Wrong("columns column by column", im2col((ORDER, "win.transpose(1, 4, 5, 0, 3, 2)")),
          says="column by column"),
    Wrong("one matrix per image, as F.unfold", im2col((
        "return win.transpose(1, 4, 5, 0, 2, 3).reshape(C * h * w, N * Ho * Wo)",
        "return win.transpose(0, 1, 4, 5, 2, 3).reshape(N, C * h * w, Ho * Wo)")),
        says="as F.unfold does"),
    Wrong("one row per output position", im2col((
        "return win.transpose(1, 4, 5, 0, 2, 3).reshape(C * h * w, N * Ho * Wo)",
        "return win.transpose(0, 2, 3, 1, 4, 5).reshape(N * Ho * Wo, C * h * w)")),
        says="rows and columns swapped"),
    Wrong("stride ignored", im2col(("win = win[:, :, ::sh, ::sw, ::dh, ::dw]",
                                    "win = win[:, :, :, :, ::dh, ::dw]")),
          says="the stride is ignored"),
    Wrong("padding ignored", im2col((
        "x = np.pad(input, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or pw else input",
        "x = input")), says="the padding is ignored"),
    Wrong("dilation ignored", im2col((
        "win = sliding_window_view(x, ((h - 1) * dh + 1, (w - 1) * dw + 1), axis=(2, 3))",
        "win = sliding_window_view(x, (h, w), axis=(2, 3))"), (
        "win = win[:, :, ::sh, ::sw, ::dh, ::dw]", "win = win[:, :, ::sh, ::sw]")),
        says="the dilation is ignored"),
    Wrong("np.pad on every axis", im2col((
        "x = np.pad(input, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or pw else input",
        "x = np.pad(input, ph) if ph else input"))),
    Wrong("stride applied twice", im2col(("win = win[:, :, ::sh, ::sw, ::dh, ::dw]",
                                          "win = win[:, :, ::sh, ::sw, ::dh, ::dw][:, :, ::sh, ::sw]"))),
    Wrong("torch's F.unfold", PAIR + '''
def im2col(input, kernel_size, stride=1, padding=0, dilation=1):
    u = F.unfold(torch.from_numpy(input), kernel_size, dilation, padding, stride).numpy()
    return u.transpose(1, 0, 2).reshape(u.shape[1], -1)
''', says="would score 0 when graded"),
]


def conv(*changes: tuple[str, str]) -> str:
    return edit(CONV, *changes)


CONV_WRONG = [
    Wrong("weight flattened as (row, column, channel)", conv((
        "out = weight.reshape(Fk, -1) @ cols", "out = weight.transpose(0, 2, 3, 1).reshape(Fk, -1) @ cols")),
        says="not flattened in the same order"),
    Wrong("reshaped straight to (N, F, H_out, W_out)", conv((
        "return out.reshape(Fk, N, Ho, Wo).transpose(1, 0, 2, 3)", "return out.reshape(N, Fk, Ho, Wo)")),
        says="mixes images and kernels"),
    Wrong("batch axis left second", conv((
        "return out.reshape(Fk, N, Ho, Wo).transpose(1, 0, 2, 3)", "return out.reshape(Fk, N, Ho, Wo)")),
        says="the batch axis must come first"),
    Wrong("kernel flipped", conv(("out = weight.reshape(Fk, -1) @ cols",
                                  "out = weight[:, :, ::-1, ::-1].reshape(Fk, -1) @ cols")),
          says="your kernel is flipped"),
    Wrong("bias forgotten", conv(("out = out + bias[:, None]", "pass")), says="the bias is missing"),
    Wrong("stride, padding, dilation forgotten", conv((
        "cols = im2col(input, (h, w), stride, padding, dilation)", "cols = im2col(input, (h, w))"), (
        "(sh, sw), (ph, pw), (dh, dw) = map(_pair, (stride, padding, dilation))",
        "(sh, sw), (ph, pw), (dh, dw) = (1, 1), (0, 0), (1, 1)")),
        says="not passed on to im2col"),
    Wrong("stride, padding, dilation not passed to im2col", conv((
        "cols = im2col(input, (h, w), stride, padding, dilation)", "cols = im2col(input, (h, w))"))),
    Wrong("stride forgotten", conv((
        "cols = im2col(input, (h, w), stride, padding, dilation)",
        "cols = im2col(input, (h, w), padding=padding, dilation=dilation)"), (
        "(sh, sw), (ph, pw), (dh, dw) = map(_pair, (stride, padding, dilation))",
        "(sh, sw), (ph, pw), (dh, dw) = (1, 1), _pair(padding), _pair(dilation)")),
        says="the stride is ignored"),
    Wrong("dilation forgotten", conv((
        "cols = im2col(input, (h, w), stride, padding, dilation)",
        "cols = im2col(input, (h, w), stride, padding)"), (
        "(sh, sw), (ph, pw), (dh, dw) = map(_pair, (stride, padding, dilation))",
        "(sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), (1, 1)")),
        says="the dilation is ignored"),
    Wrong("float64 columns for float32 inputs", conv((
        "cols = im2col(input, (h, w), stride, padding, dilation)",
        "cols = im2col(input, (h, w), stride, padding, dilation).astype(np.float64)")),
        says="the dtype is float64, expected float32"),
    Wrong("torch's F.conv2d", '''
def conv2d_im2col(input, weight, bias=None, stride=1, padding=0, dilation=1):
    b = None if bias is None else torch.from_numpy(bias)
    return F.conv2d(torch.from_numpy(input), torch.from_numpy(weight), b, stride, padding,
                    dilation).numpy()
''', says="would score 0 when graded"),
    Wrong("a helper in another cell uses torch", CONV + '''
def conv2d_im2col(input, weight, bias=None, stride=1, padding=0, dilation=1):
    return fast_conv(input, weight, bias, stride, padding, dilation)
''', setup='''
def fast_conv(*args):
    x, w, b = (None if a is None else torch.as_tensor(a) for a in args[:3])
    return torch.conv2d(x, w, b, *args[3:]).numpy()
''', says="would score 0 when graded"),
]


def pool(source: str, *changes: tuple[str, str]) -> str:
    return edit(source, *changes)


STRIDE_LINE = "(sh, sw) = _pair(kernel_size if stride is None else stride)"
OFFSET_VIEW = "view = input[:, :, a:a + sh * (Ho - 1) + 1:sh, b:b + sw * (Wo - 1) + 1:sw]"
MAX_WRONG = [
    Wrong("mean instead of max", pool(AVG, ("def avg_pool2d_vec", "def max_pool2d_vec")),
          says="this is avg pooling"),
    Wrong("stride None taken as 1", pool(MAX, (STRIDE_LINE, "(sh, sw) = _pair(stride or 1)")),
          says="stride=None means stride = kernel_size"),
    Wrong("given stride ignored", pool(MAX, (STRIDE_LINE, "(sh, sw) = (h, w)")),
          says="the stride is ignored"),
    Wrong("offsets read without the stride", pool(MAX, (
        OFFSET_VIEW, "view = input[:, :, a:a + Ho, b:b + Wo]"), (
        "out = input[:, :, :sh * (Ho - 1) + 1:sh, :sw * (Wo - 1) + 1:sw].copy()",
        "out = input[:, :, :Ho, :Wo].copy()")), says="read the window starting at (i, j)"),
    Wrong("maximum started from zeros", pool(MAX, (
        "out = input[:, :, :sh * (Ho - 1) + 1:sh, :sw * (Wo - 1) + 1:sw].copy()",
        "out = np.zeros((N, C, Ho, Wo), input.dtype)")), says="all negative gave 0"),
    Wrong("max over the channels too", pool(MAX, ("    return out\n",
                                                  "    return np.broadcast_to(out.max(axis=1, keepdims=True), out.shape)\n")),
          says="across the channels"),
    Wrong("window one too small", pool(MAX, ("for a in range(h):", "for a in range(h - 1):"),
                                       ("for b in range(w):", "for b in range(w - 1):")),
          says="window one too small"),
    Wrong("offsets from 1", pool(MAX, ("for a in range(h):", "for a in range(1, h):"))),
    Wrong("sliding_window_view without the stride", PAIR + '''
def max_pool2d_vec(input, kernel_size, stride=None):
    return sliding_window_view(input, _pair(kernel_size), axis=(2, 3)).max(axis=(4, 5))
''', says="stride"),
    Wrong("torch's max_pool2d", '''
def max_pool2d_vec(input, kernel_size, stride=None):
    return torch.nn.functional.max_pool2d(torch.from_numpy(input), kernel_size, stride).numpy()
''', says="would score 0 when graded"),
]

AVG_WRONG = [
    Wrong("max instead of mean", pool(MAX, ("def max_pool2d_vec", "def avg_pool2d_vec")),
          says="this is max pooling"),
    Wrong("sum, not divided", pool(AVG, ("return out / (h * w)", "return out")),
          says="you summed the window"),
    Wrong("divided by the window height", pool(AVG, ("return out / (h * w)", "return out / h")),
          says="one side of the window"),
    Wrong("integer division", pool(AVG, ("return out / (h * w)", "return out // (h * w)")),
          says="integer division // rounds down"),
    Wrong("stride None taken as 1", pool(AVG, (STRIDE_LINE, "(sh, sw) = _pair(stride or 1)")),
          says="stride=None means stride = kernel_size"),
    Wrong("offsets read without the stride", pool(AVG, (
        OFFSET_VIEW, "view = input[:, :, a:a + Ho, b:b + Wo]"), (
        "out = input[:, :, :sh * (Ho - 1) + 1:sh, :sw * (Wo - 1) + 1:sw].copy()",
        "out = input[:, :, :Ho, :Wo].copy()")), says="read the window starting at (i, j)"),
    Wrong("float64 sums for float32 input", pool(AVG, (
        "out = input[:, :, :sh * (Ho - 1) + 1:sh, :sw * (Wo - 1) + 1:sw].copy()",
        "out = np.zeros((N, C, Ho, Wo))"), ("if a or b:\n", "if True:\n")),
        says="the dtype is float64, expected float32"),
    Wrong("mean of the whole channel", PAIR + '''
def avg_pool2d_vec(input, kernel_size, stride=None):
    h, w = _pair(kernel_size)
    sh, sw = _pair(kernel_size if stride is None else stride)
    Ho, Wo = (input.shape[2] - h) // sh + 1, (input.shape[3] - w) // sw + 1
    return np.broadcast_to(input.mean(axis=(2, 3), keepdims=True), input.shape[:2] + (Ho, Wo))
'''),
    Wrong("torch's avg_pool2d", '''
def avg_pool2d_vec(input, kernel_size, stride=None):
    return F.avg_pool2d(torch.from_numpy(input), kernel_size, stride).numpy()
''', says="would score 0 when graded"),
]

WRONG = {check_im2col: IM2COL_WRONG, check_conv2d_im2col: CONV_WRONG,
         check_max_pool2d_vec: MAX_WRONG, check_avg_pool2d_vec: AVG_WRONG}

RIGHT = {
    check_im2col: [
        Right("a loop over the kernel offsets", PAIR + '''
def im2col(input, kernel_size, stride=1, padding=0, dilation=1):
    (h, w), (sh, sw), (ph, pw), (dh, dw) = map(_pair, (kernel_size, stride, padding, dilation))
    N, C, H, W = input.shape
    x = np.zeros((N, C, H + 2 * ph, W + 2 * pw), input.dtype)
    x[:, :, ph:ph + H, pw:pw + W] = input
    Ho = (H + 2 * ph - dh * (h - 1) - 1) // sh + 1
    Wo = (W + 2 * pw - dw * (w - 1) - 1) // sw + 1
    cols = np.empty((C, h, w, N, Ho, Wo), input.dtype)
    for a in range(h):
        for b in range(w):
            part = x[:, :, a * dh:a * dh + sh * (Ho - 1) + 1:sh, b * dw:b * dw + sw * (Wo - 1) + 1:sw]
            cols[:, a, b] = part.transpose(1, 0, 2, 3)
    return cols.reshape(C * h * w, N * Ho * Wo)
'''),
        Right("as_strided", PAIR + '''
def im2col(input, kernel_size, stride=1, padding=0, dilation=1):
    (h, w), (sh, sw), (ph, pw), (dh, dw) = map(_pair, (kernel_size, stride, padding, dilation))
    x = np.ascontiguousarray(np.pad(input, ((0, 0), (0, 0), (ph, ph), (pw, pw))))
    N, C, H, W = x.shape
    Ho, Wo = (H - dh * (h - 1) - 1) // sh + 1, (W - dw * (w - 1) - 1) // sw + 1
    sN, sC, sH, sW = x.strides
    view = np.lib.stride_tricks.as_strided(
        x, (C, h, w, N, Ho, Wo), (sC, dh * sH, dw * sW, sN, sh * sH, sw * sW))
    return view.reshape(C * h * w, -1)
'''),
    ],
    check_conv2d_im2col: [
        Right("cols.T @ weight2d.T (the notebook's orientation)", IM2COL + '''
def conv2d_im2col(input, weight, bias=None, stride=1, padding=0, dilation=1):
    Fk, C, h, w = weight.shape
    N = input.shape[0]
    (sh, sw), (ph, pw), (dh, dw) = map(_pair, (stride, padding, dilation))
    Ho = (input.shape[2] + 2 * ph - dh * (h - 1) - 1) // sh + 1
    Wo = (input.shape[3] + 2 * pw - dw * (w - 1) - 1) // sw + 1
    out = im2col(input, (h, w), stride, padding, dilation).T @ weight.reshape(Fk, -1).T
    if bias is not None:
        out += bias
    return out.reshape(N, Ho, Wo, Fk).transpose(0, 3, 1, 2)
'''),
        Right("np.einsum on the columns", IM2COL + '''
def conv2d_im2col(input, weight, bias=None, stride=1, padding=0, dilation=1):
    Fk, C, h, w = weight.shape
    cols = im2col(input, (h, w), stride, padding, dilation)
    N = input.shape[0]
    (sh, sw), (ph, pw), (dh, dw) = map(_pair, (stride, padding, dilation))
    Ho = (input.shape[2] + 2 * ph - dh * (h - 1) - 1) // sh + 1
    out = np.einsum("fk,knij->nfij", weight.reshape(Fk, -1), cols.reshape(C * h * w, N, Ho, -1))
    return out if bias is None else out + bias[None, :, None, None]
'''),
    ],
    check_max_pool2d_vec: [
        Right("sliding_window_view", PAIR + '''
def max_pool2d_vec(input, kernel_size, stride=None):
    (h, w) = _pair(kernel_size)
    (sh, sw) = _pair(kernel_size if stride is None else stride)
    return sliding_window_view(input, (h, w), axis=(2, 3))[:, :, ::sh, ::sw].max(axis=(-2, -1))
'''),
        Right("a reshape when the windows tile, a view otherwise", PAIR + '''
def max_pool2d_vec(input, kernel_size, stride=None):
    (h, w) = _pair(kernel_size)
    (sh, sw) = _pair(kernel_size if stride is None else stride)
    N, C, H, W = input.shape
    Ho, Wo = (H - h) // sh + 1, (W - w) // sw + 1
    if (sh, sw) == (h, w):
        return input[:, :, :Ho * h, :Wo * w].reshape(N, C, Ho, h, Wo, w).max(axis=(3, 5))
    windows = sliding_window_view(input, (h, w), axis=(2, 3))
    return windows[:, :, ::sh, ::sw].max(axis=(4, 5))
'''),
    ],
    check_avg_pool2d_vec: [
        Right("sliding_window_view", PAIR + '''
def avg_pool2d_vec(input, kernel_size, stride=None):
    (h, w) = _pair(kernel_size)
    (sh, sw) = _pair(kernel_size if stride is None else stride)
    return sliding_window_view(input, (h, w), axis=(2, 3))[:, :, ::sh, ::sw].mean(axis=(-2, -1))
'''),
        Right("a sum of the offset views", PAIR + '''
def avg_pool2d_vec(input, kernel_size, stride=None):
    (h, w) = _pair(kernel_size)
    (sh, sw) = _pair(kernel_size if stride is None else stride)
    Ho, Wo = (input.shape[2] - h) // sh + 1, (input.shape[3] - w) // sw + 1
    views = [input[:, :, a:a + sh * Ho:sh, b:b + sw * Wo:sw][:, :, :Ho, :Wo]
             for a in range(h) for b in range(w)]
    return sum(views) / len(views)
'''),
    ],
}

globals().update(suite("06_vectorisation_gpu", WRONG, RIGHT, least_specific=0.85))
