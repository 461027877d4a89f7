"""Checks for notebooks 10-12: VGG, ResNet and U-Net (the lecture's VGGNET and RESNET sections,
and the U-Net of its bibliography).

Models are judged through adapters (`course/checks/adapters.py`): the parameter count of each
layer, the output shape of each layer, and the output of the model when every parameter is set
to `fixed_values(shape)`. The expected outputs below are computed with
`torch.nn.functional` on those same fixed weights, and each typical mistake (no padding, no
ReLU, no skip connection, concatenation in the wrong order, ...) is computed the same way so
that it can be named.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Sequence

import numpy as np

from ._core import Case, Mistake, make_check
from .adapters import fixed_values, one_thread

BN_EPS = 1e-5  # PyTorch's default for BatchNorm2d


def _one_thread(builder: Callable[..., list]) -> Callable[..., list]:
    """Compute a case builder's reference outputs on one CPU thread (see `one_thread`)."""
    @functools.wraps(builder)
    def wrapped(*args: Any, **kwargs: Any) -> list:
        with one_thread():
            return builder(*args, **kwargs)
    return wrapped


def _t(a: np.ndarray) -> Any:
    import torch

    return torch.from_numpy(np.asarray(a, np.float64))


def _conv(x: Any, c_out: int, k: int, stride: int = 1, padding: int = 0, bias: bool = True):
    import torch.nn.functional as F

    w = _t(fixed_values((c_out, x.shape[1], k, k)))
    b = _t(fixed_values((c_out,))) if bias else None
    return F.conv2d(x, w, b, stride=stride, padding=padding)


def _bn(x: Any) -> Any:
    """Batch norm in evaluation mode with its initial statistics (mean 0, variance 1)."""
    g = _t(fixed_values((x.shape[1],))).reshape(1, -1, 1, 1)
    return x / np.sqrt(1 + BN_EPS) * g + g  # weight and bias get the same fixed values


def _linear(x: Any, n_out: int) -> Any:
    import torch.nn.functional as F

    return F.linear(x, _t(fixed_values((n_out, x.shape[1]))), _t(fixed_values((n_out,))))


def _out(x: Any) -> np.ndarray:
    return x.numpy()


