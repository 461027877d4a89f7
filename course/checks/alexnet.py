"""Checks for notebook 09: AlexNet (the lecture's ALEXNET section and its table).

Model classes are judged through adapters (`model_adapters`): the parameters of each layer and
the output (H, W, C) of each row of `course.summary`'s table (`layer_tables`), against the
lecture's numbers and the layer arithmetic; and what the network computes with fixed weights,
in evaluation mode and in training mode (dropout on, with a seeded generator), against
`torch.nn.functional` on the same values (`fixed_weights`).
"""
from __future__ import annotations

import functools
from typing import Any

import numpy as np

from ..i18n import N_, _, language
from . import probes
from .adapters import feature_map_shapes, feature_map_values
from .case import Case, Mistake, split, streams
from .exercise import Notebook
from .fixed_weights import (as_array, conv, dropout, linear, on_one_thread, relu,
                            reusing_weights, seeded, tensor)
from .layer_tables import conv as conv_params, counts, dense, no_bias, table_cases
from .lenet import NO_RELU_AT_ALL, RELU_ON_SCORES, SOFTMAX_ON_SCORES
from .model_adapters import (fixed_weights_forward, fixed_weights_train_forward, output_shape,
                             parameter_counts)

NOTEBOOK = Notebook("09_alexnet")


def _alexnet_params(channels: tuple[int, ...], first: tuple[int, int], classes: int) -> list:
    """Parameters of conv1..conv5 (kernels 11, 5, 3, 3, 3) and fc6..fc8 on 6x6 maps."""
    c = (3, *channels)
    kernels = (first[0], 5, 3, 3, 3)
    convs = [conv_params(k, c[i], c[i + 1]) for i, k in enumerate(kernels)]
    return convs + [dense(6 * 6 * c[-1], 4096), dense(4096, 4096), dense(4096, classes)]


LECTURE_CHANNELS = (96, 256, 384, 384, 256)
TORCHVISION_CHANNELS = (64, 192, 384, 256, 256)
LECTURE_LAYERS = [("conv1", (55, 55, 96)), ("maxpool1", (27, 27, 96)),
                  ("conv2", (27, 27, 256)), ("maxpool2", (13, 13, 256)),
                  ("conv3", (13, 13, 384)), ("conv4", (13, 13, 384)), ("conv5", (13, 13, 256)),
                  ("maxpool5", (6, 6, 256)), ("fc6", (1, 1, 4096)), ("fc7", (1, 1, 4096))]

# ---------------------------------------------------------------------------------------------
# What AlexNet computes with fixed weights, and what the usual wrong ones compute
# ---------------------------------------------------------------------------------------------

CONV_RELU = N_("the convolutions are not followed by a ReLU: put nn.ReLU() after each "
               "convolution of `features`")
FC_RELU = N_("fc6 and fc7 are not followed by a ReLU: put nn.ReLU() after each of them")
POOL_WINDOW = N_("the max-pooling windows are 3x3 with a stride of two (overlapping pooling, "
                 "as in the table): nn.MaxPool2d(kernel_size=3, stride=2). A 2x2 window gives "
                 "the same shapes but other values")
NO_DROPOUT = N_("dropout is missing: the classifier has nn.Dropout(0.5) before fc6 and before "
                "fc7 (it only acts in training mode, which this case uses)")
ONE_DROPOUT = N_("one dropout is missing: there is one before fc6 and one before fc7")
DROPOUT_AFTER = N_("dropout comes before fc6 and before fc7 (Flatten, Dropout, fc6, ReLU, "
                   "Dropout, fc7, ReLU, fc8), not after them")
ADAPTIVE_MAX = N_("the pooling before the classifier averages: nn.AdaptiveAvgPool2d((6, 6)), "
                  "not a max")
SCORES_RULE = N_("(batch, num_classes)")
COUNTS_RULE = N_("8 layers with parameters: 5 convolutions, 3 dense layers")

