"""Notebook 04 (padding, stride, dilation): wrong answers as students write them fail with the
right diagnosis; correct answers written differently pass."""
from course.checks.padding_stride_dilation import (check_conv2d,
                                                   check_conv_output_size, check_pad2d,
                                                   check_receptive_field)

from .harness import Right, Wrong, suite

# The notebook's first cell defines `pair`; exercise 1 defines `pad2d`, which conv2d reuses.
PAIR = '''
def pair(v):
    return (int(v), int(v)) if isinstance(v, (int, np.integer)) else (int(v[0]), int(v[1]))
'''
PAD2D = PAIR + '''
def pad2d(input, padding):
    ph, pw = pair(padding)
    N, C, H, W = input.shape
    out = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=input.dtype)
    out[:, :, ph:ph + H, pw:pw + W] = input
    return out
'''


def pad(body: str, head: str = "ph, pw = pair(padding)") -> str:
    return PAIR + f'''
def pad2d(input, padding):
    {head}
    N, C, H, W = input.shape
    {body}
    return out
'''


PAD_WRONG = [
    Wrong("np.pad", '''
def pad2d(input, padding):
    ph, pw = pair(padding)
    return np.pad(input, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
''', setup=PAIR, says="would score 0 when graded"),
    Wrong("a helper in another cell calls np.pad", '''
def pad2d(input, padding):
    return frame(input, *pair(padding))
''', setup=PAIR + '''
def frame(x, ph, pw):
    return np.pad(x, [(0, 0), (0, 0), (ph, ph), (pw, pw)], mode="constant")
''', says="would score 0 when graded"),
    Wrong("torch's F.pad", '''
def pad2d(input, padding):
    ph, pw = pair(padding)
    return F.pad(torch.from_numpy(input), (pw, pw, ph, ph)).numpy()
''', setup=PAIR, says="would score 0 when graded"),
    Wrong("np.zeros without dtype", pad('''out = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    out[:, :, ph:ph + H, pw:pw + W] = input'''), says="the dtype is float64, expected float32"),
    Wrong("an integer frame", pad('''out = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=int)
    out[:, :, ph:ph + H, pw:pw + W] = input'''), says="integer dtype int64"),
    Wrong("zeros only above and on the left", pad('''out = np.zeros((N, C, H + ph, W + pw), input.dtype)
    out[:, :, ph:, pw:] = input'''), says="zeros only at the top and left"),
    Wrong("the whole frame above and on the left", pad('''out = np.zeros((N, C, H + 2 * ph, W + 2 * pw), input.dtype)
    out[:, :, 2 * ph:, 2 * pw:] = input'''), says="all the zeros went on one side"),
    Wrong("rows and columns swapped", pad('''out = np.zeros((N, C, H + 2 * ph, W + 2 * pw), input.dtype)
    out[:, :, ph:ph + H, pw:pw + W] = input''', head="pw, ph = pair(padding)"),
          says="height and width swapped"),
    Wrong("the first number of the pair for both axes", pad('''out = np.zeros((N, C, H + 2 * p, W + 2 * p), input.dtype)
    out[:, :, p:p + H, p:p + W] = input''', head="p = padding if isinstance(padding, int) else padding[0]"),
          says="one number of the pair used for both axes"),
    Wrong("every axis padded", pad('''out = np.zeros(tuple(n + 2 * ph for n in input.shape), input.dtype)
    out[ph:ph + N, ph:ph + C, ph:ph + H, ph:ph + W] = input'''), says="padded every axis"),
    Wrong("slices p:-p (empty for p = 0)", pad('''out = np.zeros((N, C, H + 2 * ph, W + 2 * pw), input.dtype)
    out[:, :, ph:-ph, pw:-pw] = input''')),
]

SIZE_WRONG = [
    Wrong("no + 1", '''
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride
''', says="forgot the + 1"),
    Wrong("rounded up", '''
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return math.ceil((size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1
''', says="you rounded up"),
    Wrong("true division", '''
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1
''', says="return an int"),
    Wrong("np.floor returns a float", '''
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return np.floor((size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1
''', says="return an int"),
    Wrong("padding counted once", '''
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return (size + padding - dilation * (kernel_size - 1) - 1) // stride + 1
''', says="the padding counts twice"),
    Wrong("padding missing", '''
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return (size - dilation * (kernel_size - 1) - 1) // stride + 1
''', says="the padding is missing"),
    Wrong("stride missing", '''
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return size + 2 * padding - dilation * (kernel_size - 1)
''', says="the stride is missing"),
    Wrong("dilation missing", '''
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return (size + 2 * padding - kernel_size) // stride + 1
''', says="the dilation is missing"),
    Wrong("span dilation * kernel_size", '''
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    span = dilation * kernel_size
    return (size + 2 * padding - span) // stride + 1
''', says="kernel_size - 1 gaps"),
    Wrong("d empty inputs between taps", '''
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    span = (dilation + 1) * (kernel_size - 1) + 1
    return (size + 2 * padding - span) // stride + 1
''', says="dilation off by one"),
    Wrong("missing parentheses", '''
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return size + 2 * padding - dilation * (kernel_size - 1) - 1 // stride + 1
''', says="missing parentheses"),
    Wrong("round to nearest", '''
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return round((size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1
'''),
]

