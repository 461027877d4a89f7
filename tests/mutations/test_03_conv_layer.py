"""Mutation suite for notebook 03 (the convolutional layer): wrong answers as students write
them must fail with their diagnosis; correct alternatives must pass the visible and the hidden
cases."""
from dataclasses import replace


from course.checks.conv_layer import check_conv_layer

from .harness import Right, Wrong, assert_right, suite

FORBIDDEN = "would score 0 when graded"

# Exercise 1's answer, as the notebook's earlier cell defines it (exercise 2 builds on it).
CONV2D_CHANNELS = """
def conv2d_channels(X, K):
    (H, W, _), (h, w, _) = X.shape, K.shape
    out = np.zeros((H - h + 1, W - w + 1), dtype=np.result_type(X, K, np.float32))
    for i in range(H - h + 1):
        for j in range(W - w + 1):
            out[i, j] = np.sum(X[i:i + h, j:j + w, :] * K)
    return out
"""


def channels(body: str, dtype: str = "np.result_type(X, K, np.float32)") -> str:
    """A conv2d_channels answer whose inner loop body is `body` (indented under `for j`)."""
    return f"""
def conv2d_channels(X, K):
    (H, W, C), (h, w, _) = X.shape, K.shape
    out = np.zeros((H - h + 1, W - w + 1), dtype={dtype})
    for i in range(H - h + 1):
        for j in range(W - w + 1):
{body}
    return out
"""


def layer(body: str) -> str:
    """A conv_layer answer built on conv2d_channels; `body` computes the result from Z, the
    stacked maps (H', W', F)."""
    return f"""
def conv_layer(input, weight, bias=None, activation=None):
    Z = np.stack([conv2d_channels(input, k) for k in weight], axis=-1)
{body}
"""


ACTIVATE = """
    if activation == "relu":
        A = np.maximum(A, 0)
    elif activation == "tanh":
        A = np.tanh(A)
    return A"""
BIAS = """
    A = Z if bias is None else Z + bias"""


def mask(body: str) -> str:
    return f"""
def receptive_field_mask(H, W, h, w, i, j):
    mask = np.zeros((H, W), dtype=bool)
    {body}
    return mask
"""


def matrix(column: str, row: str = "i * W_out + j", shape: str = "(H_out * W_out, H * W)",
           dtype: str = "np.result_type(K, np.float32)", value: str = "K[a, c]") -> str:
    """A conv_as_matrix answer with four loops, writing `value` at M[row, column]."""
    return f"""
def conv_as_matrix(K, H, W):
    h, w = K.shape
    H_out, W_out = H - h + 1, W - w + 1
    M = np.zeros({shape}, dtype={dtype})
    for i in range(H_out):
        for j in range(W_out):
            for a in range(h):
                for c in range(w):
                    M[{row}, {column}] = {value}
    return M
"""


def torch_layer(x: str = "x.permute(2, 0, 1)[None]", k: str = "k.permute(0, 3, 1, 2)",
                b: str = "b", out: str = "[0].permute(1, 2, 0)") -> str:
    """A conv_layer_torch answer; x, k and b are float32 tensors of the inputs."""
    return f"""
def conv_layer_torch(input, weight, bias=None):
    x = torch.tensor(input, dtype=torch.float32)
    k = torch.tensor(weight, dtype=torch.float32)
    b = None if bias is None else torch.tensor(bias, dtype=torch.float32)
    return F.conv2d({x}, {k}, {b}){out}.numpy()
"""


