"""Notebook 05 (pooling): wrong answers as students write them fail with the right diagnosis;
correct answers written differently pass."""
from course.checks.pooling import (check_avg_pool2d, check_max_pool2d,
                                   check_relative_change)

from .harness import Right, Wrong, suite

# The notebook's first cell defines `pair`; every answer may use it.
PAIR = '''
def pair(v):
    return (int(v), int(v)) if isinstance(v, (int, np.integer)) else (int(v[0]), int(v[1]))
'''


def loops(body: str, dtype: str = "input.dtype", head: str = "", size: str = "") -> str:
    """A pooling answer with the notebook's loops; `body` computes out[:, :, i, j] from
    `window`, `head` replaces the first lines, `size` the output size."""
    return PAIR + f'''
def POOL(input, kernel_size, stride=None):
    {head or "h, w = pair(kernel_size)"}
    {"sh, sw = (h, w) if stride is None else pair(stride)" if not head else ""}
    N, C, H, W = input.shape
    {size or "H_out, W_out = (H - h) // sh + 1, (W - w) // sw + 1"}
    out = np.zeros((N, C, H_out, W_out), dtype={dtype})
    for i in range(H_out):
        for j in range(W_out):
            window = input[:, :, i * sh:i * sh + h, j * sw:j * sw + w]
            {body}
    return out
'''


def max_loops(body: str = "out[:, :, i, j] = window.max(axis=(2, 3))", **kw: str) -> str:
    return loops(body, **kw).replace("POOL", "max_pool2d")


def avg_loops(body: str = "out[:, :, i, j] = window.mean(axis=(2, 3))",
              dtype: str = "input.dtype if input.dtype.kind == 'f' else np.float64",
              **kw: str) -> str:
    return loops(body, dtype, **kw).replace("POOL", "avg_pool2d")


STRIDE_ONE_IF_NONE = '''h, w = pair(kernel_size)
    sh, sw = pair(stride) if stride else (1, 1)'''
STRIDE_IGNORED = '''h, w = pair(kernel_size)
    sh, sw = h, w'''
STRIDE_ALWAYS_ONE = '''h, w = pair(kernel_size)
    sh, sw = 1, 1'''
KERNEL_SWAPPED = '''w, h = pair(kernel_size)
    sh, sw = (h, w) if stride is None else pair(stride)'''
CEIL = "H_out, W_out = math.ceil((H - h) / sh) + 1, math.ceil((W - w) / sw) + 1"
NO_PLUS_ONE = "H_out, W_out = (H - h) // sh, (W - w) // sw"

MAX_WRONG = [
    Wrong("mean instead of max", max_loops("out[:, :, i, j] = window.mean(axis=(2, 3))",
                                           dtype="np.float64"), says="this is avg pooling"),
    Wrong("stride None taken as 1", max_loops(head=STRIDE_ONE_IF_NONE),
          says="stride=None means stride = kernel_size"),
    Wrong("given stride ignored", max_loops(head=STRIDE_IGNORED), says="the stride is ignored"),
    Wrong("window always moves by 1", max_loops(head=STRIDE_ALWAYS_ONE),
          says="always moved by 1"),
    Wrong("window starts at (i, j)", max_loops().replace(
        "input[:, :, i * sh:i * sh + h, j * sw:j * sw + w]", "input[:, :, i:i + h, j:j + w]"),
        says="read the window starting at (i, j)"),
    Wrong("window of the stride's size", max_loops().replace(
        "input[:, :, i * sh:i * sh + h, j * sw:j * sw + w]",
        "input[:, :, i * sh:(i + 1) * sh, j * sw:(j + 1) * sw]"),
        says="the window's size is kernel_size, not the stride"),
    Wrong("output size without + 1", max_loops(size=NO_PLUS_ONE), says="one window too few"),
    Wrong("partial windows kept (ceil)", max_loops(size=CEIL), says="partial window"),
    Wrong("maximum started from 0", max_loops('''for a in range(h):
                for b in range(w):
                    out[:, :, i, j] = np.maximum(out[:, :, i, j], window[:, :, a, b])'''),
          says="all negative gave 0"),
    Wrong("float64 output for float32 input", max_loops(dtype="float"),
          says="the dtype is float64, expected float32"),
    Wrong("max across channels too", max_loops(
        "out[:, :, i, j] = window.max(axis=(1, 2, 3))[:, None]"), says="across the channels"),
    Wrong("one value per image and window", max_loops(
        "out[:, 0, i, j] = window.max(axis=(1, 2, 3))").replace(
        "np.zeros((N, C, H_out, W_out)", "np.zeros((N, 1, H_out, W_out)"),
        says="pooled across the channels"),
    Wrong("window one row and column short", max_loops().replace(
        "i * sh + h, j * sw:j * sw + w", "i * sh + h - 1, j * sw:j * sw + w - 1"),
        says="window one too small"),
    Wrong("kernel height and width swapped", max_loops(head=KERNEL_SWAPPED),
          says="you swapped them"),
    Wrong("last output row never computed", max_loops().replace(
        "for i in range(H_out):", "for i in range(H_out - 1):"), says="were they ever computed"),
    Wrong("torch's max_pool2d", '''
def max_pool2d(input, kernel_size, stride=None):
    return F.max_pool2d(torch.from_numpy(input), kernel_size, stride).numpy()
''', says="would score 0 when graded"),
    Wrong("a helper in another cell calls torch", '''
def max_pool2d(input, kernel_size, stride=None):
    return pool_with_torch(input, kernel_size, stride)
''', setup='''
def pool_with_torch(x, k, s):
    return nn.MaxPool2d(k, s)(torch.as_tensor(x)).numpy()
''', says="would score 0 when graded"),
]

