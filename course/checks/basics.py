"""Checks for notebook 00: flattening an image, and counting a layer's weights and memory."""
from __future__ import annotations

import numpy as np

from ._core import Case, Mistake, make_check


def flatten_image_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    rng = np.random.default_rng(seed)
    shapes = [(2, 3, 3), (8, 5, 3), (4, 4, 1)]
    if hidden:
        shapes += [tuple(int(v) for v in rng.integers(1, 40, size=2)) + (int(rng.integers(1, 5)),)
                   for _ in range(4)]
    cases = []
    for H, W, C in shapes:
        img = rng.random((H, W, C)).astype(np.float32)
        cases.append(Case(f"image of shape {(H, W, C)}", (img,), arg_names=("image",),
                          expected=img.reshape(-1),
                          shape_rule=f"H * W * C = {H} * {W} * {C} = {H * W * C}",
                          mistakes=[Mistake(img.transpose(2, 0, 1).reshape(-1),
                                            "right values, channel-first order: keep NumPy's "
                                            "row-major order (image.reshape(-1))"),
                                    Mistake(img.reshape(H, -1),
                                            "still 2D: a dense layer takes one vector")]))
    return cases


def _sizes(hidden: bool, seed: int) -> list[tuple[int, int, bool]]:
    rgb = 256 * 256 * 3
    sizes = [(rgb, rgb, False), (rgb, rgb, True), (784, 10, True), (3, 2, True)]
    if hidden:
        rng = np.random.default_rng(seed)
        sizes += [(int(rng.integers(1, 10**6)), int(rng.integers(1, 10**4)), bool(b))
                  for b in (0, 1, 1)]
    return sizes


def dense_params_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    cases = []
    for n_in, n_out, bias in _sizes(hidden, seed):
        right = n_in * n_out + (n_out if bias else 0)
        cases.append(Case(f"n_in={n_in}, n_out={n_out}, bias={bias}", (n_in, n_out),
                          {"bias": bias}, expected=right, check_dtype=False, mistakes=[
                              Mistake(n_in * n_out + (0 if bias else n_out),
                                      "the bias adds one parameter per output: n_out of them "
                                      "when bias=True, none when bias=False"),
                              Mistake(n_in + n_out, "every input is connected to every output: "
                                                    "multiply, don't add"),
                              Mistake(n_in * n_out + n_in, "the bias has one entry per output, "
                                                           "not per input")]))
    return cases


def conv_params_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    configs = [(3, 3, 3, 3, True), (11, 11, 3, 96, True), (5, 5, 96, 256, True),
               (3, 3, 64, 64, False), (1, 1, 16, 8, True)]
    if hidden:
        rng = np.random.default_rng(seed)
        configs += [(int(h), int(w), int(c), int(f), bool(b)) for h, w, c, f, b in
                    rng.integers([1, 1, 1, 1, 0], [8, 8, 512, 512, 2], size=(4, 5))]
    cases = []
    for h, w, c_in, c_out, bias in configs:
        right = h * w * c_in * c_out + (c_out if bias else 0)
        cases.append(Case(f"{h}x{w} kernel, {c_in} -> {c_out} channels, bias={bias}",
                          (h, w, c_in, c_out), {"bias": bias}, expected=right,
                          check_dtype=False, mistakes=[
                              Mistake(h * w * c_out + (c_out if bias else 0),
                                      "each kernel spans all input channels: h * w * c_in "
                                      "weights per output channel"),
                              Mistake(h * w * c_in * c_out + (0 if bias else c_out),
                                      "one bias per output channel when bias=True, none "
                                      "otherwise"),
                              Mistake(h * w * c_in + (1 if bias else 0),
                                      "that is one kernel: there is one per output channel")]))
    return cases


def float32_bytes_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    counts = [1, 84, (256 * 256 * 3) ** 2]
    if hidden:
        counts += [int(v) for v in np.random.default_rng(seed).integers(1, 10**12, size=3)]
    return [Case(f"n_params={n}", (n,), expected=4 * n, check_dtype=False,
                 mistakes=[Mistake(32 * n, "float32 is 32 bits, that is 4 bytes"),
                           Mistake(8 * n, "8 bytes is float64; float32 takes 4")])
            for n in counts]


check_flatten_image = make_check("flatten_image", flatten_image_cases,
                                 "Check flatten_image(image) -> (H*W*C,).")
check_dense_params = make_check("dense_params", dense_params_cases,
                                "Check dense_params(n_in, n_out, bias).")
check_conv_params = make_check("conv_params", conv_params_cases,
                               "Check conv_params(h, w, c_in, c_out, bias).")
check_float32_bytes = make_check("float32_bytes", float32_bytes_cases,
                                 "Check float32_bytes(n_params).")