WRONG = {
    "conv2d_channels": [
        Wrong("one map per channel", """
def conv2d_channels(X, K):
    (H, W, C), (h, w, _) = X.shape, K.shape
    out = np.zeros((H - h + 1, W - w + 1, C), dtype=np.result_type(X, K, np.float32))
    for i in range(H - h + 1):
        for j in range(W - w + 1):
            out[i, j] = np.sum(X[i:i + h, j:j + w] * K, axis=(0, 1))
    return out
""", says="one map per channel"),
        Wrong("max over the channels", channels("""
            out[i, j] = np.max(np.sum(X[i:i + h, j:j + w] * K, axis=(0, 1)))"""),
              says="max over the channels"),
        Wrong("mean over the channels", channels("""
            out[i, j] = np.mean(np.sum(X[i:i + h, j:j + w] * K, axis=(0, 1)))"""),
              says="averaged the channels"),
        Wrong("first channel only", channels("""
            out[i, j] = np.sum(X[i:i + h, j:j + w, 0] * K[:, :, 0])"""),
              says="only the first channel"),
        Wrong("first kernel slice for every channel", channels("""
            out[i, j] = np.sum(X[i:i + h, j:j + w] * K[:, :, :1])"""),
              says="K[:, :, 0]"),
        Wrong("the lecture's 1-based indices copied", channels("""
            for a in range(h):
                for b in range(w):
                    out[i, j] += np.dot(X[i - 1 + a, j - 1 + b], K[a, b])"""),
              says="1-based indices"),
        Wrong("float64 output whatever the inputs", channels("""
            out[i, j] = np.sum(X[i:i + h, j:j + w] * K)""", dtype="float"),
              says="dtype is float64"),
        Wrong("output dtype of the image", channels("""
            out[i, j] = np.sum(X[i:i + h, j:j + w] * K)""", dtype="X.dtype"),
              says="integer dtype uint8"),
        Wrong("loops one short", """
def conv2d_channels(X, K):
    (H, W, C), (h, w, _) = X.shape, K.shape
    out = np.zeros((H - h, W - w), dtype=np.result_type(X, K, np.float32))
    for i in range(H - h):
        for j in range(W - w):
            out[i, j] = np.sum(X[i:i + h, j:j + w] * K)
    return out
""", says="range(W - w + 1)"),
        Wrong("channels taken as the first axis", """
def conv2d_channels(X, K):
    (C, H, W), (_, h, w) = X.shape, K.shape
    out = np.zeros((H - h + 1, W - w + 1), dtype=np.result_type(X, K, np.float32))
    for i in range(H - h + 1):
        for j in range(W - w + 1):
            out[i, j] = np.sum(X[:, i:i + h, j:j + w] * K)
    return out
"""),
        Wrong("F.conv2d", """
def conv2d_channels(X, K):
    x = torch.tensor(X, dtype=torch.float64).permute(2, 0, 1)[None]
    k = torch.tensor(K, dtype=torch.float64).permute(2, 0, 1)[None]
    return F.conv2d(x, k)[0, 0].numpy().astype(np.result_type(X, K, np.float32))
""", says=FORBIDDEN),
        Wrong("scipy.signal.correlate over the three axes", """
import scipy.signal

def conv2d_channels(X, K):
    out = scipy.signal.correlate(X, K, mode="valid")[..., 0]
    return out.astype(np.result_type(X, K, np.float32))
""", says=FORBIDDEN),
    ],
    "conv_layer": [
        Wrong("maps stacked on the first axis", """
def conv_layer(input, weight, bias=None, activation=None):
    Z = np.stack([conv2d_channels(input, k) for k in weight])
    if bias is not None:
        Z = Z + bias[:, None, None]
    if activation == "relu":
        Z = np.maximum(Z, 0)
    elif activation == "tanh":
        Z = np.tanh(Z)
    return Z
""", says="stacked on the first axis"),
        Wrong("maps reshaped into the layout", """
def conv_layer(input, weight, bias=None, activation=None):
    maps = np.array([conv2d_channels(input, k) for k in weight])
    A = maps.reshape(maps.shape[1], maps.shape[2], maps.shape[0])
    if bias is not None:
        A = A + bias""" + ACTIVATE, says="you used reshape"),
        Wrong("only the first kernel", """
def conv_layer(input, weight, bias=None, activation=None):
    A = conv2d_channels(input, weight[0])
    if bias is not None:
        A = A + bias[0]""" + ACTIVATE, says="only one activation map"),
        Wrong("the maps added into one", layer("""
    A = Z.sum(axis=-1)
    if bias is not None:
        A = A + bias.sum()""" + ACTIVATE), says="into one"),
        Wrong("bias forgotten", layer("""
    A = Z""" + ACTIVATE), says="bias is missing"),
        Wrong("activation before the bias", layer("""
    A = Z""" + ACTIVATE.replace("return A", "return A if bias is None else A + bias")),
              says="activation was applied before the bias"),
        Wrong("bias added for every input channel", """
def conv_layer(input, weight, bias=None, activation=None):
    b = [0] * len(weight) if bias is None else bias
    A = np.stack([sum(conv2d_channels(input[..., c:c + 1], k[..., c:c + 1]) + b[f]
                      for c in range(input.shape[2]))
                  for f, k in enumerate(weight)], axis=-1)"""
              + ACTIVATE, says="once per input channel"),
        Wrong("bias spread over the pixels", layer("""
    A = Z if bias is None else Z + bias / (Z.shape[0] * Z.shape[1])""" + ACTIVATE),
              says="spread over the pixels"),
        Wrong("activation of each channel", """
def conv_layer(input, weight, bias=None, activation=None):
    sigma = {None: lambda z: z, "relu": lambda z: np.maximum(z, 0), "tanh": np.tanh}[activation]
    maps = []
    for k in weight:
        maps.append(sum(sigma(conv2d_channels(input[..., c:c + 1], k[..., c:c + 1]))
                        for c in range(input.shape[2])))
    A = np.stack(maps, axis=-1)
    return A if bias is None else A + bias
""", says="each channel before the sum"),
        Wrong("activation ignored", layer(BIAS + """
    return A"""), says="was not applied"),
        Wrong("activation names capitalised", layer(BIAS + ACTIVATE.replace('"relu"', '"ReLU"')),
              says="activation='relu' was not applied"),
        Wrong("ReLU for both activations", layer(BIAS + """
    return A if activation is None else np.maximum(A, 0)"""), says="you applied ReLU"),
        Wrong("`if bias:` on an array", layer("""
    A = Z + bias if bias else Z""" + ACTIVATE), says="raised ValueError"),
        Wrong("float64 maps whatever the inputs", """
def conv_layer(input, weight, bias=None, activation=None):
    (H, W, C), (n_maps, h, w, _) = input.shape, weight.shape
    A = np.zeros((H - h + 1, W - w + 1, n_maps))
    for f in range(n_maps):
        A[..., f] = conv2d_channels(input, weight[f]) + (0 if bias is None else bias[f])"""
              + ACTIVATE, says="dtype is float64"),
        Wrong("F.conv2d", """
def conv_layer(input, weight, bias=None, activation=None):
    x = torch.tensor(input, dtype=torch.float64).permute(2, 0, 1)[None]
    k = torch.tensor(weight, dtype=torch.float64).permute(0, 3, 1, 2)
    b = None if bias is None else torch.tensor(bias, dtype=torch.float64)
    A = F.conv2d(x, k, b)[0].permute(1, 2, 0).numpy()""" + ACTIVATE, says=FORBIDDEN),
        Wrong("a helper in another cell calls scipy", layer(BIAS + ACTIVATE), setup="""
from scipy.signal import correlate

def conv2d_channels(X, K):
    return correlate(X, K, mode="valid")[..., 0].astype(np.result_type(X, K, np.float32))
""", says=FORBIDDEN),
    ],
    "receptive_field_mask": [
        Wrong("one row and column too many", mask("mask[i:i + h + 1, j:j + w + 1] = True"),
              says="one row and one column too many"),
        Wrong("the lecture's inclusive end copied", mask("mask[i:i + h - 1, j:j + w - 1] = True"),
              says="one row and one column too few"),
        Wrong("window centred on (i, j)", mask(
            "mask[max(i - h // 2, 0):i - h // 2 + h, max(j - w // 2, 0):j - w // 2 + w] = True"),
              says="centred the window"),
        Wrong("window ending at (i, j)", mask(
            "mask[max(i - h + 1, 0):i + 1, max(j - w + 1, 0):j + 1] = True"),
              says="ends at (i, j)"),
        Wrong("h and w swapped", mask("mask[i:i + w, j:j + h] = True"),
              says="h (the kernel's height) goes with rows"),
        Wrong("i and j swapped", mask("mask[j:j + h, i:i + w] = True"), says="i and j are swapped"),
        Wrong("only the pixel (i, j)", mask("mask[i, j] = True"), says="only pixel (i, j)"),
        Wrong("ends at h and w", mask("mask[i:h, j:w] = True"), says="stops at row h"),
        Wrong("a mask of ones and zeros", """
def receptive_field_mask(H, W, h, w, i, j):
    mask = np.zeros((H, W))
    mask[i:i + h, j:j + w] = 1
    return mask
""", says="expected bool"),
        Wrong("a mask of the output's shape", """
def receptive_field_mask(H, W, h, w, i, j):
    mask = np.zeros((H - h + 1, W - w + 1), dtype=bool)
    mask[i, j] = True
    return mask
""", says="a mask of the input's shape"),
    ],
    "conv_as_matrix": [
        Wrong("transposed", matrix("i * W_out + j", row="(i + a) * W + (j + c)",
                                   shape="(H * W, H_out * W_out)"), says="matrix is transposed"),
        Wrong("kernel flipped", matrix("(i + a) * W + (j + c)", value="K[h - 1 - a, w - 1 - c]"),
              says="kernel is flipped"),
        Wrong("input rows of the output's width", matrix("(i + a) * W_out + (j + c)"),
              says="not W - w + 1"),
        Wrong("input rows of length H", matrix("(i + a) * H + (j + c)"), says="not H"),
        Wrong("float64 matrix whatever the kernel", matrix("(i + a) * W + (j + c)", dtype="float"),
              says="dtype is float64"),
        Wrong("a list of rows", """
def conv_as_matrix(K, H, W):
    h, w = K.shape
    rows = []
    for i in range(H - h + 1):
        for j in range(W - w + 1):
            row = np.zeros((H, W), dtype=np.result_type(K, np.float32))
            row[i:i + h, j:j + w] = K
            rows.append(row.ravel())
    return rows
""", says="return a NumPy array"),
        Wrong("columns from F.conv2d of unit images", """
def conv_as_matrix(K, H, W):
    units = torch.eye(H * W, dtype=torch.float64).reshape(H * W, 1, H, W)
    k = torch.tensor(K, dtype=torch.float64)[None, None]
    M = F.conv2d(units, k).reshape(H * W, -1).T
    return M.numpy().astype(np.result_type(K, np.float32))
""", says=FORBIDDEN),
    ],
    "conv_layer_torch": [
        Wrong("batch axis and channels first kept", torch_layer(out=""), says="take [0]"),
        Wrong("channels first", torch_layer(out="[0]"), says="on the first axis"),
        Wrong("reshape instead of permute", torch_layer(
            x="x.reshape(1, x.shape[2], x.shape[0], x.shape[1])",
            k="k.reshape(k.shape[0], k.shape[3], k.shape[1], k.shape[2])"),
              says="you used reshape"),
        Wrong("kernels transposed", torch_layer(k="k.permute(0, 3, 2, 1)"),
              says="kernels are transposed"),
        Wrong("image transposed", torch_layer(x="x.permute(2, 1, 0)[None]"),
              says="image is transposed"),
        Wrong("output axes reversed", torch_layer(out="[0].permute(2, 1, 0)"),
              says="(W', H', F)"),
        Wrong("bias not passed", torch_layer(b="None"), says="bias is missing"),
        Wrong("returns the tensor", torch_layer(out="[0].permute(1, 2, 0)").replace(".numpy()", ""),
              says="returned a torch tensor"),
        Wrong("dtype of the inputs kept", """
def conv_layer_torch(input, weight, bias=None):
    x = torch.from_numpy(np.asarray(input, dtype=np.result_type(input, weight)))
    k = torch.from_numpy(np.asarray(weight, dtype=np.result_type(input, weight)))
    b = None if bias is None else torch.from_numpy(np.asarray(bias, dtype=x.numpy().dtype))
    return F.conv2d(x.permute(2, 0, 1)[None], k.permute(0, 3, 1, 2), b)[0].permute(1, 2, 0).numpy()
""", says="whatever the dtype of the inputs"),
    ],
}