AVG_WRONG = [
    Wrong("max instead of mean", avg_loops("out[:, :, i, j] = window.max(axis=(2, 3))"),
          says="this is max pooling"),
    Wrong("sum instead of mean", avg_loops("out[:, :, i, j] = window.sum(axis=(2, 3))"),
          says="you summed the window"),
    Wrong("integer output for integer input", avg_loops(dtype="input.dtype"),
          says="integer dtype int64"),
    Wrong("integer division", avg_loops("out[:, :, i, j] = window.sum(axis=(2, 3)) // (h * w)"),
          says="integer division // rounds down"),
    Wrong("divided by h * h", avg_loops("out[:, :, i, j] = window.sum(axis=(2, 3)) / (h * h)"),
          says="the square of one side"),
    Wrong("divided by the window height", avg_loops(
        "out[:, :, i, j] = window.sum(axis=(2, 3)) / h"), says="one side of the window"),
    Wrong("stride None taken as 1", avg_loops(head=STRIDE_ONE_IF_NONE),
          says="stride=None means stride = kernel_size"),
    Wrong("given stride ignored", avg_loops(head=STRIDE_IGNORED), says="the stride is ignored"),
    Wrong("window starts at (i, j)", avg_loops().replace(
        "input[:, :, i * sh:i * sh + h, j * sw:j * sw + w]", "input[:, :, i:i + h, j:j + w]"),
        says="read the window starting at (i, j)"),
    Wrong("partial windows kept (ceil)", avg_loops(size=CEIL), says="partial window"),
    Wrong("mean over channels too", avg_loops(
        "out[:, :, i, j] = window.mean(axis=(1, 2, 3))[:, None]"), says="across the channels"),
    Wrong("float64 output for float32 input", avg_loops(dtype="np.float64"),
          says="the dtype is float64, expected float32"),
    Wrong("window one too large", avg_loops().replace(
        "i * sh + h, j * sw:j * sw + w", "i * sh + h + 1, j * sw:j * sw + w + 1"),
        says="window one too large"),
    Wrong("mean of the whole batch's window", avg_loops("out[:, :, i, j] = window.mean()")),
    Wrong("output sizes of H and W swapped", avg_loops(
        size="H_out, W_out = (W - w) // sw + 1, (H - h) // sh + 1")),
    Wrong("torch's avg_pool2d", '''
def avg_pool2d(input, kernel_size, stride=None):
    t = torch.tensor(input, dtype=torch.float64)
    return F.avg_pool2d(t, kernel_size, stride).numpy().astype(input.dtype)
''', says="would score 0 when graded"),
]

CHANGE_WRONG = [
    Wrong("divided by the shifted map's norm", '''
def relative_change(reference, shifted):
    return float(np.linalg.norm(reference - shifted) / np.linalg.norm(shifted))
''', says="divide by the norm of the reference"),
    Wrong("absolute change", '''
def relative_change(reference, shifted):
    return float(np.linalg.norm(reference - shifted))
''', says="this is the absolute change"),
    Wrong("sum of absolute values", '''
def relative_change(reference, shifted):
    return float(np.abs(reference - shifted).sum() / np.abs(reference).sum())
''', says="not the sum of absolute values"),
    Wrong("squared norms", '''
def relative_change(reference, shifted):
    return float(np.sum((reference - shifted) ** 2) / np.sum(reference ** 2))
''', says="take square roots"),
    Wrong("largest change", '''
def relative_change(reference, shifted):
    return float(np.max(np.abs(reference - shifted)) / np.max(np.abs(reference)))
''', says="the largest change over the largest value"),
    Wrong("ord=2 on a matrix", '''
def relative_change(reference, shifted):
    return float(np.linalg.norm(reference - shifted, 2) / np.linalg.norm(reference, 2))
''', says="largest singular value"),
    Wrong("difference of the norms", '''
def relative_change(reference, shifted):
    return float((np.linalg.norm(reference) - np.linalg.norm(shifted)) / np.linalg.norm(reference))
'''),
    Wrong("a percentage", '''
def relative_change(reference, shifted):
    return 100 * float(np.linalg.norm(reference - shifted) / np.linalg.norm(reference))
'''),
    Wrong("torch.linalg.norm", '''
def relative_change(reference, shifted):
    a, b = torch.as_tensor(reference, dtype=torch.float64), torch.as_tensor(shifted, dtype=torch.float64)
    return float(torch.linalg.norm(a - b) / torch.linalg.norm(a))
''', says="would score 0 when graded"),
]

