"""Mutation suite for notebook 00 (setup): wrong answers as students write them must fail with
their diagnosis; correct alternatives must pass the visible and the hidden cases."""
from .harness import Right, Wrong, suite

WRONG = {
    "flatten_image": [
        Wrong("channels first", """
def flatten_image(image):
    return image.transpose(2, 0, 1).reshape(-1)
""", says="channel-first"),
        Wrong("channels concatenated one after the other", """
def flatten_image(image):
    return np.concatenate([image[:, :, c].ravel() for c in range(image.shape[2])])
""", says="channel-first"),
        Wrong("Fortran order", """
def flatten_image(image):
    return image.flatten(order="F")
""", says="column-major"),
        Wrong("loops with the column outside", """
def flatten_image(image):
    H, W, C = image.shape
    out = np.zeros(H * W * C, dtype=image.dtype)
    n = 0
    for j in range(W):
        for i in range(H):
            for c in range(C):
                out[n] = image[i, j, c]
                n += 1
    return out
""", says="column by column"),
        Wrong("one row per image row", """
def flatten_image(image):
    return image.reshape(image.shape[0], -1)
""", says="still 2D"),
        Wrong("one row per pixel", """
def flatten_image(image):
    return image.reshape(-1, image.shape[2])
""", says="still 2D"),
        Wrong("a batch of one vector", """
def flatten_image(image):
    return image.reshape(1, -1)
""", says="still 2D"),
        Wrong("a Python list", """
def flatten_image(image):
    return list(image.ravel())
""", says="return a NumPy array"),
        Wrong("reshapes the input itself", """
def flatten_image(image):
    image.shape = (-1,)
    return image
""", says="modified its input `image` in place"),
        Wrong("loops into float64 zeros", """
def flatten_image(image):
    out = np.zeros(image.size)
    for n, v in enumerate(image.flat):
        out[n] = v
    return out
""", says="dtype is float64"),
        Wrong("loops into integer zeros", """
def flatten_image(image):
    out = np.zeros(image.size, dtype=int)
    for n, v in enumerate(image.flat):
        out[n] = v
    return out
""", says="integer dtype"),
        Wrong("keeps only the first channel", """
def flatten_image(image):
    return image[:, :, 0].reshape(-1)
""", says="H * W * C"),
    ],
    "dense_params": [
        Wrong("no bias at all", """
def dense_params(n_in, n_out, bias=True):
    return n_in * n_out
""", says="biases are missing"),
        Wrong("bias flag ignored", """
def dense_params(n_in, n_out, bias=True):
    return (n_in + 1) * n_out
""", says="bias=False means no bias"),
        Wrong("bias flag inverted", """
def dense_params(n_in, n_out, bias=True):
    return n_in * n_out + (0 if bias else n_out)
""", says="wrong way round"),
        Wrong("adds the sizes", """
def dense_params(n_in, n_out, bias=True):
    return n_in + n_out + (n_out if bias else 0)
""", says="don't add"),
        Wrong("one bias per input", """
def dense_params(n_in, n_out, bias=True):
    return n_in * n_out + (n_in if bias else 0)
""", says="not one per input"),
        Wrong("bias row on the input side", """
def dense_params(n_in, n_out, bias=True):
    return n_in * (n_out + 1) if bias else n_in * n_out
""", says="not one per input"),
        Wrong("a float count", """
def dense_params(n_in, n_out, bias=True):
    return n_in * n_out + bias * n_out * 1.0
""", says="return an int"),
    ],
    "conv_params": [
        Wrong("forgets the input channels", """
def conv_params(h, w, c_in, c_out, bias=True):
    return h * w * c_out + (c_out if bias else 0)
""", says="spans all the input channels"),
        Wrong("one kernel", """
def conv_params(h, w, c_in, c_out, bias=True):
    return h * w * c_in + (1 if bias else 0)
""", says="that is one kernel"),
        Wrong("bias flag ignored", """
def conv_params(h, w, c_in, c_out, bias=True):
    return (h * w * c_in + 1) * c_out
""", says="bias=False means no bias"),
        Wrong("no bias at all", """
def conv_params(h, w, c_in, c_out, bias=True):
    return h * w * c_in * c_out
""", says="biases are missing"),
        Wrong("square kernel assumed", """
def conv_params(h, w, c_in, c_out, bias=True):
    return h * h * c_in * c_out + (c_out if bias else 0)
""", says="one of its sides twice"),
        Wrong("one bias per input channel", """
def conv_params(h, w, c_in, c_out, bias=True):
    return h * w * c_in * c_out + (c_in if bias else 0)
""", says="not one per input channel"),
        Wrong("adds the channels", """
def conv_params(h, w, c_in, c_out, bias=True):
    return h * w * (c_in + c_out) + (c_out if bias else 0)
""", says="don't add the channels"),
    ],
    "float32_bytes": [
        Wrong("bits, not bytes", """
def float32_bytes(n_params):
    return 32 * n_params
""", says="32 bits, that is 4 bytes"),
        Wrong("float64 bytes", """
def float32_bytes(n_params):
    return 8 * n_params
""", says="float64"),
        Wrong("float16 bytes", """
def float32_bytes(n_params):
    return 2 * n_params
""", says="float16"),
        Wrong("one byte each", """
def float32_bytes(n_params):
    return n_params
""", says="4 bytes, not 1"),
        Wrong("true division", """
def float32_bytes(n_params):
    return n_params * 32 / 8
""", says="return an int"),
    ],
}

RIGHT = {
    "flatten_image": [
        Right("ravel", """
def flatten_image(image):
    return image.ravel()
"""),
        Right("flatten, a copy", """
def flatten_image(image):
    return image.flatten()
"""),
        Right("loops in row-major order, dtype kept", """
def flatten_image(image):
    H, W, C = image.shape
    out = np.empty(H * W * C, dtype=image.dtype)
    for i in range(H):
        for j in range(W):
            out[(i * W + j) * C:(i * W + j + 1) * C] = image[i, j]
    return out
"""),
        Right("rows concatenated", """
def flatten_image(image):
    return np.concatenate([row.ravel() for row in image])
"""),
    ],
    "dense_params": [
        Right("bias as a row of weights", """
def dense_params(n_in, n_out, bias=True):
    return (n_in + int(bias)) * n_out
"""),
    ],
    "conv_params": [
        Right("per kernel, booleans as numbers", """
def conv_params(h, w, c_in, c_out, bias=True):
    return c_out * (h * w * c_in + bias)
"""),
    ],
    "float32_bytes": [
        Right("NumPy's itemsize", """
def float32_bytes(n_params):
    return n_params * np.dtype(np.float32).itemsize
"""),
        Right("bits over 8, integer division", """
def float32_bytes(n_params):
    return n_params * 32 // 8
"""),
    ],
}

globals().update(suite("00_setup", WRONG, RIGHT, least_specific=0.9))