def _random_input(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return rng.normal(size=shape)


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


# ---------------------------------------------------------------------------------------------
# 11 · ResNet: residual blocks
# ---------------------------------------------------------------------------------------------

def _shortcut_ref(x: Any, c_out: int, stride: int, bn: bool = True) -> Any:
    if stride == 1 and x.shape[1] == c_out:
        return x
    y = _conv(x, c_out, 1, stride=stride, bias=False)
    return _bn(y) if bn else y


def _block_variants(x: Any, c_out: int, stride: int) -> dict[str, np.ndarray]:
    """A basic block's output, and what the typical wrong blocks return, from one computation
    of its residual branch F(x) and its shortcut."""
    import torch.nn.functional as F

    y = F.relu(_bn(_conv(x, c_out, 3, stride, 1, bias=False)))
    y = _bn(_conv(y, c_out, 3, 1, 1, bias=False))
    s = _shortcut_ref(x, c_out, stride)
    return {"right": _out(F.relu(y + s)), "no skip": _out(F.relu(y)),
            "relu before add": _out(F.relu(F.relu(y) + s)), "no final relu": _out(y + s)}


def _block_counts(c_in: int, c_out: int, stride: int, shortcut_first: bool = False) -> list[int]:
    main = [9 * c_in * c_out, 2 * c_out, 9 * c_out * c_out, 2 * c_out]
    short = [c_in * c_out, 2 * c_out] if stride != 1 or c_in != c_out else []
    return short + main if shortcut_first else main + short


def _block_configs(hidden: bool, seed: int) -> list[tuple[int, int, int, tuple]]:
    """(in_channels, out_channels, stride, input shape): identity, then projection skips."""
    configs = [(4, 4, 1, (2, 4, 6, 6)), (4, 8, 2, (2, 4, 8, 8)), (3, 6, 1, (1, 3, 5, 5))]
    if hidden:
        rng = np.random.default_rng(seed)
        for _ in range(3):
            c_in = int(rng.integers(1, 9))
            stride = int(rng.integers(1, 3))
            c_out = c_in if rng.random() < 0.4 and stride == 1 else int(rng.integers(1, 12))
            configs.append((c_in, c_out, stride, (int(rng.integers(1, 3)), c_in,
                                                  int(rng.integers(3, 10)),
                                                  int(rng.integers(3, 10)))))
    return configs


@_one_thread
def resnet_shortcut_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    rng = np.random.default_rng(seed + 30)
    cases = []
    for c_in, c_out, stride, shape in _block_configs(hidden, seed):
        x = _random_input(rng, shape)
        kind = "identity" if stride == 1 and c_in == c_out else "projection"
        right = _out(_shortcut_ref(_t(x), c_out, stride))
        mistakes = [Mistake(_out(_shortcut_ref(_t(x), c_out, stride, bn=False)),
                            "the projection is a 1x1 convolution followed by batch norm: "
                            "nn.BatchNorm2d(out_channels) is missing")]
        if kind == "projection" and stride > 1:
            mistakes.append(Mistake(_out(_shortcut_ref(_t(x), c_out, 1)),
                                    "the projection must have the block's stride, so that "
                                    "its output has the same H and W as the residual branch"))
        cases.append(Case(f"{kind}: {c_in} -> {c_out} channels, stride {stride}, input {shape}",
                          ([x], c_in, c_out, stride), call="fixed_weights_forward",
                          expected=right, check_dtype=False,
                          shape_rule=f"(N, out_channels, ceil(H / stride), ceil(W / stride)) "
                                     f"= {right.shape}",
                          mistakes=mistakes))
        counts = np.array([] if kind == "identity" else [c_in * c_out, 2 * c_out], np.int64)
        cases.append(Case(f"parameters of the {kind} shortcut, {c_in} -> {c_out}, stride "
                          f"{stride}", (c_in, c_out, stride), call="parameter_counts",
                          expected=counts, check_dtype=False,
                          shape_rule="no parameters for an identity; a 1x1 convolution "
                                     "(no bias) and a batch norm for a projection",
                          mistakes=[Mistake(np.array([9 * c_in * c_out, 2 * c_out]),
                                            "the projection uses a 1x1 kernel, not 3x3"),
                                    Mistake(np.array([c_in * c_out + c_out, 2 * c_out]),
                                            "the convolution before a batch norm needs no bias "
                                            "(bias=False): the batch norm adds its own")]))
    return cases


@_one_thread
def resnet_basic_block_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    rng = np.random.default_rng(seed + 40)
    cases = []
    for c_in, c_out, stride, shape in _block_configs(hidden, seed):
        x = _random_input(rng, shape)
        label = f"{c_in} -> {c_out} channels, stride {stride}"
        counts = _block_counts(c_in, c_out, stride)
        cases.append(Case(f"parameters per layer, {label}", (c_in, c_out, stride),
                          call="parameter_counts", expected=np.array(counts),
                          check_dtype=False,
                          shape_rule="conv1, bn1, conv2, bn2, then the shortcut's layers",
                          mistakes=[Mistake(np.array(_block_counts(c_in, c_out, stride, True)),
                                            "right counts in another order: create conv1, bn1, "
                                            "conv2, bn2 first, then the shortcut"),
                                    Mistake(np.array([9 * c_in * c_out + c_out, 2 * c_out,
                                                      9 * c_out * c_out + c_out, 2 * c_out]
                                                     + counts[4:]),
                                            "a convolution followed by batch norm takes "
                                            "bias=False")]))
        out = _block_variants(_t(x), c_out, stride)
        right = out["right"]
        cases.append(Case(f"output with fixed weights, {label}, input {shape}",
                          ([x], c_in, c_out, stride), call="fixed_weights_forward",
                          expected=right, check_dtype=False,
                          shape_rule=f"the first convolution has the stride: {right.shape}",
                          mistakes=[
                              Mistake(out["no skip"],
                                      "the skip connection is missing: add shortcut(x) to the "
                                      "output of bn2, before the last ReLU"),
                              Mistake(out["relu before add"],
                                      "ReLU before the addition: add F(x) + shortcut(x) first, "
                                      "then apply the ReLU"),
                              Mistake(out["no final relu"],
                                      "the ReLU after the addition is missing")]))
    return cases


def _stage_configs(hidden: bool, seed: int) -> list[tuple[int, int, int, int, tuple]]:
    configs = [(4, 4, 2, 1, (1, 4, 8, 8)), (4, 8, 2, 2, (2, 4, 8, 8)), (2, 3, 3, 2, (1, 2, 7, 9))]
    if hidden:
        rng = np.random.default_rng(seed)
        for _ in range(2):
            configs.append((int(rng.integers(1, 6)), int(rng.integers(1, 9)),
                            int(rng.integers(1, 4)), int(rng.integers(1, 3)),
                            (1, 0, int(rng.integers(4, 12)), int(rng.integers(4, 12)))))
        configs = [(a, b, n, s, (sh[0], a, sh[2], sh[3])) for a, b, n, s, sh in configs]
    return configs


def resnet_stage_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    cases = []
    for c_in, c_out, n, stride, shape in _stage_configs(hidden, seed):
        label = f"{n} blocks, {c_in} -> {c_out} channels, stride {stride}"
        counts = _block_counts(c_in, c_out, stride) + _block_counts(c_out, c_out, 1) * (n - 1)
        cases.append(Case(f"parameters per layer, {label}", (c_in, c_out, n, stride),
                          call="parameter_counts", expected=np.array(counts), check_dtype=False,
                          shape_rule=f"{n} blocks; only the first changes channels or size",
                          mistakes=[Mistake(np.array(_block_counts(c_in, c_out, stride) * n),
                                            "only the first block goes from in_channels to "
                                            "out_channels; the others take out_channels")]))
        h, w = (shape[2] - 1) // stride + 1, (shape[3] - 1) // stride + 1
        rows, size = [], (h, w)
        for b in range(n):
            proj = b == 0 and (stride != 1 or c_in != c_out)
            rows += [(shape[0], c_out, *size)] * (6 if proj else 4)
        wrong_rows, hw = [], (shape[2], shape[3])
        for b in range(n):  # stride on every block
            hw = ((hw[0] - 1) // stride + 1, (hw[1] - 1) // stride + 1)
            proj = b == 0 and (stride != 1 or c_in != c_out) or stride != 1
            wrong_rows += [(shape[0], c_out, *hw)] * (6 if proj else 4)
        cases.append(Case(f"output shape of each layer, {label}, input {shape}",
                          (shape, c_in, c_out, n, stride), call="leaf_output_shapes",
                          expected=np.array(rows), check_dtype=False,
                          shape_rule="one row (N, C, H, W) per convolution and batch norm",
                          mistakes=[Mistake(np.array(wrong_rows),
                                            "only the first block of a stage has the stride; "
                                            "the others keep stride 1")] if stride > 1 and n > 1
                          else []))
    return cases


# ---------------------------------------------------------------------------------------------
# 12 · U-Net: double convolution, up-sampling with skip concatenation, Dice and IoU
# ---------------------------------------------------------------------------------------------

def _double_conv_ref(x: Any, c_out: int, padding: int = 1, bn: bool = True) -> Any:
    import torch.nn.functional as F

    for _ in range(2):
        x = _conv(x, c_out, 3, padding=padding, bias=False)
        x = F.relu(_bn(x) if bn else x)
    return x


def _unet_configs(hidden: bool, seed: int) -> list[tuple[int, int, tuple]]:
    configs = [(1, 4, (2, 1, 8, 8)), (3, 8, (1, 3, 6, 10))]
    if hidden:
        rng = np.random.default_rng(seed)
        configs += [(int(a), int(b), (1, int(a), int(h), int(w))) for a, b, h, w in zip(
            rng.integers(1, 8, 3), rng.integers(1, 10, 3), rng.integers(3, 12, 3),
            rng.integers(3, 12, 3))]
    return configs


@_one_thread
def unet_double_conv_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    rng = np.random.default_rng(seed + 50)
    cases = []
    for c_in, c_out, shape in _unet_configs(hidden, seed):
        label = f"{c_in} -> {c_out} channels"
        counts = [9 * c_in * c_out, 2 * c_out, 9 * c_out * c_out, 2 * c_out]
        cases.append(Case(f"parameters per layer, {label}", (c_in, c_out),
                          call="parameter_counts", expected=np.array(counts), check_dtype=False,
                          shape_rule="conv, batch norm, conv, batch norm",
                          mistakes=[Mistake(np.array([9 * c_in * c_out + c_out, 2 * c_out,
                                                      9 * c_out * c_out + c_out, 2 * c_out]),
                                            "a convolution followed by batch norm takes "
                                            "bias=False"),
                                    Mistake(np.array([9 * c_in * c_out, 2 * c_out,
                                                      9 * c_in * c_out, 2 * c_out]),
                                            "the second convolution takes out_channels inputs "
                                            "(the output of the first)")]))
        x = _random_input(rng, shape)
        right = _out(_double_conv_ref(_t(x), c_out))
        mistakes = [Mistake(_out(_double_conv_ref(_t(x), c_out, bn=False)),
                            "batch norm is missing: conv, BatchNorm2d, ReLU, twice")]
        cases.append(Case(f"output with fixed weights, {label}, input {shape}",
                          ([x], c_in, c_out), call="fixed_weights_forward", expected=right,
                          check_dtype=False,
                          shape_rule=f"padding=1 keeps H and W: {right.shape}",
                          mistakes=mistakes))
    return cases


def _up_ref(x: Any, skip: Any, c_out: int, skip_first: bool = True) -> Any:
    import torch
    import torch.nn.functional as F

    c = x.shape[1]
    w = _t(fixed_values((c, c // 2, 2, 2)))
    up = F.conv_transpose2d(x, w, _t(fixed_values((c // 2,))), stride=2)
    both = torch.cat([skip, up] if skip_first else [up, skip], dim=1)
    return _double_conv_ref(both, c_out)


@_one_thread
def unet_up_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    rng = np.random.default_rng(seed + 60)
    configs = [(8, 4, (1, 8, 3, 3)), (4, 2, (2, 4, 4, 5))]
    if hidden:
        configs += [(2 * int(c), int(o), (1, 2 * int(c), int(h), int(w))) for c, o, h, w in zip(
            rng.integers(1, 6, 3), rng.integers(1, 8, 3), rng.integers(1, 6, 3),
            rng.integers(1, 6, 3))]
    cases = []
    for c_in, c_out, shape in configs:
        n, _, h, w = shape
        x = _random_input(rng, shape)
        skip = _random_input(rng, (n, c_in // 2, 2 * h, 2 * w))
        label = f"in_channels={c_in}, out_channels={c_out}, x {shape}, skip {skip.shape}"
        right = _out(_up_ref(_t(x), _t(skip), c_out))
        cases.append(Case(f"output with fixed weights, {label}", ([x, skip], c_in, c_out),
                          call="fixed_weights_forward", expected=right, check_dtype=False,
                          shape_rule=f"(N, out_channels, 2H, 2W) = {right.shape}",
                          mistakes=[Mistake(_out(_up_ref(_t(x), _t(skip), c_out, False)),
                                            "concatenate in the order torch.cat([skip, x], "
                                            "dim=1): the skip's channels come first")]))
        counts = [c_in * (c_in // 2) * 4 + c_in // 2, 9 * c_in * c_out, 2 * c_out,
                  9 * c_out * c_out, 2 * c_out]
        cases.append(Case(f"parameters per layer, in_channels={c_in}, out_channels={c_out}",
                          (c_in, c_out), call="parameter_counts", expected=np.array(counts),
                          check_dtype=False,
                          shape_rule="transposed conv (in -> in/2, 2x2), then the double conv "
                                     "on in/2 + in/2 = in channels",
                          mistakes=[Mistake(np.array([c_in * c_in * 4 + c_in] + counts[1:]),
                                            "the transposed convolution halves the channels "
                                            "(in_channels -> in_channels // 2), so that with "
                                            "the skip's in_channels // 2 they make in_channels"),
                                    Mistake(np.array([9 * (c_in + c_in // 2) * c_out]
                                                     + counts[2:]),
                                            "no learned up-sampling: use nn.ConvTranspose2d("
                                            "in_channels, in_channels // 2, kernel_size=2, "
                                            "stride=2)")]))
    return cases


def _masks(hidden: bool, seed: int) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(label, predicted probabilities, target masks), both (N, 1, H, W) float32."""
    rng = np.random.default_rng(seed)

    def probs(shape: tuple) -> np.ndarray:
        p = rng.uniform(0.02, 0.98, size=shape)
        return np.where(np.abs(p - 0.5) < 0.02, 0.7, p).astype(np.float32)  # none at 0.5

    def target(shape: tuple, frac: float = 0.3) -> np.ndarray:
        return (rng.random(shape) < frac).astype(np.float32)

    out = []
    t = target((2, 1, 4, 4))
    out.append(("perfect prediction", np.where(t > 0, 0.9, 0.1).astype(np.float32), t))
    out.append(("random masks, 3 images 6x5", probs((3, 1, 6, 5)), target((3, 1, 6, 5))))
    t = target((2, 1, 5, 5))
    t[1] = 0
    p = probs((2, 1, 5, 5))
    p[1] = 0.1
    out.append(("second image: both masks empty (a perfect answer)", p, t))
    t = target((2, 1, 4, 4), 0.1)
    t[0] = 0
    t[0, 0, 0, 0] = 1
    out.append(("one image almost empty, one busy", probs((2, 1, 4, 4)), t))
    if hidden:
        for _ in range(4):
            shape = (int(rng.integers(1, 5)), 1, int(rng.integers(2, 12)),
                     int(rng.integers(2, 12)))
            out.append((f"hidden random {shape}", probs(shape), target(shape, rng.random())))
    return out


def _overlap(pred: np.ndarray, target: np.ndarray, axes: tuple, dice: bool) -> np.ndarray:
    p, t = pred.astype(np.float64), target.astype(np.float64)
    inter = (p * t).sum(axis=axes)
    total = p.sum(axis=axes) + t.sum(axis=axes)
    denom = total if dice else total - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(denom > 0, (2 if dice else 1) * inter / np.where(denom > 0, denom, 1),
                         1.0)
    return np.float64(score.mean())


def _score_cases(hidden: bool, seed: int, dice: bool) -> list[Case]:
    name = "Dice" if dice else "IoU"
    cases = []
    for label, p, t in _masks(hidden, seed):
        hard = (p > 0.5).astype(np.float64)
        right = _overlap(hard, t, (1, 2, 3), dice)
        mistakes = [Mistake(_overlap(p, t, (1, 2, 3), dice),
                            "threshold the probabilities first (pred > threshold): the score "
                            "compares two binary masks"),
                    Mistake(_overlap(hard, t, (0, 1, 2, 3), dice),
                            "you summed over the whole batch: sum over axes (1, 2, 3) to get "
                            "one score per image, then average the scores"),
                    Mistake(_overlap(hard, t, (0,), dice),
                            "you summed over the wrong axes (the batch axis 0): sum over "
                            "channels, height and width, axes (1, 2, 3)"),
                    Mistake(_overlap(hard, t, (1, 2, 3), not dice),
                            f"this is the {'IoU' if dice else 'Dice'} score; {name} is "
                            + ("2|A∩B| / (|A| + |B|)" if dice else "|A∩B| / |A∪B|"))]
        if "empty" in label:
            empty_zero = [(2 if dice else 1) * ((hard[i] * t[i]).sum()) /
                          max(hard[i].sum() + t[i].sum() - (0 if dice else (hard[i] * t[i]).sum()),
                              1e-7) for i in range(len(t))]
            mistakes.insert(0, Mistake(np.float64(np.mean(empty_zero)),
                                       "when both masks of an image are empty the prediction "
                                       "is perfect: count that image as 1, not 0"))
        cases.append(Case(label, (p, t), arg_names=("pred", "target"), expected=right,
                          rtol=1e-5, atol=1e-6, check_dtype=False,
                          mistakes=[m for m in mistakes
                                    if not np.isclose(m.output, right, rtol=1e-5, atol=1e-6)]))
    return cases


def unet_dice_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    return _score_cases(hidden, seed, dice=True)


def unet_iou_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    return _score_cases(hidden, seed, dice=False)


check_vgg_receptive_field = make_check("vgg_receptive_field", vgg_receptive_field_cases,
                                       "Check receptive_field(n_layers, kernel_size).")
check_vgg_stack_params = make_check("vgg_stack_params", vgg_stack_params_cases,
                                    "Check stack_params(channels, n_layers, kernel_size).")
check_vgg_features = make_check("vgg_features", vgg_features_cases,
                                "Check make_vgg_features(cfg, in_channels): parameters and "
                                "output shape of each layer, and outputs with fixed weights.")
check_vgg_model = make_check("vgg_model", vgg_model_cases,
                             "Check make_vgg(cfg, num_classes, in_channels, image_size, hidden).")
check_resnet_shortcut = make_check("resnet_shortcut", resnet_shortcut_cases,
                                   "Check shortcut(in_channels, out_channels, stride).")
check_resnet_basic_block = make_check("resnet_basic_block", resnet_basic_block_cases,
                                      "Check BasicBlock(in_channels, out_channels, stride).")
check_resnet_stage = make_check("resnet_stage", resnet_stage_cases,
                                "Check make_stage(in_channels, out_channels, n_blocks, stride).")
check_unet_double_conv = make_check("unet_double_conv", unet_double_conv_cases,
                                    "Check double_conv(in_channels, out_channels).")
check_unet_up = make_check("unet_up", unet_up_cases,
                           "Check Up(in_channels, out_channels) and its forward(x, skip).")
check_unet_dice = make_check("unet_dice", unet_dice_cases,
                             "Check dice_score(pred, target, threshold).", forbid=("torch",))
check_unet_iou = make_check("unet_iou", unet_iou_cases,
                            "Check iou_score(pred, target, threshold).", forbid=("torch",))
