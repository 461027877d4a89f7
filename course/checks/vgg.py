"""Checks for notebook 10: VGG (the lecture's VGGNET section).

Models are judged through adapters (`course/checks/adapters.py`): the parameter count of each
layer, the output shape of each layer, and the output of the model when every parameter is set
to `fixed_values(shape)`, computed with `torch.nn.functional` on the same fixed weights; each
typical mistake is computed the same way so that it can be named.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ._core import Case, Mistake, make_check
from ._fixed_weights import _conv, _linear, _one_thread, _out, _random_input, _t

# ---------------------------------------------------------------------------------------------
# 10 · VGG: stacks of 3x3 convolutions
# ---------------------------------------------------------------------------------------------

def vgg_receptive_field_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    configs = [(1, 3), (2, 3), (3, 3), (2, 5), (4, 1)]
    if hidden:
        rng = np.random.default_rng(seed)
        configs += [(int(n), int(k)) for n, k in zip(rng.integers(1, 30, 5),
                                                     rng.choice([1, 3, 5, 7], 5))]
    cases = []
    for n, k in configs:
        right = 1 + n * (k - 1)
        mistakes = [Mistake(n * k, "the windows overlap: each new layer adds k - 1 pixels to "
                                   "the field, not k"),
                    Mistake(k ** n, "the field grows by addition, not multiplication: each "
                                    "layer adds k - 1 pixels"),
                    Mistake(n * (k - 1), "you forgot the pixel itself: one layer of a k x k "
                                         "kernel sees k pixels, so start from 1")]
        cases.append(Case(f"{n} stacked {k}x{k} convolutions", (n, k), expected=right,
                          mistakes=[m for m in mistakes if m.output != right],
                          check_dtype=False))
    return cases


def vgg_stack_params_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    configs = [(64, 2, 3), (64, 1, 5), (64, 3, 3), (64, 1, 7), (1, 1, 3)]
    if hidden:
        rng = np.random.default_rng(seed)
        configs += [(int(c), int(n), int(k)) for c, n, k in zip(
            rng.integers(1, 600, 5), rng.integers(1, 6, 5), rng.choice([1, 3, 5, 7], 5))]
    cases = []
    for c, n, k in configs:
        right = n * k * k * c * c
        mistakes = [Mistake(n * (k * k * c * c + c), "no biases here: the lecture's argument "
                                                     "counts weights only (bias=False)"),
                    Mistake(k * k * c * c, "that is one layer: the stack has n_layers of them"),
                    Mistake(n * k * k * c, "each kernel spans all C input channels and there "
                                           "are C kernels: k * k * C * C weights per layer"),
                    Mistake((n * k) ** 2 * c * c, "the layers add up (n times k*k*C*C); they "
                                                  "do not make one bigger kernel")]
        cases.append(Case(f"C={c}, {n} layers of {k}x{k}", (c, n, k), expected=right,
                          mistakes=[m for m in mistakes if m.output != right],
                          check_dtype=False))
    return cases


def _vgg_ref(x: Any, cfg: Sequence, relu: bool = True, padding: int = 1,
             pool_stride: int = 2) -> Any:
    import torch.nn.functional as F

    for v in cfg:
        if v == "M":
            x = F.max_pool2d(x, 2, pool_stride)
        else:
            x = _conv(x, int(v), 3, padding=padding)
            x = F.relu(x) if relu else x
    return x


def _vgg_counts(cfg: Sequence, c_in: int, bias: bool = True) -> list[int]:
    counts = []
    for v in cfg:
        if v != "M":
            counts.append(9 * c_in * v + (v if bias else 0))
            c_in = v
    return counts


def _vgg_shapes(cfg: Sequence, shape: tuple, padding: int = 1, pool_stride: int = 2) -> list:
    n, c, h, w = shape
    rows = []
    for v in cfg:
        if v == "M":
            h, w = (h - 2) // pool_stride + 1, (w - 2) // pool_stride + 1
        else:
            c, h, w = v, h + 2 * padding - 2, w + 2 * padding - 2
        rows.append((n, c, h, w))
    return rows


def _vgg_configs(hidden: bool, seed: int) -> list[tuple[list, tuple]]:
    """(cfg, input shape) pairs; hidden ones are random, with non-square inputs."""
    configs = [([8, "M", 16, "M"], (1, 3, 16, 16)),
               ([4, 4, "M", 8, 8, 8, "M"], (2, 1, 12, 12))]
    if hidden:
        rng = np.random.default_rng(seed)
        for _ in range(3):
            cfg: list = []
            for _ in range(int(rng.integers(1, 4))):
                cfg += [int(rng.integers(2, 12))] * int(rng.integers(1, 4)) + ["M"]
            pools = cfg.count("M")
            shape = (int(rng.integers(1, 3)), int(rng.integers(1, 4)),
                     int(rng.integers(2 ** pools, 2 ** pools * 3)),
                     int(rng.integers(2 ** pools, 2 ** pools * 3)))
            configs.append((cfg, shape))
    return configs


@_one_thread
def vgg_features_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    rng = np.random.default_rng(seed + 10)
    cases = []
    for cfg, shape in _vgg_configs(hidden, seed):
        c_in = shape[1]
        counts = np.array(_vgg_counts(cfg, c_in))
        cases.append(Case(f"parameters per layer, cfg={cfg}, in_channels={c_in}", (cfg, c_in),
                          call="parameter_counts", expected=counts, check_dtype=False,
                          shape_rule="one entry per convolution (pooling has no parameters)",
                          mistakes=[Mistake(np.array(_vgg_counts(cfg, c_in, bias=False)),
                                            "each convolution has a bias: out_channels more "
                                            "parameters (keep bias=True)"),
                                    Mistake(np.array(_vgg_counts(cfg, 3)) if c_in != 3 else
                                            np.zeros(0), "the first convolution must take "
                                                         "`in_channels`, not always 3")]))
        shapes = np.array([s for s in _vgg_shapes(cfg, shape)])
        cases.append(Case(f"output shape of each layer, cfg={cfg}, input {shape}",
                          (shape, cfg, c_in), call="leaf_output_shapes", expected=shapes,
                          check_dtype=False,
                          shape_rule="one row (N, C, H, W) per convolution and per pooling",
                          mistakes=[Mistake(np.array(_vgg_shapes(cfg, shape, padding=0)),
                                            "the maps shrink by 2 at each convolution: use "
                                            "padding=1 so that a 3x3 convolution keeps H and W"),
                                    Mistake(np.array(_vgg_shapes(cfg, shape, pool_stride=1)),
                                            "the pooling must halve H and W: "
                                            "nn.MaxPool2d(kernel_size=2, stride=2)")]))
        x = _random_input(rng, shape)
        expected = _out(_vgg_ref(_t(x), cfg))
        cases.append(Case(f"output with fixed weights, cfg={cfg}, input {shape}", ([x], cfg, c_in),
                          call="fixed_weights_forward", expected=expected, rtol=1e-6, atol=1e-8,
                          check_dtype=False,
                          mistakes=[Mistake(_out(_vgg_ref(_t(x), cfg, relu=False)),
                                            "the ReLU is missing: every convolution is followed "
                                            "by nn.ReLU()")]))
    return cases


def _vgg_model_ref(x: Any, cfg: Sequence, num_classes: int, hidden_units: int,
                   relu: bool = True) -> Any:
    import torch.nn.functional as F

    x = _vgg_ref(x, cfg).flatten(1)
    for n in (hidden_units, hidden_units):
        x = _linear(x, n)
        x = F.relu(x) if relu else x
    return _linear(x, num_classes)


@_one_thread
def vgg_model_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    rng = np.random.default_rng(seed + 20)
    cases = []
    for i, (cfg, shape) in enumerate(_vgg_configs(hidden, seed)):
        n_cls, units = (10, 32) if i % 2 == 0 else (5, 16)
        if i >= 2:
            n_cls, units = int(rng.integers(2, 20)), int(rng.integers(4, 40))
        if shape[2] != shape[3]:
            shape = (shape[0], shape[1], shape[2], shape[2])  # make_vgg takes square images
        c_in, size = shape[1], shape[2]
        side = size // 2 ** cfg.count("M")
        flat = cfg[-2 if cfg[-1] == "M" else -1] * side * side
        counts = _vgg_counts(cfg, c_in) + [flat * units + units, units * units + units,
                                           units * n_cls + n_cls]
        kw = dict(num_classes=n_cls, in_channels=c_in, image_size=size, hidden=units)
        wrong_flat = cfg[-2 if cfg[-1] == "M" else -1] * size * size
        cases.append(Case(f"parameters per layer, cfg={cfg}, {kw}", (cfg,), kw,
                          call="parameter_counts", expected=np.array(counts), check_dtype=False,
                          shape_rule="one entry per convolution, then 3 linear layers",
                          mistakes=[Mistake(np.array(counts[:-3] + [
                              wrong_flat * units + units] + counts[-2:]),
                              "the first linear layer takes the flattened last maps: channels "
                              "x (image_size / 2^(number of poolings))^2 inputs, not "
                              "channels x image_size^2")]))
        x = _random_input(rng, shape)
        expected = _out(_vgg_model_ref(_t(x), cfg, n_cls, units))
        cases.append(Case(f"output with fixed weights, cfg={cfg}, input {shape}", ([x], cfg),
                          kw, call="fixed_weights_forward", expected=expected, check_dtype=False,
                          shape_rule=f"(N, num_classes) = ({shape[0]}, {n_cls})",
                          mistakes=[Mistake(_out(_vgg_model_ref(_t(x), cfg, n_cls, units,
                                                                relu=False)),
                                            "a ReLU is missing after the first two linear "
                                            "layers (the classifier is Linear, ReLU, Dropout, "
                                            "Linear, ReLU, Dropout, Linear)")]))
    return cases


check_vgg_receptive_field = make_check("vgg_receptive_field", vgg_receptive_field_cases,
                                       "Check receptive_field(n_layers, kernel_size).")
check_vgg_stack_params = make_check("vgg_stack_params", vgg_stack_params_cases,
                                    "Check stack_params(channels, n_layers, kernel_size).")
check_vgg_features = make_check("vgg_features", vgg_features_cases,
                                "Check make_vgg_features(cfg, in_channels): parameters and "
                                "output shape of each layer, and outputs with fixed weights.")
check_vgg_model = make_check("vgg_model", vgg_model_cases,
                             "Check make_vgg(cfg, num_classes, in_channels, image_size, hidden).")
