"""Mutation suite for notebook 02 (2D convolution): wrong answers as students write them must
fail with their diagnosis; correct alternatives must pass the visible and the hidden cases."""
from .harness import Right, Wrong, suite

FORBIDDEN = "would score 0 when graded"

# Exercise 1's answer and the notebook's float32 Sobel kernel, as earlier cells define them.
CONV2D = """
SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float32)

def conv2d(X, K):
    (H, W), (h, w) = X.shape, K.shape
    out = np.zeros((H - h + 1, W - w + 1), dtype=np.result_type(X, K, np.float32))
    for i in range(H - h + 1):
        for j in range(W - w + 1):
            out[i, j] = np.sum(X[i:i + h, j:j + w] * K)
    return out
"""


def loops(body: str) -> str:
    """A conv2d answer whose inner loop body is `body` (indented under `for j`)."""
    return f"""
def conv2d(X, K):
    (H, W), (h, w) = X.shape, K.shape
    out = np.zeros((H - h + 1, W - w + 1), dtype=np.result_type(X, K, np.float32))
    for i in range(H - h + 1):
        for j in range(W - w + 1):
{body}
    return out
"""


def four_loops(term: str) -> str:
    """A conv2d answer with four loops that adds `term` for each (i, j, a, b)."""
    return loops(f"""
            for a in range(h):
                for b in range(w):
                    out[i, j] += {term}""")


def sobel(body: str) -> str:
    return f"""
def sobel_magnitude(X):
{body}
"""


def edges(kernels: str) -> str:
    """An edge_kernel answer whose dict of kernels is `kernels`."""
    return f"""
def edge_kernel(direction):
    kernels = {kernels}
    return np.array(kernels[direction])
"""


TORCH = """
def conv2d_torch(X, K):
    Xt = torch.tensor(X, dtype=torch.float32)[None, None]
    Kt = torch.tensor(K, dtype=torch.float32)[None, None]
    return {result}
"""