# keyword arguments of _features / _classifier for each mistake, and its message
_FEATURE_MISTAKES = [(dict(window=2), POOL_WINDOW)]
_HEAD_MISTAKES = [(dict(act=False), FC_RELU), (dict(last="relu"), RELU_ON_SCORES),
                  (dict(last="softmax"), SOFTMAX_ON_SCORES),
                  (dict(last="log_softmax"), SOFTMAX_ON_SCORES)]
_DROPOUT_MISTAKES = [(dict(drops=()), NO_DROPOUT), (dict(drops=("fc6",)), ONE_DROPOUT),
                     (dict(drops=("fc7",)), ONE_DROPOUT), (dict(drops=("fc7", "fc8")),
                                                           DROPOUT_AFTER)]


def _features(x: Any, channels: tuple[int, ...], pad1: int, act: bool = True,
              window: int = 3) -> Any:
    """conv1 .. conv5 with their ReLUs and the three max-poolings."""
    import torch.nn.functional as F

    pooled = F.max_pool2d
    a = relu if act else (lambda t: t)
    c1, c2, c3, c4, c5 = channels
    x = pooled(a(conv(x, c1, 11, 4, pad1)), window, 2)
    x = pooled(a(conv(x, c2, 5, padding=2)), window, 2)
    x = a(conv(a(conv(x, c3, 3, padding=1)), c4, 3, padding=1))
    return pooled(a(conv(x, c5, 3, padding=1)), window, 2)


def _classifier(x: Any, k: int, act: bool = True, last: str = "none",
                drops: tuple[str, ...] = ()) -> Any:
    """Flatten, fc6, fc7, fc8, with dropout before the layers named in `drops`."""
    import torch

    x = x.flatten(1)
    for name, n in (("fc6", 4096), ("fc7", 4096)):
        x = dropout(x) if name in drops else x
        x = linear(x, n)
        x = relu(x) if act else x
    x = linear(dropout(x) if "fc8" in drops else x, k)
    return {"none": x, "relu": relu(x), "softmax": torch.softmax(x, 1),
            "log_softmax": torch.log_softmax(x, 1)}[last]


def _forward_cases(label: str, model_args: tuple, x: np.ndarray, seed: int, k: int,
                   channels: tuple[int, ...], pad1: int, avgpool: bool) -> list[Case]:
    """The output with fixed weights for the images x in evaluation mode, and for the first
    image in training mode (dropout, drawn with `seed`), and the output of each mistake in
    both modes. (Each image through AlexNet in float64 takes a tenth of a second: the
    training-mode case reuses the first image's features.)"""
    import torch.nn.functional as F

    def pooled(f: Any, kind: str = "avg") -> Any:
        if not avgpool:
            return f
        return (F.adaptive_avg_pool2d if kind == "avg" else F.adaptive_max_pool2d)(f, 6)

    def head(f: Any, train: bool, **kw: Any) -> np.ndarray:
        drops = kw.pop("drops", ("fc6", "fc7") if train else ())
        with seeded(seed):
            return as_array(_classifier(f[:1] if train else f, k, drops=drops, **kw))

    with reusing_weights():
        t = tensor(x)
        right = _features(t, channels, pad1)
        f, no_relu = pooled(right), pooled(_features(t, channels, pad1, act=False))
        wrong_f = [(no_relu, CONV_RELU)]
        if avgpool:  # torchvision's: its adaptive pooling
            wrong_f.append((pooled(right, "max"), ADAPTIVE_MAX))
        else:
            wrong_f += [(_features(t, channels, pad1, **kw), m) for kw, m in _FEATURE_MISTAKES]
        cases = []
        for train in (False, True):
            mistakes = [Mistake(head(wf, train), m) for wf, m in wrong_f]
            mistakes += [Mistake(head(f, train, **kw), m) for kw, m in _HEAD_MISTAKES]
            mistakes.append(Mistake(head(no_relu, train, act=False), NO_RELU_AT_ALL))
            if train:
                mistakes += [Mistake(head(f, True, **kw), m) for kw, m in _DROPOUT_MISTAKES]
            common = dict(expected=head(f, train), rtol=1e-7, atol=1e-9, check_dtype=False,
                          scores=True, mistakes=mistakes, shape_rule=SCORES_RULE)
            if train:
                cases.append(Case(_("{prefix}1 image: output with fixed weights in training "
                                    "mode (dropout on, seed {seed})").format(prefix=label,
                                                                             seed=seed),
                                  ([x[:1]], seed) + model_args,
                                  adapter=fixed_weights_train_forward, **common))
            else:
                described = _("{prefix}1 image: output with fixed weights in evaluation "
                              "mode") if len(x) == 1 else \
                    _("{prefix}{count} images: output with fixed weights in evaluation mode")
                cases.append(Case(described.format(prefix=label, count=len(x)),
                                  ([x],) + model_args, adapter=fixed_weights_forward, **common))
    return cases


