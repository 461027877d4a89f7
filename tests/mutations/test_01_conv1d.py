"""Mutation suite for notebook 01 (1D convolution): wrong answers as students write them must
fail with their diagnosis; correct alternatives must pass the visible and the hidden cases."""
from .harness import Right, Wrong, suite

FORBIDDEN = "would score 0 when graded"

# Exercise 1's answer, as the notebook's earlier cell defines it (exercise 4 builds on it).
CONV1D = """
def conv1d(x, k):
    W, w = len(x), len(k)
    out = np.zeros(W - w + 1, dtype=np.result_type(x, k, np.float32))
    for i in range(W - w + 1):
        for j in range(w):
            out[i] += x[i + j] * k[j]
    return out
"""


def loops(body: str, signature: str = "conv1d(x, k)") -> str:
    """A conv1d-style answer whose loop body is `body` (indented under `for i`)."""
    return f"""
def {signature}:
    W, w = len(x), len(k)
    out = np.zeros(W - w + 1, dtype=np.result_type(x, k, np.float32))
    for i in range(W - w + 1):
{body}
    return out
"""


WRONG = {
    "conv1d": [
        Wrong("kernel read backwards", loops("""
        for j in range(w):
            out[i] += x[i + j] * k[w - 1 - j]"""), says="your kernel is flipped"),
        Wrong("loop one window short", """
def conv1d(x, k):
    W, w = len(x), len(k)
    out = np.zeros(W - w, dtype=np.result_type(x, k, np.float32))
    for i in range(W - w):
        out[i] = np.dot(x[i:i + w], k)
    return out
""", says="range(W - w + 1)"),
        Wrong("float64 output whatever the inputs", """
def conv1d(x, k):
    W, w = len(x), len(k)
    out = np.zeros(W - w + 1)
    for i in range(W - w + 1):
        out[i] = np.sum(x[i:i + w] * k)
    return out
""", says="dtype is float64"),
        Wrong("float32 output whatever the inputs", """
def conv1d(x, k):
    W, w = len(x), len(k)
    out = np.zeros(W - w + 1, dtype=np.float32)
    for i in range(W - w + 1):
        out[i] = np.sum(x[i:i + w] * k)
    return out
""", says="float32, so the values lost precision"),
        Wrong("output dtype of the signal", """
def conv1d(x, k):
    W, w = len(x), len(k)
    out = np.zeros(W - w + 1, dtype=x.dtype)
    for i in range(W - w + 1):
        out[i] = np.sum(x[i:i + w] * k)
    return out
""", says="integer dtype uint8"),
        Wrong("integer output", """
def conv1d(x, k):
    W, w = len(x), len(k)
    out = np.zeros(W - w + 1, dtype=int)
    for i in range(W - w + 1):
        out[i] = np.sum(x[i:i + w] * k)
    return out
""", says="integer dtype"),
        Wrong("running total never reset", """
def conv1d(x, k):
    W, w = len(x), len(k)
    out = np.zeros(W - w + 1, dtype=np.result_type(x, k, np.float32))
    total = 0
    for i in range(W - w + 1):
        for j in range(w):
            total += x[i + j] * k[j]
        out[i] = total
    return out
""", says="not reset"),
        Wrong("the lecture's 1-based index copied", loops("""
        for j in range(w):
            out[i] += x[i - 1 + j] * k[j]"""), says="counts from 1"),
        Wrong("window summed without the kernel", loops("""
        out[i] = np.sum(x[i:i + w])"""), says="without multiplying"),
        Wrong("slides past the ends", """
def conv1d(x, k):
    W, w = len(x), len(k)
    padded = np.concatenate([np.zeros(w - 1), x, np.zeros(w - 1)])
    out = np.zeros(W + w - 1, dtype=np.result_type(x, k, np.float32))
    for i in range(W + w - 1):
        out[i] = np.dot(padded[i:i + w], k)
    return out
""", says="past the ends"),
        Wrong("output as long as the input", """
def conv1d(x, k):
    W, w = len(x), len(k)
    out = np.zeros(W, dtype=np.result_type(x, k, np.float32))
    for i in range(W - w + 1):
        out[i] = np.dot(x[i:i + w], k)
    return out
""", says="size of the input"),
        Wrong("first output never computed", """
def conv1d(x, k):
    W, w = len(x), len(k)
    out = np.zeros(W - w + 1, dtype=np.result_type(x, k, np.float32))
    for i in range(1, W - w + 1):
        out[i] = np.dot(x[i:i + w], k)
    return out
""", says="were they ever computed"),
        Wrong("a Python list", """
def conv1d(x, k):
    return [float(np.dot(x[i:i + len(k)], k)) for i in range(len(x) - len(k) + 1)]
""", says="return a NumPy array"),
        Wrong("window multiplied in place", loops("""
        window = x[i:i + w]
        window *= k
        out[i] = window.sum()"""), says="modified its input `x` in place"),
        Wrong("one window per input value", """
def conv1d(x, k):
    return np.array([x[i:i + len(k)] @ k for i in range(len(x))])
""", says="raised ValueError"),
        Wrong("np.correlate", """
def conv1d(x, k):
    return np.correlate(x, k, "valid")
""", says=FORBIDDEN),
        Wrong("np.convolve with the kernel reversed", """
def conv1d(x, k):
    return np.convolve(x, k[::-1], mode="valid").astype(np.result_type(x, k, np.float32))
""", says=FORBIDDEN),
        Wrong("PyTorch in a from-scratch exercise", """
def conv1d(x, k):
    t = F.conv1d(torch.tensor(x, dtype=torch.float64)[None, None],
                 torch.tensor(k, dtype=torch.float64)[None, None])
    return t[0, 0].numpy().astype(np.result_type(x, k, np.float32))
""", says=FORBIDDEN),
        Wrong("scipy.signal.correlate", """
from scipy import signal

def conv1d(x, k):
    return signal.correlate(x, k, mode="valid").astype(np.result_type(x, k, np.float32))
""", says=FORBIDDEN),
        Wrong("a helper in another cell calls np.convolve", """
def conv1d(x, k):
    return slide(x, k)
""", setup="""
def slide(x, k):
    return np.convolve(x, k[::-1], "valid").astype(np.result_type(x, k, np.float32))
""", says=FORBIDDEN),
    ],
    "conv1d_output_size": [
        Wrong("forgets the + 1", """
def conv1d_output_size(W, w, stride=1):
    return (W - w) // stride
""", says="you forgot the + 1"),
        Wrong("adds 1 before dividing", """
def conv1d_output_size(W, w, stride=1):
    return (W - w + 1) // stride
""", says="divide (W - w) by the stride, then add 1"),
        Wrong("int of a true division, + 1 inside", """
def conv1d_output_size(W, w, stride=1):
    return int((W - w + 1) / stride)
""", says="divide (W - w) by the stride, then add 1"),
        Wrong("rounds up", """
def conv1d_output_size(W, w, stride=1):
    return math.ceil((W - w) / stride) + 1
""", says="rounded (W - w) / stride up"),
        Wrong("rounds to the nearest", """
def conv1d_output_size(W, w, stride=1):
    return round((W - w) / stride) + 1
""", says="nearest whole number"),
        Wrong("forgets the kernel", """
def conv1d_output_size(W, w, stride=1):
    return W // stride
""", says="kernel size is missing"),
        Wrong("true division", """
def conv1d_output_size(W, w, stride=1):
    return (W - w) / stride + 1
""", says="return an int"),
        Wrong("operator precedence", """
def conv1d_output_size(W, w, stride=1):
    return W - w // stride + 1
""", says="operator precedence"),
        Wrong("forgets the stride", """
def conv1d_output_size(W, w, stride=1):
    return W - w + 1
""", says="the stride is missing"),
        Wrong("PyTorch's formula misremembered", """
def conv1d_output_size(W, w, stride=1):
    return (W - w - 1) // stride + 1
""", says="one too many subtracted"),
    ],
    "conv1d_stride": [
        Wrong("stride ignored", CONV1D.replace("conv1d(x, k)", "conv1d_stride(x, k, stride=1)"),
              says="you ignored the stride"),
        Wrong("output stored at the input position", """
def conv1d_stride(x, k, stride=1):
    W, w = len(x), len(k)
    out = np.zeros(W - w + 1, dtype=np.result_type(x, k, np.float32))
    for i in range(0, W - w + 1, stride):
        out[i] = np.dot(x[i:i + w], k)
    return out
""", says="right values in the wrong places"),
        Wrong("stride used as a step inside the window", """
def conv1d_stride(x, k, stride=1):
    span = (len(k) - 1) * stride + 1
    return np.array([np.dot(x[i:i + span:stride], k) for i in range(len(x) - span + 1)],
                    dtype=np.result_type(x, k, np.float32))
""", says="that is dilation"),
        Wrong("windows not moved by the stride", """
def conv1d_stride(x, k, stride=1):
    W, w = len(x), len(k)
    n = (W - w) // stride + 1
    out = np.zeros(n, dtype=np.result_type(x, k, np.float32))
    for j in range(n):
        out[j] = np.dot(x[j:j + w], k)
    return out
""", says="every window starts at j"),
        Wrong("forgets the + 1 of the count", """
def conv1d_stride(x, k, stride=1):
    W, w = len(x), len(k)
    n = (W - w) // stride
    out = np.zeros(n, dtype=np.result_type(x, k, np.float32))
    for j in range(n):
        out[j] = np.dot(x[j * stride:j * stride + w], k)
    return out
""", says="one window too few"),
        Wrong("count from (W - w + 1) // stride", """
def conv1d_stride(x, k, stride=1):
    W, w = len(x), len(k)
    n = (W - w + 1) // stride
    out = np.zeros(n, dtype=np.result_type(x, k, np.float32))
    for j in range(n):
        out[j] = np.dot(x[j * stride:j * stride + w], k)
    return out
""", says="divide W - w by the stride, then add 1"),
        Wrong("range stops before the last window", """
def conv1d_stride(x, k, stride=1):
    W, w = len(x), len(k)
    out = []
    for i in range(0, W - w, stride):
        out.append(np.dot(x[i:i + w], k))
    return np.array(out, dtype=np.result_type(x, k, np.float32))
""", says="range(0, W - w + 1, stride)"),
        Wrong("flipped kernel", """
def conv1d_stride(x, k, stride=1):
    W, w = len(x), len(k)
    n = (W - w) // stride + 1
    out = np.zeros(n, dtype=np.result_type(x, k, np.float32))
    for j in range(n):
        out[j] = np.dot(x[j * stride:j * stride + w], k[::-1])
    return out
""", says="your kernel is flipped"),
        Wrong("running total never reset", """
def conv1d_stride(x, k, stride=1):
    W, w = len(x), len(k)
    n = (W - w) // stride + 1
    out = np.zeros(n, dtype=np.result_type(x, k, np.float32))
    total = 0
    for j in range(n):
        for t in range(w):
            total += x[j * stride + t] * k[t]
        out[j] = total
    return out
""", says="not reset"),
        Wrong("float64 output whatever the inputs", """
def conv1d_stride(x, k, stride=1):
    W, w = len(x), len(k)
    n = (W - w) // stride + 1
    out = np.zeros(n)
    for j in range(n):
        out[j] = np.dot(x[j * stride:j * stride + w], k)
    return out
""", says="dtype is float64"),
        Wrong("np.convolve, one value in stride", """
def conv1d_stride(x, k, stride=1):
    return np.convolve(x, k[::-1], "valid")[::stride].astype(np.result_type(x, k, np.float32))
""", says=FORBIDDEN),
    ],
    "convolve_valid": [
        Wrong("no flip", CONV1D + """
def convolve_valid(x, k):
    return conv1d(x, k)
""", says="lecture's cross-correlation"),
        Wrong("signal flipped instead of the kernel", CONV1D + """
def convolve_valid(x, k):
    return conv1d(x[::-1], k)
""", says="flipped the signal x"),
        Wrong("both flipped", CONV1D + """
def convolve_valid(x, k):
    return conv1d(x[::-1], k[::-1])
""", says="reversing the output"),
        Wrong("output reversed", CONV1D + """
def convolve_valid(x, k):
    return conv1d(x, k)[::-1]
""", says="reversing the output"),
        Wrong("negative indices as the flip", """
def convolve_valid(x, k):
    W, w = len(x), len(k)
    out = np.zeros(W - w + 1, dtype=np.result_type(x, k, np.float32))
    for i in range(W - w + 1):
        for j in range(w):
            out[i] += x[i + j] * k[-j]
    return out
""", says="k[-j] is not the flipped kernel"),
        Wrong("kernel reversed in place", CONV1D + """
def convolve_valid(x, k):
    k[:] = k[::-1]
    return conv1d(x, k)
""", says="modified its input `k` in place"),
        Wrong("np.convolve itself", """
def convolve_valid(x, k):
    return np.convolve(x, k, "valid").astype(np.result_type(x, k, np.float32))
""", says=FORBIDDEN),
        Wrong("np.correlate with the kernel reversed", """
def convolve_valid(x, k):
    return np.correlate(x, k[::-1], "valid").astype(np.result_type(x, k, np.float32))
""", says=FORBIDDEN),
    ],
    "conv1d_torch": [
        Wrong("batch and channel axes kept", """
def conv1d_torch(x, k, stride=1):
    xt = torch.tensor(x, dtype=torch.float32).reshape(1, 1, -1)
    kt = torch.tensor(k, dtype=torch.float32).reshape(1, 1, -1)
    return F.conv1d(xt, kt, stride=stride).numpy()
""", says="take [0, 0]"),
        Wrong("only the batch axis removed", """
def conv1d_torch(x, k, stride=1):
    xt = torch.tensor(x, dtype=torch.float32).reshape(1, 1, -1)
    kt = torch.tensor(k, dtype=torch.float32).reshape(1, 1, -1)
    return F.conv1d(xt, kt, stride=stride)[0].numpy()
""", says="(1, n) result"),
        Wrong("stride not passed", """
def conv1d_torch(x, k, stride=1):
    xt = torch.tensor(x, dtype=torch.float32).reshape(1, 1, -1)
    kt = torch.tensor(k, dtype=torch.float32).reshape(1, 1, -1)
    return F.conv1d(xt, kt)[0, 0].numpy()
""", says="stride is not passed"),
        Wrong("kernel flipped for PyTorch", """
def conv1d_torch(x, k, stride=1):
    xt = torch.tensor(x, dtype=torch.float32).reshape(1, 1, -1)
    kt = torch.flip(torch.tensor(k, dtype=torch.float32), dims=[0]).reshape(1, 1, -1)
    return F.conv1d(xt, kt, stride=stride)[0, 0].numpy()
""", says="your kernel is flipped"),
        Wrong("returns the tensor", """
def conv1d_torch(x, k, stride=1):
    xt = torch.tensor(x, dtype=torch.float32).reshape(1, 1, -1)
    kt = torch.tensor(k, dtype=torch.float32).reshape(1, 1, -1)
    return F.conv1d(xt, kt, stride=stride)[0, 0]
""", says="returned a torch tensor"),
        Wrong("squeeze", """
def conv1d_torch(x, k, stride=1):
    xt = torch.tensor(x, dtype=torch.float32).reshape(1, 1, -1)
    kt = torch.tensor(k, dtype=torch.float32).reshape(1, 1, -1)
    return F.conv1d(xt, kt, stride=stride).squeeze().numpy()
""", says=".squeeze() also removed"),
        Wrong("dtype of the inputs kept", """
def conv1d_torch(x, k, stride=1):
    xt = torch.from_numpy(np.asarray(x, dtype=np.result_type(x, k, np.float32)))
    kt = torch.from_numpy(np.asarray(k, dtype=np.result_type(x, k, np.float32)))
    return F.conv1d(xt.reshape(1, 1, -1), kt.reshape(1, 1, -1), stride=stride)[0, 0].numpy()
""", says="whatever the dtype of the inputs"),
        Wrong("stride passed as dilation", """
def conv1d_torch(x, k, stride=1):
    xt = torch.tensor(x, dtype=torch.float32).reshape(1, 1, -1)
    kt = torch.tensor(k, dtype=torch.float32).reshape(1, 1, -1)
    return F.conv1d(xt, kt, dilation=stride)[0, 0].numpy()
""", says="dilation="),
        Wrong("stride passed in the bias's place", """
def conv1d_torch(x, k, stride=1):
    xt = torch.tensor(x, dtype=torch.float32).reshape(1, 1, -1)
    kt = torch.tensor(k, dtype=torch.float32).reshape(1, 1, -1)
    return F.conv1d(xt, kt, stride)[0, 0].numpy()
""", says="raised TypeError"),
    ],
}

