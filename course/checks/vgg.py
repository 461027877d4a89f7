"""Checks for notebook 10: VGG (the lecture's VGGNET section).

Models are judged through adapters (`model_adapters`): the parameter count of each layer, the
output shape of each layer, and the output of the model when every parameter is set to
`fixed_values(shape)`, in evaluation mode and in training mode (dropout on, seeded), computed
with `torch.nn.functional` on the same fixed weights (`fixed_weights`); each typical mistake is
computed the same way so that it can be named.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..i18n import N_, _
from .case import Case, Mistake, drawn
from .exercise import Notebook
from .fixed_weights import (as_array, conv, dropout, linear, on_one_thread, relu,
                            reusing_weights, seeded, tensor, variants)
from .lenet import RELU_ON_SCORES, SOFTMAX_ON_SCORES
from .model_adapters import (fixed_weights_forward, fixed_weights_train_forward,
                             leaf_output_shapes, parameter_counts)

NOTEBOOK = Notebook("10_vgg")

# ---------------------------------------------------------------------------------------------
# 10 · VGG: stacks of 3x3 convolutions
# ---------------------------------------------------------------------------------------------

def _field_mistakes(n: int, k: int) -> list[Mistake]:
    return [Mistake(n * k, N_("the windows overlap: each new layer adds k - 1 pixels to the "
                              "field, not k")),
            Mistake(k ** n, N_("the field grows by addition, not multiplication: each layer "
                               "adds k - 1 pixels")),
            Mistake(n * (k - 1), N_("you forgot the pixel itself: one layer of a k x k kernel "
                                    "sees k pixels, so start from 1")),
            Mistake(k + n * (k - 1), N_("one layer too many: the first layer sees k pixels and "
                                        "each of the n_layers - 1 others adds k - 1")),
            Mistake(2 * n + 1, N_("you assumed 3x3 kernels: use kernel_size (each layer adds "
                                  "kernel_size - 1 pixels)"))]


def vgg_receptive_field_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return drawn(seed, "receptive_field", _vgg_receptive_field)


def _vgg_receptive_field(rng: np.random.Generator, hidden: bool) -> list[Case]:
    configs = [(1, 3), (2, 3), (3, 3), (2, 5), (4, 1), (3, 7)]
    if hidden:
        configs = [(int(n), int(k)) for n, k in zip(rng.integers(1, 30, 5),
                                                    rng.choice([1, 3, 5, 7, 9], 5))]
    cases = []
    for n, k in configs:
        right = 1 + n * (k - 1)
        cases.append(Case(_("{n} stacked {k}x{k} convolutions").format(n=n, k=k), (n, k),
                          expected=right,
                          mistakes=[m for m in _field_mistakes(n, k) if m.output != right],
                          check_dtype=False))
    return cases


def vgg_stack_params_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return drawn(seed, "stack_params", _vgg_stack_params)


def _vgg_stack_params(rng: np.random.Generator, hidden: bool) -> list[Case]:
    configs = [(64, 2, 3), (64, 1, 5), (64, 3, 3), (64, 1, 7), (1, 1, 3), (5, 2, 1)]
    if hidden:
        configs = [(int(c), int(n), int(k)) for c, n, k in zip(
            rng.integers(2, 600, 5), rng.integers(1, 6, 5), rng.choice([1, 3, 5, 7], 5))]
    cases = []
    for c, n, k in configs:
        right = n * k * k * c * c
        mistakes = [Mistake(n * (k * k * c * c + c), N_("no biases here: the lecture's "
                                                        "argument counts weights only "
                                                        "(bias=False)")),
                    Mistake(k * k * c * c, N_("that is one layer: the stack has n_layers of "
                                              "them")),
                    Mistake(n * k * k * c, N_("each kernel spans all C input channels and "
                                              "there are C kernels: k * k * C * C weights per "
                                              "layer")),
                    Mistake((n * k) ** 2 * c * c, N_("the layers add up (n times k*k*C*C); "
                                                     "they do not make one bigger kernel")),
                    Mistake(n * k * c * c, N_("a k x k kernel has k * k weights per pair of "
                                              "channels: square the kernel size")),
                    Mistake(9 * n * c * c, N_("you assumed 3x3 kernels: use kernel_size"))]
        cases.append(Case(_("C={c}, {n} layers of {k}x{k}").format(c=c, n=n, k=k), (c, n, k),
                          expected=right,
                          mistakes=[m for m in mistakes if m.output != right],
                          check_dtype=False))
    return cases


def _vgg_ref(x: Any, cfg: Sequence, act: str = "every", pool: str = "max",
             padding: int = 1, pool_stride: int = 2, bias: bool = True) -> Any:
    """VGG's convolutional part with fixed weights; `act`: "every" convolution is followed by
    a ReLU, "block": only the last of each block, "none"."""
    import torch.nn.functional as F

    for i, v in enumerate(cfg):
        if v == "M":
            x = (F.max_pool2d if pool == "max" else F.avg_pool2d)(x, 2, pool_stride)
        else:
            x = conv(x, int(v), 3, padding=padding, bias=bias)
            last = i + 1 == len(cfg) or cfg[i + 1] == "M"
            x = relu(x) if act == "every" or act == "block" and last else x
    return x


def _vgg_counts(cfg: Sequence, c_in: int, bias: bool = True, chain: bool = True) -> list[int]:
    counts, c = [], c_in
    for v in cfg:
        if v != "M":
            counts.append(9 * c * v + (v if bias else 0))
            c = v if chain else c
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


def _vgg_configs(rng: np.random.Generator, hidden: bool) -> list[tuple[list, tuple]]:
    """(cfg, input shape) pairs; the last visible one and the hidden ones are not square."""
    configs = [([8, "M", 16, "M"], (1, 3, 16, 16)),
               ([4, 4, "M", 8, 8, 8, "M"], (2, 1, 12, 12)),
               ([5, "M", 7], (2, 2, 9, 14))]
    if hidden:
        configs = []
        for _config in range(3):  # not `_`: that is gettext here
            cfg: list = []
            for _stage in range(int(rng.integers(1, 4))):
                cfg += [int(rng.integers(2, 12))] * int(rng.integers(1, 4)) + ["M"]
            pools = cfg.count("M")
            shape = (int(rng.integers(1, 4)), int(rng.integers(1, 5)),
                     int(rng.integers(2 ** pools, 2 ** pools * 3)),
                     int(rng.integers(2 ** pools, 2 ** pools * 3)))
            configs.append((cfg, shape))
    return configs


NO_RELU = N_("the ReLU is missing: every convolution is followed by nn.ReLU()")
NO_BIAS = N_("each convolution has a bias: out_channels more parameters (keep bias=True)")
NO_PADDING = N_("the maps shrink by 2 at each convolution: use padding=1 so that a 3x3 "
                "convolution keeps H and W")
POOL_STRIDE = N_("the pooling must halve H and W: nn.MaxPool2d(kernel_size=2, stride=2)")
FEATURE_MISTAKES = [
    (dict(act="none"), NO_RELU),
    (dict(act="block"), N_("only the last convolution of each block has a ReLU: every "
                           "convolution is followed by its own nn.ReLU()")),
    (dict(pool="avg"), N_("this is average pooling: VGG takes the maximum, "
                          "nn.MaxPool2d(kernel_size=2, stride=2)")),
    (dict(bias=False), NO_BIAS), (dict(padding=0), NO_PADDING), (dict(pool_stride=1), POOL_STRIDE),
]


@on_one_thread
def vgg_features_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return drawn(seed, "make_vgg_features", _vgg_features)


def _vgg_features(rng: np.random.Generator, hidden: bool) -> list[Case]:
    cases = []
    for cfg, shape in _vgg_configs(rng, hidden):
        c_in = shape[1]
        counts = np.array(_vgg_counts(cfg, c_in))
        count_mistakes = [Mistake(np.array(_vgg_counts(cfg, c_in, bias=False)), NO_BIAS),
                          Mistake(np.array(_vgg_counts(cfg, c_in, chain=False)),
                                  N_("each convolution takes the channels of the one before "
                                     "it: set in_channels = v after adding a convolution"))]
        if c_in != 3:
            count_mistakes.append(Mistake(np.array(_vgg_counts(cfg, 3)),
                                          N_("the first convolution must take `in_channels`, "
                                             "not always 3")))
        cases.append(Case(_("parameters per layer, cfg={cfg}, in_channels={c_in}").format(
                              cfg=cfg, c_in=c_in), (cfg, c_in),
                          adapter=parameter_counts, expected=counts, check_dtype=False,
                          shape_rule=N_("one entry per convolution (pooling has no "
                                        "parameters)"),
                          mistakes=count_mistakes))
        shapes = np.array(_vgg_shapes(cfg, shape))
        cases.append(Case(_("output shape of each layer, cfg={cfg}, input {shape}").format(
                              cfg=cfg, shape=shape),
                          (shape, cfg, c_in), adapter=leaf_output_shapes, expected=shapes,
                          check_dtype=False,
                          shape_rule=N_("one row (N, C, H, W) per convolution and per "
                                        "pooling"),
                          mistakes=[Mistake(np.array(_vgg_shapes(cfg, shape, padding=0)),
                                            NO_PADDING),
                                    Mistake(np.array(_vgg_shapes(cfg, shape, pool_stride=1)),
                                            POOL_STRIDE)]))
        x = rng.normal(size=shape)
        t = tensor(x)
        expected = as_array(_vgg_ref(t, cfg))
        cases.append(Case(_("output with fixed weights, cfg={cfg}, input {shape}").format(
                              cfg=cfg, shape=shape),
                          ([x], cfg, c_in), adapter=fixed_weights_forward, expected=expected,
                          rtol=1e-7, atol=1e-9, check_dtype=False, spatial=(2, 3),
                          shape_rule=N_("(N, last channels, H / 2^p, W / 2^p), p poolings"),
                          mistakes=variants(lambda **kw: _vgg_ref(t, cfg, **kw),
                                             FEATURE_MISTAKES)))
    return cases


def _vgg_model_ref(x: Any, cfg: Sequence, num_classes: int, hidden_units: int,
                   act: bool = True, last: str = "none", drops: tuple[str, ...] = ()) -> Any:
    """The whole VGG with fixed weights; dropout before the dense layers named in `drops`
    ("fc2", "fc3" in VGG: after the first two ReLUs)."""
    import torch

    x = _vgg_ref(x, cfg).flatten(1)
    for name in ("fc1", "fc2"):
        x = dropout(x) if name in drops else x
        x = linear(x, hidden_units)
        x = relu(x) if act else x
    x = linear(dropout(x) if "fc3" in drops else x, num_classes)
    return {"none": x, "relu": relu(x), "softmax": torch.softmax(x, 1),
            "log_softmax": torch.log_softmax(x, 1)}[last]


HIDDEN_UNITS = N_("the dense layers have `hidden` units, not always 4096")
ALL_CLASSES = N_("the last layer has num_classes outputs, not always 1000")
MODEL_MISTAKES = [
    (dict(act=False), N_("a ReLU is missing after the first two linear layers (the classifier "
                         "is Linear, ReLU, Dropout, Linear, ReLU, Dropout, Linear)")),
    (dict(hidden_units=4096), HIDDEN_UNITS), (dict(num_classes=1000), ALL_CLASSES),
    (dict(last="relu"), RELU_ON_SCORES),
    (dict(last="softmax"), SOFTMAX_ON_SCORES),
    (dict(last="log_softmax"), SOFTMAX_ON_SCORES),
]
ONE_DROPOUT = N_("one dropout is missing: there is one after each of the first two ReLUs of "
                 "the classifier")
DROPOUT_MISTAKES = [
    (dict(drops=()), N_("dropout is missing: the classifier is Linear, ReLU, Dropout, Linear, "
                        "ReLU, Dropout, Linear (dropout only acts in training mode, which this "
                        "case uses)")),
    (dict(drops=("fc2",)), ONE_DROPOUT),
    (dict(drops=("fc3",)), ONE_DROPOUT),
    (dict(drops=("fc1", "fc2")), N_("in VGG's classifier dropout comes after each ReLU "
                                    "(Linear, ReLU, Dropout, Linear, ReLU, Dropout, Linear), "
                                    "not before the linear layers")),
]


@on_one_thread
def vgg_model_cases(seed: int) -> tuple[list[Case], list[Case]]:
    with reusing_weights():  # the same dense layers for several mistakes
        return drawn(seed, "make_vgg", _vgg_model)


def _vgg_model(rng: np.random.Generator, hidden: bool) -> list[Case]:
    cases = []
    for i, (cfg, shape) in enumerate(_vgg_configs(rng, hidden)):
        n_cls, units = (10, 32) if i % 2 == 0 else (5, 16)
        if hidden:
            n_cls, units = int(rng.integers(2, 20)), int(rng.integers(4, 40))
        if shape[2] != shape[3]:
            shape = (shape[0], shape[1], shape[2], shape[2])  # make_vgg takes square images
        kw = dict(num_classes=n_cls, in_channels=shape[1], image_size=shape[2], hidden=units)
        cases.append(_vgg_count_case(cfg, kw))
        x = rng.normal(size=shape)
        seed = int(rng.integers(10**6))
        cases += [_vgg_output_case(x, seed, cfg, kw, train) for train in (False, True)]
    return cases


def _vgg_count_case(cfg: Sequence, kw: dict) -> Case:
    """Parameters per layer of make_vgg(cfg, **kw)."""
    n_cls, c_in, size, units = (kw[k] for k in ("num_classes", "in_channels", "image_size",
                                                "hidden"))
    side = size // 2 ** cfg.count("M")
    last = [v for v in cfg if v != "M"][-1]
    dense = [last * side * side * units + units, units * units + units, units * n_cls + n_cls]
    counts = _vgg_counts(cfg, c_in) + dense
    wrong = {"flat": _vgg_counts(cfg, c_in) + [last * size * size * units + units] + dense[1:],
             "in": _vgg_counts(cfg, 3) + dense,
             "hidden": _vgg_counts(cfg, c_in) + [last * side * side * 4096 + 4096,
                                                 4096 * 4096 + 4096, 4096 * n_cls + n_cls],
             "classes": counts[:-1] + [units * 1000 + 1000]}
    messages = {"flat": N_("the first linear layer takes the flattened last maps: "
                           "channels x (image_size / 2^(number of poolings))^2 inputs, not "
                           "channels x image_size^2"),
                "in": N_("pass in_channels on to make_vgg_features(cfg, in_channels)"),
                "hidden": HIDDEN_UNITS, "classes": ALL_CLASSES}
    return Case(_("parameters per layer, cfg={cfg}, {arguments}").format(cfg=cfg, arguments=kw),
                (cfg,), kw, adapter=parameter_counts, expected=np.array(counts),
                check_dtype=False, shape_rule=N_("one entry per convolution, then 3 linear layers"),
                mistakes=[Mistake(np.array(wrong[k]), messages[k]) for k in wrong
                          if wrong[k] != counts])


def _vgg_output_case(x: np.ndarray, seed: int, cfg: Sequence, kw: dict, train: bool) -> Case:
    """make_vgg(cfg, **kw)'s scores for x with fixed weights, in evaluation or training mode
    (dropout drawn from `seed`)."""
    t = tensor(x)

    def ref(**change: Any) -> np.ndarray:
        options = dict(num_classes=kw["num_classes"], hidden_units=kw["hidden"],
                       drops=("fc2", "fc3") if train else ())
        options.update(change)
        with seeded(seed):
            return as_array(_vgg_model_ref(t, cfg, **options))
    mistakes = [Mistake(ref(**k), m) for k, m in MODEL_MISTAKES]
    if train:
        mistakes += [Mistake(ref(**k), m) for k, m in DROPOUT_MISTAKES]
    described = _("output with fixed weights in training mode (dropout on, seed "
                  "{seed}), cfg={cfg}, input {shape}") if train else \
        _("output with fixed weights in evaluation mode, cfg={cfg}, input {shape}")
    return Case(described.format(seed=seed, cfg=cfg, shape=x.shape),
                ([x], seed, cfg) if train else ([x], cfg), kw,
                adapter=fixed_weights_train_forward if train else fixed_weights_forward,
                expected=ref(), rtol=1e-7, atol=1e-9, check_dtype=False, scores=True,
                mistakes=mistakes,
                shape_rule=f"(N, num_classes) = ({x.shape[0]}, {kw['num_classes']})")


check_vgg_receptive_field = NOTEBOOK.check("receptive_field", vgg_receptive_field_cases,
                                           "receptive_field(n_layers, kernel_size).")
check_vgg_stack_params = NOTEBOOK.check("stack_params", vgg_stack_params_cases,
                                        "stack_params(channels, n_layers, kernel_size).")
check_vgg_features = NOTEBOOK.check("make_vgg_features", vgg_features_cases,
                                    N_("make_vgg_features(cfg, in_channels): parameters and "
                                       "output shape of each layer, and outputs with fixed "
                                       "weights."))
check_vgg_model = NOTEBOOK.check("make_vgg", vgg_model_cases,
                                 N_("make_vgg(cfg, num_classes, in_channels, image_size, "
                                    "hidden): parameters, and outputs with fixed weights "
                                    "(evaluation and training mode)."))