# The notebook's solution; each wrong answer below changes one thing in it.
CONV = PAD2D + '''
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1):
    (sh, sw), (dh, dw) = pair(stride), pair(dilation)
    x = pad2d(input, padding)
    N, C, H, W = x.shape
    n_kernels, _, h, w = weight.shape
    H_out = (H - dh * (h - 1) - 1) // sh + 1
    W_out = (W - dw * (w - 1) - 1) // sw + 1
    arrays = [a for a in (input, weight, bias) if a is not None]
    out = np.zeros((N, n_kernels, H_out, W_out), dtype=np.result_type(*arrays, np.float32))
    for i in range(H_out):
        for j in range(W_out):
            r, c = i * sh, j * sw
            window = x[:, :, r:r + dh * (h - 1) + 1:dh, c:c + dw * (w - 1) + 1:dw]
            out[:, :, i, j] = np.tensordot(window, weight, axes=([1, 2, 3], [1, 2, 3]))
    if bias is not None:
        out += bias[None, :, None, None]
    return out
'''


def conv(old: str, new: str) -> str:
    assert old in CONV, old
    return CONV.replace(old, new)


CONV_WRONG = [
    Wrong("padding ignored", conv("x = pad2d(input, padding)", "x = input"),
          says="the padding is ignored"),
    Wrong("own frame on one side", conv("x = pad2d(input, padding)", '''ph, pw = pair(padding)
    x = np.zeros(input.shape[:2] + (input.shape[2] + ph, input.shape[3] + pw), input.dtype)
    x[:, :, ph:, pw:] = input'''), says="padding on one side only"),
    Wrong("output size from the unpadded input", conv(
        "x = pad2d(input, padding)\n    N, C, H, W = x.shape",
        "x = pad2d(input, padding)\n    N, C, H, W = input.shape"),
        says="the output size ignores the padding"),
    Wrong("padded the output", (lambda src: src[:src.rindex("return out")] +
                                "return pad2d(out, padding)\n")(
        conv("x = pad2d(input, padding)", "x = input")), says="you padded the output"),
    Wrong("stride ignored", conv("(sh, sw), (dh, dw) = pair(stride), pair(dilation)",
                                 "(sh, sw), (dh, dw) = (1, 1), pair(dilation)"),
          says="the stride is ignored"),
    Wrong("window at (i, j)", conv("r, c = i * sh, j * sw", "r, c = i, j"),
          says="read the window starting at (i, j)"),
    Wrong("every position computed, stored at the stride", conv(
        '''    H_out = (H - dh * (h - 1) - 1) // sh + 1
    W_out = (W - dw * (w - 1) - 1) // sw + 1''', '''    H_out = H - dh * (h - 1)
    W_out = W - dw * (w - 1)''').replace(
        "for i in range(H_out):", "for i in range(0, H_out, sh):").replace(
        "for j in range(W_out):", "for j in range(0, W_out, sw):").replace(
        "r, c = i * sh, j * sw", "r, c = i, j"), says="right values in the wrong places"),
    Wrong("dilation ignored in the windows", conv(
        "window = x[:, :, r:r + dh * (h - 1) + 1:dh, c:c + dw * (w - 1) + 1:dw]",
        "window = x[:, :, r:r + h, c:c + w]"), says="the windows ignore the dilation"),
    Wrong("dilation ignored", conv("(sh, sw), (dh, dw) = pair(stride), pair(dilation)",
                                   "(sh, sw), (dh, dw) = pair(stride), (1, 1)"),
          says="the dilation is ignored"),
    Wrong("d empty inputs between taps", conv(
        "(sh, sw), (dh, dw) = pair(stride), pair(dilation)",
        "(sh, sw), (dh, dw) = pair(stride), (pair(dilation)[0] + 1, pair(dilation)[1] + 1)"),
        says="dilation off by one"),
    Wrong("stride and dilation swapped", conv(
        "(sh, sw), (dh, dw) = pair(stride), pair(dilation)",
        "(sh, sw), (dh, dw) = pair(dilation), pair(stride)"),
        says="stride and dilation swapped"),
    Wrong("stride pair read as (width, height)", conv(
        "(sh, sw), (dh, dw) = pair(stride), pair(dilation)",
        "(sw, sh), (dh, dw) = pair(stride), pair(dilation)"),
        says="stride=(a, b): a applies to the rows"),
    Wrong("bias forgotten", conv("        out += bias[None, :, None, None]", "        pass"),
          says="the bias is missing"),
    Wrong("kernel flipped", conv("np.tensordot(window, weight,",
                                 "np.tensordot(window, weight[:, :, ::-1, ::-1],"),
          says="your kernel is flipped"),
    Wrong("np.zeros without dtype", conv(
        "out = np.zeros((N, n_kernels, H_out, W_out), dtype=np.result_type(*arrays, np.float32))",
        "out = np.zeros((N, n_kernels, H_out, W_out))"), says="the dtype is float64, expected float32"),
    Wrong("the input's dtype for the output", conv(
        "dtype=np.result_type(*arrays, np.float32))", "dtype=input.dtype)"),
        says="integer dtype uint8"),
    Wrong("last output row never computed", conv("for i in range(H_out):",
                                                 "for i in range(H_out - 1):"),
          says="were they ever computed"),
    Wrong("always a float32 output", conv("dtype=np.result_type(*arrays, np.float32))",
                                          "dtype=np.float32)"), says="float32"),
    Wrong("bias added along the last axis", conv("out += bias[None, :, None, None]",
                                                 "out += bias")),
    Wrong("only the first image", conv("np.tensordot(window, weight,", "np.tensordot(window[:1], weight,")),
    Wrong("torch's F.conv2d", '''
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1):
    t = lambda a: None if a is None else torch.from_numpy(np.asarray(a, np.float64))
    return F.conv2d(t(input), t(weight), t(bias), stride, padding, dilation).numpy()
''', says="would score 0 when graded"),
    Wrong("scipy.signal.correlate", PAD2D + '''
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1):
    from scipy.signal import correlate
    x = pad2d(input, padding)
    out = np.stack([np.stack([sum(correlate(x[n, c], weight[f, c], mode="valid")
                                  for c in range(x.shape[1]))
                              for f in range(weight.shape[0])]) for n in range(x.shape[0])])
    if bias is not None:
        out = out + bias[None, :, None, None]
    return out[:, :, ::pair(stride)[0], ::pair(stride)[1]]
''', says="would score 0 when graded"),
    Wrong("a helper in another cell calls F.conv2d", '''
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1):
    return torch_conv(input, weight, bias, stride=stride, padding=padding, dilation=dilation)
''', setup='''
def torch_conv(x, w, b=None, **kw):
    out = F.conv2d(torch.tensor(x), torch.tensor(w), None if b is None else torch.tensor(b), **kw)
    return out.numpy()
''', says="would score 0 when graded"),
]