RIGHT = {
    "conv2d_channels": [
        Right("sliding_window_view over the image axes and einsum", """
def conv2d_channels(X, K):
    h, w, _ = K.shape
    windows = sliding_window_view(X, (h, w), axis=(0, 1))       # (H', W', C, h, w)
    return np.einsum("ijcab,abc->ij", windows, K).astype(np.result_type(X, K, np.float32))
"""),
        Right("notebook 02's conv2d summed over the channels", """
def conv2d_channels(X, K):
    return sum(conv2d(X[:, :, c], K[:, :, c]) for c in range(X.shape[2]))
""", setup="""
def conv2d(X, K):
    (H, W), (h, w) = X.shape, K.shape
    out = np.zeros((H - h + 1, W - w + 1), dtype=np.result_type(X, K, np.float32))
    for i in range(H - h + 1):
        for j in range(W - w + 1):
            out[i, j] = np.sum(X[i:i + h, j:j + w] * K)
    return out
"""),
        Right("tensordot of each window", channels("""
            out[i, j] = np.tensordot(X[i:i + h, j:j + w], K, axes=3)""")),
    ],
    "conv_layer": [
        Right("einsum over all the windows at once", """
def conv_layer(input, weight, bias=None, activation=None):
    F_, h, w, C = weight.shape
    windows = sliding_window_view(input, (h, w), axis=(0, 1))  # (H', W', C, h, w)
    A = np.einsum("ijcab,fabc->ijf", windows, weight)
    A = A.astype(np.result_type(input, weight, np.float32))
    if bias is not None:
        A = A + bias.astype(A.dtype)
    return {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh}.get(activation, lambda z: z)(A)
"""),
        Right("a loop over the kernels, np.where for ReLU", """
def conv_layer(input, weight, bias=None, activation=None):
    maps = []
    for f, k in enumerate(weight):
        z = conv2d_channels(input, k)
        if bias is not None:
            z = z + bias[f].astype(z.dtype)
        if activation == "relu":
            z = np.where(z > 0, z, 0).astype(z.dtype)
        elif activation == "tanh":
            z = np.tanh(z)
        maps.append(z)
    return np.stack(maps, axis=-1)
""", setup=CONV2D_CHANNELS),
        Right("stack on the first axis, then transpose", """
def conv_layer(input, weight, bias=None, activation=None):
    Z = np.array([conv2d_channels(input, k) for k in weight]).transpose(1, 2, 0)
    if bias is not None:
        Z = Z + bias.astype(Z.dtype)
    if activation == "relu":
        Z = (Z + np.abs(Z)) / 2
    if activation == "tanh":
        Z = np.tanh(Z)
    return Z
""", setup=CONV2D_CHANNELS),
    ],
    "receptive_field_mask": [
        Right("comparisons of the row and column indices", """
def receptive_field_mask(H, W, h, w, i, j):
    rows, cols = np.arange(H)[:, None], np.arange(W)[None, :]
    return (rows >= i) & (rows < i + h) & (cols >= j) & (cols < j + w)
"""),
        Right("loops over the window", """
def receptive_field_mask(H, W, h, w, i, j):
    mask = np.full((H, W), False)
    for a in range(h):
        for b in range(w):
            mask[i + a, j + b] = True
    return mask
"""),
    ],
    "conv_as_matrix": [
        Right("one row per output, the kernel placed in an image", """
def conv_as_matrix(K, H, W):
    h, w = K.shape
    rows = []
    for i in range(H - h + 1):
        for j in range(W - w + 1):
            row = np.zeros((H, W), dtype=np.result_type(K, np.float32))
            row[i:i + h, j:j + w] = K
            rows.append(row.ravel())
    return np.array(rows)
"""),
        Right("columns from the convolution of unit images", """
def conv_as_matrix(K, H, W):
    units = np.eye(H * W, dtype=np.result_type(K, np.float32)).reshape(H * W, H, W, 1)
    return np.stack([conv2d_channels(u, K[:, :, None]).ravel() for u in units], axis=1)
""", setup=CONV2D_CHANNELS),
    ],
    "conv_layer_torch": [
        Right("transpose in NumPy first", """
def conv_layer_torch(input, weight, bias=None):
    x = torch.from_numpy(np.ascontiguousarray(input.transpose(2, 0, 1), dtype=np.float32))
    k = torch.from_numpy(np.ascontiguousarray(weight.transpose(0, 3, 1, 2), dtype=np.float32))
    b = None if bias is None else torch.from_numpy(np.asarray(bias, dtype=np.float32))
    return F.conv2d(x.unsqueeze(0), k, b).squeeze(0).permute(1, 2, 0).numpy()
"""),
        Right("an nn.Conv2d layer with the weights copied in", """
def conv_layer_torch(input, weight, bias=None):
    F_, h, w, C = weight.shape
    conv = nn.Conv2d(C, F_, (h, w), bias=bias is not None)
    with torch.no_grad():
        conv.weight.copy_(torch.tensor(weight, dtype=torch.float32).permute(0, 3, 1, 2))
        if bias is not None:
            conv.bias.copy_(torch.tensor(bias, dtype=torch.float32))
        out = conv(torch.tensor(input, dtype=torch.float32).permute(2, 0, 1)[None])
    return out[0].permute(1, 2, 0).numpy()
"""),
        Right("unbatched input (C, H, W)", torch_layer(x="x.permute(2, 0, 1)",
                                                      out=".permute(1, 2, 0)")),
    ],
}