WRONG = {
    "conv2d": [
        Wrong("kernel flipped on both axes",
              four_loops("X[i + a, j + b] * K[h - 1 - a, w - 1 - b]"), says="true convolution"),
        Wrong("kernel upside down", four_loops("X[i + a, j + b] * K[h - 1 - a, b]"),
              says="upside down"),
        Wrong("kernel mirrored", four_loops("X[i + a, j + b] * K[a, w - 1 - b]"),
              says="left to right"),
        Wrong("kernel indices swapped", four_loops("X[i + a, j + b] * K[b, a]"),
              says="kernel transposed"),
        Wrong("output indices swapped", """
def conv2d(X, K):
    (H, W), (h, w) = X.shape, K.shape
    out = np.zeros((W - w + 1, H - h + 1), dtype=np.result_type(X, K, np.float32))
    for i in range(H - h + 1):
        for j in range(W - w + 1):
            out[j, i] = np.sum(X[i:i + h, j:j + w] * K)
    return out
""", says="rows and columns are swapped"),
        Wrong("output as big as the input", """
def conv2d(X, K):
    (H, W), (h, w) = X.shape, K.shape
    out = np.zeros((H, W), dtype=np.result_type(X, K, np.float32))
    for i in range(H - h + 1):
        for j in range(W - w + 1):
            out[i, j] = np.sum(X[i:i + h, j:j + w] * K)
    return out
""", says="size of the input"),
        Wrong("zero padding to keep the size", """
def conv2d(X, K):
    (h, w) = K.shape
    Xp = np.pad(X, ((h // 2, h // 2), (w // 2, w // 2)))
    H, W = Xp.shape
    out = np.zeros((H - h + 1, W - w + 1), dtype=np.result_type(X, K, np.float32))
    for i in range(H - h + 1):
        for j in range(W - w + 1):
            out[i, j] = np.sum(Xp[i:i + h, j:j + w] * K)
    return out
""", says="padded the input with zeros"),
        Wrong("slides past the edges", """
def conv2d(X, K):
    (h, w) = K.shape
    Xp = np.pad(X, ((h - 1, h - 1), (w - 1, w - 1)))
    H, W = Xp.shape
    out = np.zeros((H - h + 1, W - w + 1), dtype=np.result_type(X, K, np.float32))
    for i in range(H - h + 1):
        for j in range(W - w + 1):
            out[i, j] = np.sum(Xp[i:i + h, j:j + w] * K)
    return out
""", says="past the edges"),
        Wrong("loops one short on both axes", """
def conv2d(X, K):
    (H, W), (h, w) = X.shape, K.shape
    out = np.zeros((H - h, W - w), dtype=np.result_type(X, K, np.float32))
    for i in range(H - h):
        for j in range(W - w):
            out[i, j] = np.sum(X[i:i + h, j:j + w] * K)
    return out
""", says="range(W - w + 1)"),
        Wrong("last column never computed", loops("""
            if j < W - w:
                out[i, j] = np.sum(X[i:i + h, j:j + w] * K)"""),
              says="Only values at the border are wrong"),
        Wrong("the lecture's 1-based indices copied",
              four_loops("X[i - 1 + a, j - 1 + b] * K[a, b]"), says="1-based indices"),
        Wrong("matrix product instead of element-wise", loops("""
            out[i, j] = np.sum(X[i:i + h, j:j + w] @ K)"""), says="matrix product"),
        Wrong("running total never reset", """
def conv2d(X, K):
    (H, W), (h, w) = X.shape, K.shape
    out = np.zeros((H - h + 1, W - w + 1), dtype=np.result_type(X, K, np.float32))
    total = 0
    for i in range(H - h + 1):
        for j in range(W - w + 1):
            total += np.sum(X[i:i + h, j:j + w] * K)
            out[i, j] = total
    return out
""", says="not reset"),
        Wrong("float64 output whatever the inputs", """
def conv2d(X, K):
    (H, W), (h, w) = X.shape, K.shape
    out = np.zeros((H - h + 1, W - w + 1))
    for i in range(H - h + 1):
        for j in range(W - w + 1):
            out[i, j] = np.sum(X[i:i + h, j:j + w] * K)
    return out
""", says="dtype is float64"),
        Wrong("output dtype of the image", """
def conv2d(X, K):
    (H, W), (h, w) = X.shape, K.shape
    out = np.zeros((H - h + 1, W - w + 1), dtype=X.dtype)
    for i in range(H - h + 1):
        for j in range(W - w + 1):
            out[i, j] = np.sum(X[i:i + h, j:j + w] * K)
    return out
""", says="integer dtype uint8"),
        Wrong("window slice with h and w swapped", loops("""
            out[i, j] = np.sum(X[i:i + w, j:j + h] * K)"""), says="raised ValueError"),
        Wrong("loops, returned as a tensor", CONV2D + """
_loops = conv2d

def conv2d(X, K):
    return torch.from_numpy(_loops(X, K))
""", says=FORBIDDEN),
        Wrong("scipy.signal.correlate2d", """
from scipy.signal import correlate2d

def conv2d(X, K):
    return correlate2d(X, K, mode="valid").astype(np.result_type(X, K, np.float32))
""", says=FORBIDDEN),
        Wrong("F.conv2d", """
def conv2d(X, K):
    out = F.conv2d(torch.tensor(X, dtype=torch.float64)[None, None],
                   torch.tensor(K, dtype=torch.float64)[None, None])
    return out[0, 0].numpy().astype(np.result_type(X, K, np.float32))
""", says=FORBIDDEN),
        Wrong("np.correlate row by row", """
def conv2d(X, K):
    (H, W), (h, w) = X.shape, K.shape
    out = np.zeros((H - h + 1, W - w + 1), dtype=np.result_type(X, K, np.float32))
    for i in range(H - h + 1):
        for a in range(h):
            out[i] += np.correlate(X[i + a], K[a], "valid")
    return out
""", says=FORBIDDEN),
    ],
    "edge_kernel": [
        Wrong("every kernel negated", edges(
            '{"top": -TOP_EDGE, "bottom": -TOP_EDGE[::-1], "left": -TOP_EDGE.T, '
            '"right": -TOP_EDGE.T[:, ::-1]}'), says="sign is reversed"),
        Wrong("bottom as minus top", edges(
            '{"top": TOP_EDGE, "bottom": -TOP_EDGE, "left": TOP_EDGE.T, '
            '"right": TOP_EDGE.T[:, ::-1]}'), says="-top is not the bottom-edge kernel"),
        Wrong("right as minus left", edges(
            '{"top": TOP_EDGE, "bottom": TOP_EDGE[::-1], "left": TOP_EDGE.T, '
            '"right": -TOP_EDGE.T}'), says="-left is not the right-edge kernel"),
        Wrong("left and right swapped", edges(
            '{"top": TOP_EDGE, "bottom": TOP_EDGE[::-1], "left": TOP_EDGE.T[:, ::-1], '
            '"right": TOP_EDGE.T}'), says="that is the right-edge kernel, not the left-edge one"),
        Wrong("bottom mirrored left to right", edges(
            '{"top": TOP_EDGE, "bottom": TOP_EDGE[:, ::-1], "left": TOP_EDGE.T, '
            '"right": TOP_EDGE.T[:, ::-1]}'), says="that is the top-edge kernel, not the bottom"),
        Wrong("bottom transposed", edges(
            '{"top": TOP_EDGE, "bottom": TOP_EDGE.T, "left": TOP_EDGE.T, '
            '"right": TOP_EDGE.T[:, ::-1]}'), says="that is the left-edge kernel, not the bottom"),
        Wrong("rotations the wrong way", edges(
            '{"top": TOP_EDGE, "bottom": np.rot90(TOP_EDGE, 2), "left": np.rot90(TOP_EDGE, -1), '
            '"right": np.rot90(TOP_EDGE)}'), says="that is the right-edge kernel, not the left"),
        Wrong("returns nested lists", """
def edge_kernel(direction):
    kernels = {"top": TOP_EDGE, "bottom": TOP_EDGE[::-1], "left": TOP_EDGE.T,
               "right": TOP_EDGE.T[:, ::-1]}
    return kernels[direction].tolist()
""", says="return a NumPy array"),
        Wrong("torch.flip", """
def edge_kernel(direction):
    top = torch.tensor(TOP_EDGE)
    kernels = {"top": top, "bottom": torch.flip(top, [0]), "left": top.T,
               "right": torch.flip(top.T, [1])}
    return kernels[direction].numpy()
""", says=FORBIDDEN),
    ],
    "sobel_magnitude": [
        Wrong("|gx| + |gy|", sobel("""
    return np.abs(conv2d(X, SOBEL_X)) + np.abs(conv2d(X, SOBEL_X.T))"""), setup=CONV2D,
              says="|gx| + |gy|"),
        Wrong("no square root", sobel("""
    return conv2d(X, SOBEL_X) ** 2 + conv2d(X, SOBEL_X.T) ** 2"""), setup=CONV2D,
              says="forgot the square root"),
        Wrong("only gx", sobel("""
    return np.abs(conv2d(X, SOBEL_X))"""), setup=CONV2D, says="only the horizontal gradient"),
        Wrong("only gy", sobel("""
    return np.abs(conv2d(X, SOBEL_X.T))"""), setup=CONV2D, says="only the vertical gradient"),
        Wrong("SOBEL_X twice", sobel("""
    gx = conv2d(X, SOBEL_X)
    gy = conv2d(X, SOBEL_X)
    return np.sqrt(gx ** 2 + gy ** 2)"""), setup=CONV2D, says="did you use SOBEL_X twice"),
        Wrong("gy from the kernel upside down", sobel("""
    gx, gy = conv2d(X, SOBEL_X), conv2d(X, SOBEL_X[::-1])
    return np.sqrt(gx ** 2 + gy ** 2)"""), setup=CONV2D, says="did you use SOBEL_X twice"),
        Wrong("gx + gy", sobel("""
    return conv2d(X, SOBEL_X) + conv2d(X, SOBEL_X.T)"""), setup=CONV2D, says="cancel out"),
        Wrong("|gx + gy|", sobel("""
    return np.abs(conv2d(X, SOBEL_X) + conv2d(X, SOBEL_X.T))"""), setup=CONV2D,
              says="cancel out"),
        Wrong("halved", sobel("""
    gx, gy = conv2d(X, SOBEL_X), conv2d(X, SOBEL_X.T)
    return np.sqrt(gx ** 2 + gy ** 2) / 2"""), setup=CONV2D, says="not divided by 2"),
        Wrong("float64 kernel", sobel("""
    S = SOBEL_X.astype(np.float64)
    gx, gy = conv2d(X, S), conv2d(X, S.T)
    return np.sqrt(gx ** 2 + gy ** 2)"""), setup=CONV2D, says="dtype is float64"),
        Wrong("scipy.ndimage.sobel", """
from scipy import ndimage

def sobel_magnitude(X):
    gx = ndimage.sobel(X, axis=1)[1:-1, 1:-1]
    gy = ndimage.sobel(X, axis=0)[1:-1, 1:-1]
    return np.hypot(gx, gy)
""", says=FORBIDDEN),
        Wrong("a conv2d helper built on np.convolve", sobel("""
    gx, gy = conv2d(X, SOBEL_X), conv2d(X, SOBEL_X.T)
    return np.sqrt(gx ** 2 + gy ** 2)"""), setup="""
SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float32)

def conv2d(X, K):
    rows = [sum(np.convolve(X[i + a], K[a, ::-1], "valid") for a in range(K.shape[0]))
            for i in range(X.shape[0] - K.shape[0] + 1)]
    return np.array(rows, dtype=np.result_type(X, K, np.float32))
""", says=FORBIDDEN),
    ],
    "conv2d_torch": [
        Wrong("batch and channel axes kept", TORCH.format(result="F.conv2d(Xt, Kt).numpy()"),
              says="take [0, 0]"),
        Wrong("only the batch axis removed", TORCH.format(result="F.conv2d(Xt, Kt)[0].numpy()"),
              says="(1, H', W') result"),
        Wrong("kernel flipped for PyTorch",
              TORCH.format(result="F.conv2d(Xt, torch.flip(Kt, [2, 3]))[0, 0].numpy()"),
              says="flipped on both axes"),
        Wrong("returns the tensor", TORCH.format(result="F.conv2d(Xt, Kt)[0, 0]"),
              says="returned a torch tensor"),
        Wrong("squeeze", TORCH.format(result="F.conv2d(Xt, Kt).squeeze().numpy()"),
              says=".squeeze() also removed"),
        Wrong("dtype of the inputs kept", """
def conv2d_torch(X, K):
    dt = np.result_type(X, K, np.float32)
    Xt = torch.from_numpy(np.asarray(X, dtype=dt))[None, None]
    Kt = torch.from_numpy(np.asarray(K, dtype=dt))[None, None]
    return F.conv2d(Xt, Kt)[0, 0].numpy()
""", says="whatever the dtype of the inputs"),
        Wrong("no conversion at all", """
def conv2d_torch(X, K):
    return F.conv2d(torch.from_numpy(X)[None, None], torch.from_numpy(K)[None, None])[0, 0].numpy()
""", says="raised RuntimeError"),
    ],
}

