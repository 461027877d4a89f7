"""Checks for notebook 00 (setup): flattening an image, counting a layer's weights and memory.

The counting exercises return ints; their mistakes are the formulas students really write
(adding instead of multiplying, the bias flag ignored or inverted, one kernel instead of
c_out, ...). Each mistake has one message (one key) for all the cases it applies to, so the
check names it only when it explains every case.
"""
from __future__ import annotations

import numpy as np

from ..i18n import N_, _
from .case import Case, Mistake, streams
from .exercise import Notebook

NOTEBOOK = Notebook("00_setup")
RGB = 256 * 256 * 3  # the lecture's 256 x 256 RGB image, as a vector

# ---------------------------------------------------------------------------------------------
# flatten_image
# ---------------------------------------------------------------------------------------------

CHANNEL_FIRST = N_("right values in channel-first order (all of R, then all of G, ...): keep "
                   "NumPy's row-major order, pixel by pixel with its C values together "
                   "(image.reshape(-1))")
COLUMN_MAJOR = N_("right values in column-major (Fortran) order: NumPy's order is row-major, the "
                  "last axis changing fastest (image.reshape(-1), without order='F')")
COLUMNS_FIRST = N_("right values, but column by column: go row by row, the column index "
                   "changing faster than the row index (image.reshape(-1))")
STILL_2D = N_("the result is still 2D: a dense layer takes one vector of H * W * C numbers, "
              "shape (H * W * C,)")


def _flatten_case(img: np.ndarray) -> Case:
    H, W, C = img.shape
    n = H * W * C
    mistakes = [Mistake(img.transpose(2, 0, 1).reshape(-1), CHANNEL_FIRST),
                Mistake(img.reshape(-1, order="F"), COLUMN_MAJOR),
                Mistake(img.transpose(1, 0, 2).reshape(-1), COLUMNS_FIRST)]
    mistakes += [Mistake(img.reshape(shape), STILL_2D)
                 for shape in [(H, W * C), (H * W, C), (1, n), (n, 1)]]
    label = _("{dtype} image of shape {shape}").format(dtype=img.dtype.name, shape=(H, W, C))
    return Case(label, (img,), arg_names=("image",), expected=img.reshape(-1),
                shape_rule=f"H * W * C = {H} * {W} * {C} = {n}", mistakes=mistakes)


def _image(rng: np.random.Generator, shape: tuple[int, ...], dtype: type) -> np.ndarray:
    if np.dtype(dtype).kind == "u":
        return rng.integers(0, 256, size=shape).astype(dtype)  # 8-bit pixels, as in a photo
    return rng.random(shape).astype(dtype)


def flatten_image_cases(seed: int) -> tuple[list[Case], list[Case]]:
    """Non-square images, one and several channels, float32, float64 and uint8 pixels."""
    vis, hid = streams(seed, "flatten_image")
    visible = [_flatten_case(_image(vis, s, dt)) for s, dt in [
        ((2, 3, 3), np.float32), ((8, 5, 3), np.float64), ((4, 4, 1), np.float32),
        ((3, 4, 2), np.uint8)]]
    hidden = [_flatten_case(_image(hid, (int(hid.integers(1, 40)), int(hid.integers(1, 40)),
                                         int(hid.integers(1, 5))), dt))
              for dt in (np.float32, np.float64, np.uint8, np.float32)]
    return visible, hidden


# ---------------------------------------------------------------------------------------------
# dense_params, conv_params
# ---------------------------------------------------------------------------------------------

NO_BIAS = N_("the biases are missing: bias=True adds one bias per output, n_out of them")
ALWAYS_BIAS = N_("bias=False means no bias: add the n_out biases only when bias is True")
INVERTED_BIAS = N_("the bias is counted the wrong way round: n_out biases when bias=True, none "
                   "when bias=False")
ADDED = N_("every input is connected to every output, one weight per pair: multiply n_in * "
           "n_out, don't add")
BIAS_PER_INPUT = N_("there is one bias per output (n_out of them), not one per input")


def _dense_case(n_in: int, n_out: int, bias: bool) -> Case:
    weights, b = n_in * n_out, (n_out if bias else 0)
    mistakes = [Mistake(weights, NO_BIAS), Mistake(weights + n_out, ALWAYS_BIAS),
                Mistake(weights + (0 if bias else n_out), INVERTED_BIAS),
                Mistake(n_in + n_out, ADDED), Mistake(n_in + n_out + b, ADDED),
                Mistake(weights + (n_in if bias else 0), BIAS_PER_INPUT)]
    return Case(f"n_in={n_in}, n_out={n_out}, bias={bias}", (n_in, n_out), {"bias": bias},
                expected=weights + b, check_dtype=False, mistakes=mistakes)