FIELD_WRONG = [
    Wrong("strides forgotten", '''
def receptive_field(layers):
    return 1 + sum(d * (k - 1) for k, s, d in layers)
''', says="the strides are missing"),
    Wrong("dilation forgotten", '''
def receptive_field(layers):
    field, step = 1, 1
    for k, s, d in layers:
        field += (k - 1) * step
        step *= s
    return field
''', says="the dilation is missing"),
    Wrong("sum of kernel sizes", '''
def receptive_field(layers):
    return sum(k for k, s, d in layers)
''', says="counts the shared pixel twice"),
    Wrong("product of kernel sizes", '''
def receptive_field(layers):
    field = 1
    for k, s, d in layers:
        field *= k
    return field
''', says="not multiplication"),
    Wrong("a layer's own stride counted", '''
def receptive_field(layers):
    field, step = 1, 1
    for k, s, d in layers:
        step *= s
        field += d * (k - 1) * step
    return field
''', says="includes the layer's own stride"),
    Wrong("d gaps between taps", '''
def receptive_field(layers):
    field, step = 1, 1
    for k, s, d in layers:
        field += (d + 1) * (k - 1) * step
        step *= s
    return field
''', says="dilation off by one"),
    Wrong("only the last layer", '''
def receptive_field(layers):
    return layers[-1][0]
''', says="every layer of the stack widens it"),
    Wrong("layers taken from the last one", '''
def receptive_field(layers):
    field, step = 1, 1
    for k, s, d in reversed(layers):
        field += d * (k - 1) * step
        step *= s
    return field
''', says="the first layer"),
    Wrong("the stride applied after the kernel", '''
def receptive_field(layers):
    field = 1
    for k, s, d in layers:
        field = field * s + d * (k - 1)
    return field
'''),
    Wrong("the span of every layer added", '''
def receptive_field(layers):
    return sum(d * (k - 1) + 1 for k, s, d in layers)
'''),
]