# ---------------------------------------------------------------------------------------------
# AlexNet: the lecture's table
# ---------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _alexnet_visible(lang: str) -> tuple[Case, ...]:
    """The visible cases, the same in every run: computed once per session and language (AlexNet's
    reference outputs take a good part of a second; the labels are in the language `lang`)."""
    vis, _hid = streams(0, "AlexNet")
    with reusing_weights():
        return tuple(_alexnet_table(1000) + [_alexnet_counts(10)] + _alexnet_forward(
            1000, vis.normal(size=(2, 3, 227, 227)), 1))


@functools.lru_cache(maxsize=1)
def _alexnet_hidden(seed: int, lang: str) -> tuple[Case, ...]:
    """The hidden cases of a seed, kept for the next call: every call of the check builds
    them, and a visible check, run again, asks for the same seed (and language)."""
    _vis, hid = streams(seed, "AlexNet")
    k = int(hid.integers(2, 200))
    with reusing_weights():  # one image: the visible cases have two
        return tuple(_alexnet_table(k) + _alexnet_forward(
            k, hid.normal(size=(1, 3, 227, 227)), int(hid.integers(10**6))))


@on_one_thread
def alexnet_cases(seed: int) -> tuple[list[Case], list[Case]]:
    with reusing_weights():  # the dense layers' weights, once for both
        return list(_alexnet_visible(language())), list(_alexnet_hidden(seed, language()))


def _alexnet_counts(k: int) -> Case:
    return Case(_("AlexNet({k}): parameters per layer").format(k=k), (k,),
                adapter=parameter_counts,
                expected=counts(_alexnet_params(LECTURE_CHANNELS, (11, 4), k)),
                shape_rule=COUNTS_RULE,
                mistakes=[Mistake(counts(_alexnet_params(LECTURE_CHANNELS, (11, 4), 1000)),
                                  N_("fc8 has 1000 outputs whatever num_classes is: give it "
                                     "num_classes outputs"))])


def _alexnet_forward(k: int, x: np.ndarray, seed: int) -> list[Case]:
    args, label = ((), "") if k == 1000 else ((k,), _("AlexNet({k}): ").format(k=k))
    return _forward_cases(label, args, x, seed, k, LECTURE_CHANNELS, 0, avgpool=False)