def dense_params_cases(seed: int) -> tuple[list[Case], list[Case]]:
    _, hid = streams(seed, "dense_params")
    visible = [_dense_case(*c) for c in [(RGB, RGB, False), (RGB, RGB, True), (784, 10, True),
                                         (3, 2, True), (10, 784, False)]]
    hidden = [_dense_case(int(hid.integers(1, 10**6)), int(hid.integers(1, 10**4)), b)
              for b in (False, True, False, True)]
    return visible, hidden


CONV_NO_BIAS = N_("the biases are missing: bias=True adds one bias per kernel, c_out of them")
CONV_ALWAYS_BIAS = N_("bias=False means no bias: add the c_out biases only when bias is True")
CONV_INVERTED_BIAS = N_("the bias is counted the wrong way round: c_out biases when bias=True, "
                        "none when bias=False")
NO_C_IN = N_("each kernel spans all the input channels: h * w * c_in weights per output "
             "channel")
ONE_KERNEL = N_("that is one kernel: the layer has c_out of them (one per output channel), each "
                "with h * w * c_in weights and its own bias")
CONV_BIAS_PER_INPUT = N_("there is one bias per output channel (c_out), not one per input channel")
SQUARE = N_("a kernel of h rows and w columns has h * w weights per channel: you used one of "
            "its sides twice")
CHANNELS_ADDED = N_("each of the c_out kernels has its own h * w weights in each of the c_in "
                    "input channels: multiply h * w * c_in * c_out, don't add the channels")


def _conv_case(h: int, w: int, c_in: int, c_out: int, bias: bool) -> Case:
    weights, b = h * w * c_in * c_out, (c_out if bias else 0)
    mistakes = [Mistake(weights, CONV_NO_BIAS), Mistake(weights + c_out, CONV_ALWAYS_BIAS),
                Mistake(weights + (0 if bias else c_out), CONV_INVERTED_BIAS),
                Mistake(h * w * c_out + b, NO_C_IN),
                Mistake(h * w * c_in + (1 if bias else 0), ONE_KERNEL),
                Mistake(h * w * c_in + b, ONE_KERNEL),
                Mistake(weights + (c_in if bias else 0), CONV_BIAS_PER_INPUT),
                Mistake(h * w * (c_in + c_out) + b, CHANNELS_ADDED)]
    if h != w:
        mistakes += [Mistake(h * h * c_in * c_out + b, SQUARE),
                     Mistake(w * w * c_in * c_out + b, SQUARE)]
    label = _("{h}x{w} kernel, {c_in} -> {c_out} channels, bias={bias}").format(
        h=h, w=w, c_in=c_in, c_out=c_out, bias=bias)
    return Case(label, (h, w, c_in, c_out), {"bias": bias}, expected=weights + b,
                check_dtype=False, mistakes=mistakes)


def conv_params_cases(seed: int) -> tuple[list[Case], list[Case]]:
    _, hid = streams(seed, "conv_params")
    visible = [_conv_case(*c) for c in [(3, 3, 3, 3, True), (11, 11, 3, 96, True),
                                        (5, 5, 96, 256, True), (3, 3, 64, 64, False),
                                        (1, 3, 16, 8, True), (5, 3, 4, 7, False)]]
    hidden = [_conv_case(*(int(v) for v in c[:4]), bool(c[4])) for c in
              hid.integers([1, 1, 2, 2, 0], [8, 8, 512, 512, 2], size=(4, 5))]
    return visible, hidden


# ---------------------------------------------------------------------------------------------
# float32_bytes
# ---------------------------------------------------------------------------------------------

def _bytes_case(n: int) -> Case:
    return Case(f"n_params={n}", (n,), expected=4 * n, check_dtype=False,
                mistakes=[Mistake(32 * n, N_("float32 takes 32 bits, that is 4 bytes (8 bits to "
                                             "the byte)")),
                          Mistake(8 * n, N_("8 bytes is float64; float32 takes 4")),
                          Mistake(2 * n, N_("2 bytes is float16; float32 takes 4")),
                          Mistake(n, N_("each parameter takes 4 bytes, not 1"))])


def float32_bytes_cases(seed: int) -> tuple[list[Case], list[Case]]:
    _, hid = streams(seed, "float32_bytes")
    return ([_bytes_case(n) for n in (1, 84, RGB ** 2)],
            [_bytes_case(int(n)) for n in hid.integers(1, 10**12, size=3)])


check_flatten_image = NOTEBOOK.check("flatten_image", flatten_image_cases,
                                     N_("flatten_image(image) -> (H*W*C,), in NumPy's order."))
check_dense_params = NOTEBOOK.check("dense_params", dense_params_cases,
                                    N_("dense_params(n_in, n_out, bias): weights of a dense "
                                       "layer."))
check_conv_params = NOTEBOOK.check("conv_params", conv_params_cases,
                                   N_("conv_params(h, w, c_in, c_out, bias): weights of a "
                                      "convolution layer."))
check_float32_bytes = NOTEBOOK.check("float32_bytes", float32_bytes_cases,
                                     N_("float32_bytes(n_params): memory in bytes."))