WRONG = {check_pad2d: PAD_WRONG, check_conv_output_size: SIZE_WRONG, check_conv2d: CONV_WRONG,
         check_receptive_field: FIELD_WRONG}

RIGHT = {
    check_pad2d: [
        Right("np.concatenate of zero blocks", PAIR + '''
def pad2d(input, padding):
    ph, pw = pair(padding)
    N, C, H, W = input.shape
    rows = np.zeros((N, C, ph, W), input.dtype)
    x = np.concatenate([rows, input, rows], axis=2)
    cols = np.zeros((N, C, H + 2 * ph, pw), input.dtype)
    return np.concatenate([cols, x, cols], axis=3)
'''),
        Right("zeros_like of a bigger array, end indices from the shape", '''
def pad2d(input, padding):
    ph, pw = (padding, padding) if np.isscalar(padding) else padding
    shape = input.shape[:2] + (input.shape[2] + 2 * ph, input.shape[3] + 2 * pw)
    out = np.zeros(shape, dtype=input.dtype)
    out[..., ph:shape[2] - ph, pw:shape[3] - pw] = input
    return out
'''),
    ],
    check_conv_output_size: [
        Right("math.floor of a true division", '''
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    span = dilation * (kernel_size - 1) + 1
    return math.floor((size + 2 * padding - span) / stride) + 1
'''),
        Right("counting the window starts", '''
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    last_start = size + 2 * padding - dilation * (kernel_size - 1) - 1
    return len(range(0, last_start + 1, stride))
'''),
    ],
    check_conv2d: [
        Right("np.pad and six loops", PAIR + '''
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1):
    (sh, sw), (ph, pw), (dh, dw) = pair(stride), pair(padding), pair(dilation)
    x = np.pad(input, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    N, C, H, W = x.shape
    F_, _, h, w = weight.shape
    Ho, Wo = (H - dh * (h - 1) - 1) // sh + 1, (W - dw * (w - 1) - 1) // sw + 1
    dtype = np.result_type(input, weight, np.float32) if bias is None else \\
        np.result_type(input, weight, bias, np.float32)
    out = np.zeros((N, F_, Ho, Wo), dtype)
    for n in range(N):
        for f in range(F_):
            for i in range(Ho):
                for j in range(Wo):
                    total = 0.0 if bias is None else bias[f]
                    for a in range(h):
                        for b in range(w):
                            total += np.dot(x[n, :, i * sh + a * dh, j * sw + b * dw],
                                            weight[f, :, a, b])
                    out[n, f, i, j] = total
    return out
'''),
        Right("a loop over the kernel taps", PAD2D + '''
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1):
    (sh, sw), (dh, dw) = pair(stride), pair(dilation)
    x = pad2d(input, padding)
    F_, C, h, w = weight.shape
    Ho = (x.shape[2] - dh * (h - 1) - 1) // sh + 1
    Wo = (x.shape[3] - dw * (w - 1) - 1) // sw + 1
    out = 0
    for a in range(h):
        for b in range(w):
            part = x[:, :, a * dh:a * dh + sh * (Ho - 1) + 1:sh, b * dw:b * dw + sw * (Wo - 1) + 1:sw]
            out = out + np.einsum("ncij,fc->nfij", part, weight[:, :, a, b])
    if bias is not None:
        out = out + bias[:, None, None]
    arrays = [a for a in (input, weight, bias) if a is not None]
    return out.astype(np.result_type(*arrays, np.float32))
'''),
        Right("sliding_window_view and einsum", PAD2D + '''
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1):
    (sh, sw), (dh, dw) = pair(stride), pair(dilation)
    h, w = weight.shape[2:]
    x = pad2d(input, padding)
    win = sliding_window_view(x, (dh * (h - 1) + 1, dw * (w - 1) + 1), axis=(2, 3))
    win = win[:, :, ::sh, ::sw, ::dh, ::dw]
    out = np.einsum("ncijab,fcab->nfij", win, weight)
    if bias is not None:
        out += bias.reshape(1, -1, 1, 1)
    arrays = [a for a in (input, weight, bias) if a is not None]
    return out.astype(np.result_type(*arrays, np.float32))
'''),
    ],
    check_receptive_field: [
        Right("from the output back to the input", '''
def receptive_field(layers):
    field = 1
    for k, s, d in reversed(layers):
        field = (field - 1) * s + d * (k - 1) + 1
    return field
'''),
        Right("the positions one output reads", '''
def receptive_field(layers):
    lo, hi = 0, 0
    for k, s, d in reversed(layers):
        lo, hi = lo * s, hi * s + d * (k - 1)
    return hi - lo + 1
'''),
    ],
}

globals().update(suite("04_padding_stride_dilation", WRONG, RIGHT, least_specific=0.85))