def _alexnet_table(k: int) -> list[Case]:
    args, label = ((), "") if k == 1000 else ((k,), _("AlexNet({k}): ").format(k=k))
    right = _alexnet_params(LECTURE_CHANNELS, (11, 4), k)
    tv = _alexnet_params(TORCHVISION_CHANNELS, (11, 4), k)
    c, kernels = (3, *LECTURE_CHANNELS), (11, 5, 3, 3, 3)
    params = []
    for i in range(5):
        kk, c_in, c_out = kernels[i], c[i], c[i + 1]
        wrong = {**no_bias(right[i] - c_out, c_out),
                 tv[i]: N_("these are torchvision's channels (64, 192, 384, 256, 256); the "
                           "lecture's are 96, 256, 384, 384, 256")}
        if i in (1, 3, 4):  # split across the paper's two GPUs
            wrong[conv_params(kk, c_in, c_out, groups=2)] = N_(
                "half the lecture's count: that is the paper's two-GPU split (groups=2); "
                "the lecture's table uses ordinary convolutions")
        params.append((f"conv{i + 1}", f"{kk}x{kk}x{c_in}x{c_out} + {c_out}", right[i],
                       wrong))
    for i, (n_in, n_out) in enumerate(((9216, 4096), (4096, 4096), (4096, k))):
        wrong = no_bias(n_in * n_out, n_out)
        if i == 0:
            wrong[dense(13 * 13 * 256, 4096)] = N_(
                "fc6 takes 13x13x256 inputs: the third max-pool (after conv5, 13x13 -> "
                "6x6) is missing")
        params.append((f"fc{i + 6}", f"{n_in}x{n_out} + {n_out}", right[5 + i], wrong))
    layers = [(name, shape, {}) for name, shape in LECTURE_LAYERS] + \
             [("fc8", (1, 1, k), {})]
    layers[0][2][(56, 56, 96)] = N_("conv1 gives 56x56: it has padding; the lecture's "
                                    "conv1 has none, (227 - 11) / 4 + 1 = 55")
    return table_cases(args, (1, 3, 227, 227), params, layers, label)


# ---------------------------------------------------------------------------------------------
# TorchvisionAlexNet
# ---------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _torchvision_visible(lang: str) -> tuple[Case, ...]:
    """The visible cases, the same in every run: computed once per session and language."""
    vis, _hid = streams(0, "TorchvisionAlexNet")
    visible = [Case(_("TorchvisionAlexNet(): parameters per layer (61,100,840 in all)"), (),
                    adapter=parameter_counts,
                    expected=counts(_alexnet_params(TORCHVISION_CHANNELS, (11, 4), 1000)),
                    shape_rule=COUNTS_RULE,
                    mistakes=[Mistake(counts(_alexnet_params(LECTURE_CHANNELS, (11, 4), 1000)),
                                      N_("these are the lecture's channels (96, 256, 384, 384, "
                                         "256); torchvision's are 64, 192, 384, 256, 256"))])]
    visible += [_tv_shape_case(size, 1000) for size in (224, 160)]
    # 200 x 255 leaves 5 x 7 maps after the last pooling: the adaptive pooling's windows
    # overlap, and averaging differs from taking the maximum
    with reusing_weights():
        visible += _tv_forward(10, vis.normal(size=(2, 3, 200, 255)), 1)
    return tuple(visible)


@functools.lru_cache(maxsize=1)
def _torchvision_hidden(seed: int, lang: str) -> tuple[Case, ...]:
    """The hidden cases of a seed, kept for the next call (see `_alexnet_hidden`)."""
    _vis, hid = streams(seed, "TorchvisionAlexNet")
    h, w = (int(v) for v in hid.integers(63, 300, size=2))
    k = int(hid.integers(2, 50))
    with reusing_weights():
        return tuple([_tv_shape_case(int(hid.integers(64, 300)), k)] + _tv_forward(
            k, hid.normal(size=(1, 3, h, w)), int(hid.integers(10**6))))


@on_one_thread
def alexnet_torchvision_cases(seed: int) -> tuple[list[Case], list[Case]]:
    with reusing_weights():  # the dense layers' weights, once for both
        return (list(_torchvision_visible(language())),
                list(_torchvision_hidden(seed, language())))


def _tv_forward(k: int, x: np.ndarray, seed: int) -> list[Case]:
    label = _("TorchvisionAlexNet({k}), inputs {height}x{width}: ").format(
        k=k, height=x.shape[2], width=x.shape[3])
    return _forward_cases(label, (k,), x, seed, k, TORCHVISION_CHANNELS, 2, avgpool=True)