RIGHT = {
    "conv2d": [
        Right("sliding_window_view and einsum", """
def conv2d(X, K):
    windows = sliding_window_view(X, K.shape)
    return np.einsum("ijkl,kl->ij", windows, K).astype(np.result_type(X, K, np.float32))
"""),
        Right("one shifted slice per kernel entry", """
def conv2d(X, K):
    (H, W), (h, w) = X.shape, K.shape
    out = np.zeros((H - h + 1, W - w + 1), dtype=np.result_type(X, K, np.float32))
    for a in range(h):
        for b in range(w):
            out += K[a, b] * X[a:a + H - h + 1, b:b + W - w + 1]
    return out
"""),
        Right("tensordot of the windows", """
def conv2d(X, K):
    windows = sliding_window_view(X, K.shape)
    return np.tensordot(windows, K, axes=2).astype(np.result_type(X, K, np.float32))
"""),
        Right("four loops, dtype np.result_type(X, K)", """
def conv2d(X, K):
    (H, W), (h, w) = X.shape, K.shape
    out = np.zeros((H - h + 1, W - w + 1), dtype=np.result_type(X, K))
    for i in range(H - h + 1):
        for j in range(W - w + 1):
            for a in range(h):
                for b in range(w):
                    out[i, j] += X[i + a, j + b] * K[a, b]
    return out
"""),
        Right("dot of flattened windows", loops("""
            out[i, j] = X[i:i + h, j:j + w].ravel() @ K.ravel()""")),
    ],
    "edge_kernel": [
        Right("rotations", edges(
            '{"top": TOP_EDGE, "bottom": np.rot90(TOP_EDGE, 2), "left": np.rot90(TOP_EDGE), '
            '"right": np.rot90(TOP_EDGE, -1)}')),
        Right("np.flipud and np.fliplr", """
def edge_kernel(direction):
    if direction == "top":
        return TOP_EDGE.copy()
    if direction == "bottom":
        return np.flipud(TOP_EDGE)
    if direction == "left":
        return TOP_EDGE.T.copy()
    return np.fliplr(TOP_EDGE.T)
"""),
    ],
    "sobel_magnitude": [
        Right("np.hypot", sobel("""
    return np.hypot(conv2d(X, SOBEL_X), conv2d(X, SOBEL_X.T))"""), setup=CONV2D),
        Right("norm of the stacked gradients", sobel("""
    g = np.stack([conv2d(X, SOBEL_X), conv2d(X, SOBEL_X.T)])
    return np.linalg.norm(g, axis=0)"""), setup=CONV2D),
        Right("flipped kernels (same magnitude)", sobel("""
    S = SOBEL_X[::-1, ::-1]
    return np.sqrt(conv2d(X, S) ** 2 + conv2d(X, S.T) ** 2)"""), setup=CONV2D),
    ],
    "conv2d_torch": [
        Right("unsqueeze and squeeze of the first two axes", """
def conv2d_torch(X, K):
    Xt = torch.tensor(X, dtype=torch.float32).unsqueeze(0).unsqueeze(0)
    Kt = torch.tensor(K, dtype=torch.float32).unsqueeze(0).unsqueeze(0)
    return F.conv2d(Xt, Kt).squeeze(0).squeeze(0).numpy()
"""),
        Right("float() and view", """
def conv2d_torch(X, K):
    Xt = torch.from_numpy(np.array(X)).float().view(1, 1, *X.shape)
    Kt = torch.from_numpy(np.array(K)).float().view(1, 1, *K.shape)
    return F.conv2d(Xt, Kt)[0, 0].numpy()
"""),
    ],
}

globals().update(suite("02_conv2d", WRONG, RIGHT, least_specific=0.9))