# Exercise 2's answers call exercise 1's conv2d_channels, defined in an earlier cell.
WRONG["conv_layer"] = [m if m.setup else replace(m, setup=CONV2D_CHANNELS)
                       for m in WRONG["conv_layer"]]
# A correct answer that names the number of kernels F, as the lecture does, while the notebook
# has `import torch.nn.functional as F`: the local name must not count as a forbidden use.
LOCAL_F = Right("the number of kernels called F, as in the lecture", """
def conv_layer(input, weight, bias=None, activation=None):
    (H, W, C), (F, h, w, _) = input.shape, weight.shape
    out = np.zeros((H - h + 1, W - w + 1, F), dtype=np.result_type(input, weight, np.float32))
    for f in range(F):
        for i in range(H - h + 1):
            for j in range(W - w + 1):
                out[i, j, f] = np.sum(input[i:i + h, j:j + w] * weight[f])
    if bias is not None:
        out = out + bias.astype(out.dtype)
    if activation == "relu":
        out = np.maximum(out, 0)
    elif activation == "tanh":
        out = np.tanh(out)
    return out
""")

globals().update(suite("03_conv_layer", WRONG, RIGHT, least_specific=0.9))


def test_a_local_name_that_shadows_an_import_is_not_forbidden():
    assert_right(check_conv_layer, LOCAL_F)