def _tv_shape_case(size: int, k: int) -> Case:
    args = () if k == 1000 else (k,)
    return Case(_("TorchvisionAlexNet({args}): output shape for a {size}x{size} RGB "
                  "image").format(args=", ".join(map(str, args)), size=size),
                ((1, 3, size, size),) + args, adapter=output_shape,
                expected=np.array([1, k]), shape_rule=N_("(batch, classes)"))


# ---------------------------------------------------------------------------------------------
# grouped_conv_params
# ---------------------------------------------------------------------------------------------

def _grouped_configs(rng: np.random.Generator, hidden: bool) -> list[tuple[int, ...]]:
    """(kernel size, c_in, c_out, groups)."""
    if not hidden:
        return [(5, 96, 256, 1), (5, 96, 256, 2), (3, 384, 384, 2), (3, 256, 384, 1),
                (11, 3, 96, 1), (3, 12, 8, 4)]
    out = []
    for g in (1, 2, int(rng.choice([3, 4, 8]))):
        out.append((int(rng.integers(1, 8)), g * int(rng.integers(1, 40)),
                    g * int(rng.integers(1, 40)), g))
    return out


def grouped_conv_params_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return split(seed, "grouped_conv_params", _grouped_configs, _grouped_case)


def _grouped_case(k: int, c_in: int, c_out: int, g: int) -> Case:
    right = conv_params(k, c_in, c_out, groups=g)
    mistakes = [
        Mistake(conv_params(k, c_in, c_out) // g,
                N_("you divided the biases too: each of the c_out kernels keeps its bias, "
                   "only the input channels are split")),
        Mistake(k * k * (c_in // g) * c_out + c_out // g,
                N_("each of the c_out kernels keeps its own bias: add c_out biases, not "
                   "c_out / groups")),
        Mistake(conv_params(k, c_in, c_out),
                N_("groups split the input channels: each kernel only sees c_in / groups "
                   "of them")),
        Mistake(k * k * (c_in // g) * (c_out // g) + c_out,
                N_("divide by the groups once: there are still c_out kernels, each spanning "
                   "c_in / groups channels")),
        Mistake(k * k * (c_in // g) * c_out,
                N_("the biases are missing: a convolution has one bias per kernel, c_out in "
                   "all")),
        Mistake(k * (c_in // g) * c_out + c_out,
                N_("a k x k kernel has k * k weights per input channel: square the kernel "
                   "size"))]
    return Case(_("kernel {k}x{k}, {c_in} -> {c_out} channels, groups={groups}").format(
                    k=k, c_in=c_in, c_out=c_out, groups=g),
                (k, c_in, c_out, g), expected=right, check_dtype=False,
                mistakes=[m for m in mistakes if m.output != right])


# ---------------------------------------------------------------------------------------------
# feature_maps
# ---------------------------------------------------------------------------------------------

def _reference_maps(seed: int, size: int) -> dict[str, list[np.ndarray]]:
    """The output of every module of probes.maps_net, module by module (that net is a plain
    nn.Sequential), kept before the in-place ReLU touches them: what the usual answers
    return. "right": the Conv2d and MaxPool2d outputs."""
    import torch
    from torch import nn

    model, x = probes.maps_net(), probes.maps_input(seed, size)
    maps: dict[str, list] = {"right": [], "overwritten": [], "every module": [], "inputs": []}
    with torch.no_grad():
        for layer in model:
            before = x
            x = layer(x)
            maps["every module"].append(x.clone())
            if isinstance(layer, (nn.Conv2d, nn.MaxPool2d)):
                maps["right"].append(x.clone())
                maps["overwritten"].append(x)
                maps["inputs"].append(before.clone())
        maps["every module"].append(x.clone())  # the model itself, called last
    kinds = [type(m) for m in model if isinstance(m, (nn.Conv2d, nn.MaxPool2d))]
    maps["convolutions only"] = [m for m, k in zip(maps["right"], kinds) if k is nn.Conv2d]
    maps["poolings only"] = [m for m, k in zip(maps["right"], kinds) if k is nn.MaxPool2d]
    return {k: [m.double().numpy() for m in v] for k, v in maps.items()}


def _map_configs(rng: np.random.Generator, hidden: bool) -> list[tuple[int, int]]:
    """(seed of the images, their size)."""
    return [(int(rng.integers(10**6)), int(rng.integers(8, 40)))] if hidden else \
        [(0, 14), (1, 20)]


@on_one_thread
def feature_maps_cases(seed: int) -> tuple[list[Case], list[Case]]:
    def cases(rng: np.random.Generator, hidden: bool) -> list[Case]:
        return [c for s, size in _map_configs(rng, hidden) for c in _map_cases(s, size)]
    vis, hid = streams(seed, "feature_maps")
    return cases(vis, False), cases(hid, True)


def _shapes(maps: list[np.ndarray]) -> np.ndarray:
    out = np.zeros((len(maps), 4), dtype=np.int64)
    for i, m in enumerate(maps):
        out[i, :m.ndim] = m.shape
    return out


def _values(maps: list[np.ndarray]) -> np.ndarray:
    return np.concatenate([m.ravel() for m in maps]) if maps else np.zeros(0)


BOTH_KINDS = N_("keep the outputs of both kinds of layer, "
                "isinstance(m, (nn.Conv2d, nn.MaxPool2d))")
MAP_MISTAKES = {
    "every module": N_("you kept the output of every module (ReLUs, Flatten, the model "
                       "itself): keep only those of nn.Conv2d and nn.MaxPool2d, "
                       "isinstance(m, (nn.Conv2d, nn.MaxPool2d))"),
    "convolutions only": BOTH_KINDS,
    "poolings only": BOTH_KINDS,
    "inputs": N_("these are the layers' inputs: a forward hook is called as hook(module, "
                 "inputs, output); keep `output`"),
}


def _map_cases(s: int, size: int) -> list[Case]:
    maps = _reference_maps(s, size)
    shapes = _shapes(maps["right"])
    net = _("conv, ReLU, pool, conv, ReLU, pool on 2 images of {size}x{size}").format(size=size)
    shape_mistakes = [Mistake(_shapes(maps[k]), m) for k, m in MAP_MISTAKES.items()]
    value_mistakes = [Mistake(_values(maps["overwritten"]),
                              N_("the convolution maps have no negative values: the network's "
                                 "ReLU works in place and overwrote the tensors you kept. Keep "
                                 "output.detach().clone()"))]
    value_mistakes += [Mistake(_values(maps[k]), m) for k, m in MAP_MISTAKES.items()]
    return [Case(_("{network}: shapes").format(network=net), (s, size),
                 adapter=feature_map_shapes, expected=shapes,
                 shape_rule=N_("one map per Conv2d and MaxPool2d: 4"), mistakes=shape_mistakes),
            Case(_("{network}: values").format(network=net), (s, size),
                 adapter=feature_map_values,
                 expected=_values(maps["right"]), rtol=1e-5, atol=1e-6, check_dtype=False,
                 mistakes=value_mistakes)]


check_alexnet = NOTEBOOK.check("AlexNet", alexnet_cases,
                               N_("The AlexNet class against the lecture's table, and its "
                                  "output with fixed weights (evaluation and training mode)."))
check_grouped_conv_params = NOTEBOOK.check("grouped_conv_params", grouped_conv_params_cases,
                                           "grouped_conv_params(k, c_in, c_out, groups).")
check_alexnet_torchvision = NOTEBOOK.check("TorchvisionAlexNet", alexnet_torchvision_cases,
                                           N_("TorchvisionAlexNet: torchvision's channels, its "
                                              "adaptive average pooling, its output with fixed "
                                              "weights."))
check_feature_maps = NOTEBOOK.check("feature_maps", feature_maps_cases,
                                    N_("feature_maps(model, x): conv and pooling outputs by "
                                       "hooks."), widget="activation_explorer")