WRONG = {check_max_pool2d: MAX_WRONG, check_avg_pool2d: AVG_WRONG,
         check_relative_change: CHANGE_WRONG}

RIGHT = {
    check_max_pool2d: [
        Right("sliding_window_view", PAIR + '''
def max_pool2d(input, kernel_size, stride=None):
    h, w = pair(kernel_size)
    sh, sw = pair(stride) if stride is not None else (h, w)
    windows = sliding_window_view(input, (h, w), axis=(2, 3))[:, :, ::sh, ::sw]
    return windows.max(axis=(4, 5))
'''),
        Right("four loops, columns outside", PAIR + '''
def max_pool2d(input, kernel_size, stride=None):
    h, w = pair(kernel_size)
    sh, sw = (h, w) if stride is None else pair(stride)
    N, C, H, W = input.shape
    out = np.empty((N, C, (H - h) // sh + 1, (W - w) // sw + 1), dtype=input.dtype)
    for j in range(out.shape[3]):
        for i in range(out.shape[2]):
            for n in range(N):
                for c in range(C):
                    out[n, c, i, j] = np.max(input[n, c, i * sh:i * sh + h, j * sw:j * sw + w])
    return out
'''),
        Right("a loop over the window's offsets", PAIR + '''
def max_pool2d(input, kernel_size, stride=None):
    h, w = pair(kernel_size)
    sh, sw = (h, w) if stride is None else pair(stride)
    H_out = (input.shape[2] - h) // sh + 1
    W_out = (input.shape[3] - w) // sw + 1
    out = np.full(input.shape[:2] + (H_out, W_out), -np.inf)
    for a in range(h):
        for b in range(w):
            out = np.maximum(out, input[:, :, a:a + sh * H_out:sh, b:b + sw * W_out:sw][:, :, :H_out, :W_out])
    return out.astype(input.dtype)
'''),
    ],
    check_avg_pool2d: [
        Right("sliding_window_view", PAIR + '''
def avg_pool2d(input, kernel_size, stride=None):
    h, w = pair(kernel_size)
    sh, sw = pair(stride) if stride is not None else (h, w)
    windows = sliding_window_view(input, (h, w), axis=(2, 3))[:, :, ::sh, ::sw]
    return windows.mean(axis=(4, 5), dtype=np.result_type(input.dtype, np.float32))
'''),
        Right("sum of the window's elements, one by one", PAIR + '''
def avg_pool2d(input, kernel_size, stride=None):
    kh, kw = pair(kernel_size)
    sh, sw = pair(kernel_size if stride is None else stride)
    N, C, H, W = input.shape
    Ho, Wo = (H - kh) // sh + 1, (W - kw) // sw + 1
    out = np.zeros((N, C, Ho, Wo), dtype=np.result_type(input, np.float32))
    for i in range(Ho):
        for j in range(Wo):
            for a in range(kh):
                for b in range(kw):
                    out[:, :, i, j] += input[:, :, i * sh + a, j * sw + b]
    return out / (kh * kw)
'''),
        Right("a reshape for windows side by side, loops otherwise", PAIR + '''
def avg_pool2d(input, kernel_size, stride=None):
    h, w = pair(kernel_size)
    sh, sw = (h, w) if stride is None else pair(stride)
    N, C, H, W = input.shape
    Ho, Wo = (H - h) // sh + 1, (W - w) // sw + 1
    x = input.astype(input.dtype if input.dtype.kind == "f" else np.float64)
    if (sh, sw) == (h, w):
        return x[:, :, :Ho * h, :Wo * w].reshape(N, C, Ho, h, Wo, w).mean(axis=(3, 5))
    out = np.zeros((N, C, Ho, Wo), x.dtype)
    for i in range(Ho):
        for j in range(Wo):
            out[:, :, i, j] = x[:, :, i * sh:i * sh + h, j * sw:j * sw + w].mean(axis=(2, 3))
    return out
'''),
    ],
    check_relative_change: [
        Right("square root of sums of squares", '''
def relative_change(reference, shifted):
    d = (reference - shifted).astype(float)
    return math.sqrt(float((d * d).sum())) / math.sqrt(float((reference.astype(float) ** 2).sum()))
'''),
        Right("norm of the flattened arrays", '''
def relative_change(reference, shifted):
    a = np.ravel(reference).astype(np.float64)
    return float(np.linalg.norm(a - np.ravel(shifted)) / np.linalg.norm(a))
'''),
    ],
}

globals().update(suite("05_pooling", WRONG, RIGHT, least_specific=0.85))