RIGHT = {
    "conv1d": [
        Right("sliding_window_view and a matrix product", """
def conv1d(x, k):
    return sliding_window_view(x, len(k)) @ k.astype(np.result_type(x, k, np.float32))
"""),
        Right("shifted slices, one per kernel value", """
def conv1d(x, k):
    n = len(x) - len(k) + 1
    out = np.zeros(n, dtype=np.result_type(x, k, np.float32))
    for j in range(len(k)):
        out += k[j] * x[j:j + n]
    return out
"""),
        Right("einsum", """
def conv1d(x, k):
    windows = sliding_window_view(x, len(k))
    return np.einsum("ij,j->i", windows, k).astype(np.result_type(x, k, np.float32))
"""),
        Right("list of dot products, dtype of np.result_type(x, k)", """
def conv1d(x, k):
    w = len(k)
    return np.array([np.dot(x[i:i + w], k) for i in range(len(x) - w + 1)],
                    dtype=np.result_type(x, k))
"""),
        Right("while loop", """
def conv1d(x, k):
    out = np.zeros(len(x) - len(k) + 1, dtype=np.result_type(x, k, np.float32))
    i = 0
    while i + len(k) <= len(x):
        out[i] = (x[i:i + len(k)] * k).sum()
        i += 1
    return out
"""),
    ],
    "conv1d_output_size": [
        Right("the number of window starts", """
def conv1d_output_size(W, w, stride=1):
    return len(range(0, W - w + 1, stride))
"""),
        Right("floor of a true division", """
def conv1d_output_size(W, w, stride=1):
    return math.floor((W - w) / stride) + 1
"""),
        Right("ceil of (W - w + 1) / stride", """
def conv1d_output_size(W, w, stride=1):
    return -(-(W - w + 1) // stride)
"""),
    ],
    "conv1d_stride": [
        Right("every stride-th value of conv1d", """
def conv1d_stride(x, k, stride=1):
    return conv1d(x, k)[::stride]
""", setup=CONV1D),
        Right("strided windows and a matrix product", """
def conv1d_stride(x, k, stride=1):
    return sliding_window_view(x, len(k))[::stride] @ k.astype(np.result_type(x, k, np.float32))
"""),
        Right("loop over input positions, output index i // stride", """
def conv1d_stride(x, k, stride=1):
    W, w = len(x), len(k)
    out = np.zeros((W - w) // stride + 1, dtype=np.result_type(x, k, np.float32))
    for i in range(0, W - w + 1, stride):
        out[i // stride] = np.dot(x[i:i + w], k)
    return out
"""),
    ],
    "convolve_valid": [
        Right("np.flip", """
def convolve_valid(x, k):
    return conv1d(x, np.flip(k))
""", setup=CONV1D),
        Right("loops reading the kernel backwards", """
def convolve_valid(x, k):
    W, w = len(x), len(k)
    out = np.zeros(W - w + 1, dtype=np.result_type(x, k, np.float32))
    for i in range(W - w + 1):
        for j in range(w):
            out[i] += x[i + j] * k[w - 1 - j]
    return out
"""),
    ],
    "conv1d_torch": [
        Right("unsqueeze, flatten", """
def conv1d_torch(x, k, stride=1):
    xt = torch.tensor(x, dtype=torch.float32).unsqueeze(0).unsqueeze(0)
    kt = torch.tensor(k, dtype=torch.float32).unsqueeze(0).unsqueeze(0)
    return F.conv1d(xt, kt, stride=stride).flatten().numpy()
"""),
        Right("float() and view", """
def conv1d_torch(x, k, stride=1):
    xt = torch.from_numpy(np.array(x)).float().view(1, 1, -1)
    kt = torch.from_numpy(np.array(k)).float().view(1, 1, -1)
    return F.conv1d(xt, kt, stride=stride).view(-1).numpy()
"""),
        Right("an nn.Conv1d layer with the kernel copied in", """
def conv1d_torch(x, k, stride=1):
    layer = nn.Conv1d(1, 1, len(k), stride=stride, bias=False)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(k, dtype=torch.float32).reshape(1, 1, -1))
        out = layer(torch.tensor(x, dtype=torch.float32).reshape(1, 1, -1))
    return out[0, 0].numpy()
"""),
    ],
}

globals().update(suite("01_conv1d", WRONG, RIGHT, least_specific=0.9))
