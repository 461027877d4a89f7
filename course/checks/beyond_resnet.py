"""Checks for notebook 13: beyond ResNet, the lecture's reading list (Szegedy et al., 2015:
GoogLeNet's Inception block; He et al., 2016: the pre-activation residual block; Huang et al.,
2017: DenseNet's dense block and transition layer).

Blocks are judged through adapters (`model_adapters`): the parameter count of each layer, and
the output of the block when every parameter is set to `fixed_values(shape)`, in evaluation
mode (batch norm with its initial statistics) and in training mode (the batch's statistics),
computed with `torch.nn.functional` on the same fixed weights (`fixed_weights`); each typical
mistake is computed the same way so that it can be named. `conv_cost` is compared with the
formulas, and with their usual wrong versions.
"""
from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from ..i18n import N_, _
from .adapters import tuple_item_0, tuple_item_1
from .case import Case, Mistake, drawn
from .exercise import Notebook
from .fixed_weights import as_array, batch_norm, conv, on_one_thread, relu, tensor, variants
from .model_adapters import fixed_weights_forward, fixed_weights_train_forward, parameter_counts

NOTEBOOK = Notebook("13_beyond_resnet")

CONV_BIAS = N_("a convolution followed by batch norm takes bias=False: the batch norm adds its "
               "own shift")


def _forward_case(block: str, x: np.ndarray, model_args: tuple, train: bool,
                  right: np.ndarray, mistakes: list[Mistake], rule: str) -> Case:
    """The output of the block with fixed weights on x; in training mode, batch norm uses the
    batch's statistics."""
    common = dict(expected=right, rtol=1e-7, atol=1e-9, check_dtype=False, spatial=(2, 3),
                  shape_rule=rule, mistakes=mistakes)
    if train:
        label = _("output with fixed weights, {block}, input {shape}, training mode")
        return Case(label.format(block=block, shape=x.shape), ([x], 0) + model_args,
                    adapter=fixed_weights_train_forward, **common)
    return Case(_("output with fixed weights, {block}, input {shape}").format(
                    block=block, shape=x.shape), ([x],) + model_args,
                adapter=fixed_weights_forward, **common)


def _counts_case(label: str, model_args: tuple, right: list[int], rule: str,
                 mistakes: list[tuple[list[int], str]]) -> Case:
    """The parameters of each layer, in the order the layers are created."""
    return Case(_("parameters per layer, {block}").format(block=label), model_args,
                adapter=parameter_counts,
                expected=np.array(right, np.int64), check_dtype=False, shape_rule=rule,
                mistakes=[Mistake(np.array(c, np.int64), m) for c, m in mistakes if c != right])


def _size(rng: np.random.Generator, low: int, high: int) -> int:
    """A random integer from low to high, both included."""
    return int(rng.integers(low, high + 1))


# ---------------------------------------------------------------------------------------------
# The Inception block (GoogLeNet)
# ---------------------------------------------------------------------------------------------

BRANCH_MISSING = [N_("the first branch (the 1x1 convolution, ch1x1 channels) is missing from "
                     "the concatenation"),
                  N_("the second branch (1x1 reduction to ch3x3red, then 3x3 to ch3x3) is "
                     "missing from the concatenation"),
                  N_("the third branch (1x1 reduction to ch5x5red, then 5x5 to ch5x5) is "
                     "missing from the concatenation"),
                  N_("the fourth branch (3x3 max pooling, then a 1x1 projection to pool_proj) "
                     "is missing from the concatenation")]
BRANCH_EMPTY = [N_("the first branch (the 1x1 convolution, ch1x1 channels) has no layers"),
                N_("the second branch (1x1 reduction to ch3x3red, then 3x3 to ch3x3) has no "
                   "layers"),
                N_("the third branch (1x1 reduction to ch5x5red, then 5x5 to ch5x5) has no "
                   "layers"),
                N_("the fourth branch (3x3 max pooling, then a 1x1 projection to pool_proj) "
                   "has no layers")]
NO_REDUCTION_3 = N_("the 3x3 branch starts with its 1x1 reduction: Conv2d(in_channels, ch3x3red, "
                    "1), ReLU, then Conv2d(ch3x3red, ch3x3, 3, padding=1)")
NO_REDUCTION_5 = N_("the 5x5 branch starts with its 1x1 reduction: Conv2d(in_channels, ch5x5red, "
                    "1), ReLU, then Conv2d(ch5x5red, ch5x5, 5, padding=2)")
KERNEL_3_FOR_5 = N_("the third branch's second convolution is 5x5 (padding=2); torchvision's "
                    "GoogLeNet has a 3x3 there, a known bug it keeps for its trained weights")
WRONG_AXIS = N_("the branches are concatenated along the channels, dim=1 of (N, C, H, W): "
                "torch.cat([...], dim=1)")
BRANCH_ORDER = N_("concatenate the branches in order: 1x1, 3x3, 5x5, then the pooling branch "
                  "(branch1, branch2, branch3, branch4)")
REDUCTION_RELU = N_("every convolution is followed by a ReLU, the 1x1 reductions included (ReLU "
                    "between the 1x1 and the 3x3 or 5x5 convolution)")
OUTPUT_RELU = N_("each branch ends with a ReLU after its last convolution")
AVG_POOL = N_("the fourth branch uses max pooling (nn.MaxPool2d(3, stride=1, padding=1))")
PROJECT_FIRST = N_("the fourth branch pools first (3x3 max pooling, stride 1, padding 1), then "
                   "projects with its 1x1 convolution")
NO_BIAS = N_("GoogLeNet's convolutions have a bias (there is no batch norm in this block): keep "
             "nn.Conv2d's default bias=True")


def _inception_branches(x: Any, widths: tuple[int, ...], reduce3: bool = True,
                        reduce5: bool = True, k5: int = 5, reduction_relu: bool = True,
                        output_relu: bool = True, pool: str = "max",
                        project_first: bool = False, bias: bool = True) -> list[Any]:
    """The four branches of the Inception block on fixed weights, or of one of its usual wrong
    versions."""
    import torch.nn.functional as F

    c1, c3r, c3, c5r, c5, pp = widths
    act = relu if output_relu else (lambda t: t)
    red = relu if reduction_relu else (lambda t: t)

    def cv(t: Any, c_out: int, k: int) -> Any:
        return conv(t, c_out, k, padding=k // 2, bias=bias)
    b1 = act(cv(x, c1, 1))
    b2 = act(cv(red(cv(x, c3r, 1)), c3, 3)) if reduce3 else act(cv(x, c3, 3))
    b3 = act(cv(red(cv(x, c5r, 1)), c5, k5)) if reduce5 else act(cv(x, c5, 5))
    pooling = F.max_pool2d if pool == "max" else F.avg_pool2d
    b4 = act(pooling(cv(x, pp, 1), 3, 1, 1)) if project_first else \
        act(cv(pooling(x, 3, 1, 1), pp, 1))
    return [b1, b2, b3, b4]


def _joined(branches: list[Any], drop: int | None = None, dim: int = 1,
            order: tuple[int, ...] = (0, 1, 2, 3)) -> Any:
    """The branches concatenated (or, wrongly, one left out, another axis, another order)."""
    import torch

    return torch.cat([branches[i] for i in order if i != drop], dim=dim)


def _inception_counts(c_in: int, widths: tuple[int, ...], bias: bool = True,
                      reduce3: bool = True, reduce5: bool = True, k5: int = 5,
                      drop: int | None = None,
                      order: tuple[int, ...] = (0, 1, 2, 3)) -> list[int]:
    """The parameters of each convolution of the block, in the order of its branches (or of
    one of its usual wrong versions)."""
    c1, c3r, c3, c5r, c5, pp = widths
    b = int(bias)
    groups = [[c_in * c1 + b * c1],
              [c_in * c3r + b * c3r, 9 * c3r * c3 + b * c3] if reduce3 else
              [9 * c_in * c3 + b * c3],
              [c_in * c5r + b * c5r, k5 * k5 * c5r * c5 + b * c5] if reduce5 else
              [25 * c_in * c5 + b * c5],
              [c_in * pp + b * pp]]
    return [n for i in order if i != drop for n in groups[i]]


def _inception_configs(rng: np.random.Generator,
                       hidden: bool) -> list[tuple[int, tuple[int, ...], tuple[int, ...]]]:
    """(in_channels, (ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj), input shape). The
    second configuration has four branches of the same width: only there does a concatenation
    along another axis run, and its mistake can be named."""
    configs = [(4, (3, 4, 6, 2, 5, 7), (2, 4, 6, 6)), (5, (3, 4, 3, 2, 3, 3), (1, 5, 5, 7)),
               (6, (5, 2, 4, 3, 2, 1), (2, 6, 4, 3))]
    if hidden:
        configs = []
        for equal in (False, True, False):
            c_in = _size(rng, 2, 8)
            c3r, c5r = (int(v) for v in rng.choice(np.arange(1, 9), 2, replace=False))
            if equal:
                c1 = c3 = c5 = pp = _size(rng, 1, 6)
            else:
                c1, c3, c5, pp = (int(v) for v in rng.choice(np.arange(1, 10), 4,
                                                             replace=False))
            configs.append((c_in, (c1, c3r, c3, c5r, c5, pp),
                            (_size(rng, 1, 3), c_in, _size(rng, 2, 8), _size(rng, 2, 8))))
    return configs


@on_one_thread
def inception_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return drawn(seed, "Inception", _inception)


def _inception(rng: np.random.Generator, hidden: bool) -> list[Case]:
    cases = []
    orders = [p for p in itertools.permutations(range(4)) if p != (0, 1, 2, 3)]
    for c_in, widths, shape in _inception_configs(rng, hidden):
        args = (c_in, *widths)
        label = f"Inception{args}"
        right = _inception_counts(c_in, widths)
        count_mistakes = [(_inception_counts(c_in, widths, drop=i), m)
                          for i, m in enumerate(BRANCH_EMPTY)]
        count_mistakes += [(_inception_counts(c_in, widths, reduce3=False), NO_REDUCTION_3),
                           (_inception_counts(c_in, widths, reduce5=False), NO_REDUCTION_5),
                           (_inception_counts(c_in, widths, k5=3), KERNEL_3_FOR_5),
                           (_inception_counts(c_in, widths, bias=False), NO_BIAS)]
        count_mistakes += [(_inception_counts(c_in, widths, order=o),
                            N_("right counts in another order: create branch1, branch2, "
                               "branch3, branch4 in this order")) for o in orders]
        cases.append(_counts_case(label, args, right, N_("branch1: 1x1; branch2: 1x1, 3x3; "
                                                         "branch3: 1x1, 5x5; branch4: pooling, "
                                                         "1x1"), count_mistakes))
        x = rng.normal(size=shape)
        t = tensor(x)
        right_branches = _inception_branches(t, widths)

        def make(drop: int | None = None, dim: int = 1, order: tuple[int, ...] = (0, 1, 2, 3),
                 **kw: Any) -> Any:
            branches = _inception_branches(t, widths, **kw) if kw else right_branches
            return _joined(branches, drop, dim, order)
        out = as_array(make())
        wrong = [(dict(drop=i), m) for i, m in enumerate(BRANCH_MISSING)]
        wrong += [(dict(dim=d), WRONG_AXIS) for d in (0, 2, 3)]
        wrong += [(dict(reduce3=False), NO_REDUCTION_3), (dict(reduce5=False), NO_REDUCTION_5),
                  (dict(k5=3), KERNEL_3_FOR_5), (dict(reduction_relu=False), REDUCTION_RELU),
                  (dict(output_relu=False), OUTPUT_RELU), (dict(pool="avg"), AVG_POOL),
                  (dict(project_first=True), PROJECT_FIRST), (dict(bias=False), NO_BIAS)]
        wrong += [(dict(order=o), BRANCH_ORDER) for o in orders]
        cases.append(_forward_case(label, x, args, False, out, variants(make, wrong),
                                   _("(N, ch1x1 + ch3x3 + ch5x5 + pool_proj, H, W) = {shape}: "
                                     "every branch keeps H and W").format(shape=out.shape)))
    return cases


# ---------------------------------------------------------------------------------------------
# The cost of a convolution
# ---------------------------------------------------------------------------------------------

def _cost_configs(rng: np.random.Generator,
                  hidden: bool) -> list[tuple[int, int, int, int, int]]:
    """(c_in, c_out, k, h, w)."""
    configs = [(192, 128, 3, 28, 28), (192, 16, 1, 28, 28), (3, 4, 5, 6, 7), (10, 3, 1, 1, 1)]
    if hidden:
        configs = [(_size(rng, 1, 300), _size(rng, 1, 300), int(rng.choice([1, 3, 5, 7])),
                    _size(rng, 2, 60), _size(rng, 2, 60)) for _ in range(3)]
    return configs


def conv_cost_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return drawn(seed, "conv_cost", _conv_cost)


KERNEL_AREA = N_("a k x k kernel has k * k weights per input channel")


def _conv_cost(rng: np.random.Generator, hidden: bool) -> list[Case]:
    cases = []
    for c_in, c_out, k, h, w in _cost_configs(rng, hidden):
        n_weights = k * k * c_in * c_out
        params = n_weights + c_out
        macs = h * w * n_weights
        param_mistakes = [
            (n_weights, N_("count the biases too: one per output channel (c_out)")),
            (k * c_in * c_out + c_out, KERNEL_AREA),
            (h * w * params, N_("the parameters do not depend on the image size: the same "
                                "kernels slide over every position (parameter sharing)")),
            (k * k * c_in + c_out, N_("each of the c_out output channels has its own k x k x "
                                      "c_in kernel"))]
        mac_mistakes = [
            (n_weights, N_("multiply-adds are counted at every output position: times h * w")),
            (macs + h * w * c_out, N_("the bias is one addition per output, not a multiply-add: "
                                      "count h * w * k * k * c_in * c_out")),
            (max(h - k + 1, 0) * max(w - k + 1, 0) * n_weights,
             N_("the convolution keeps h x w ('same' padding): there are h * w output "
                "positions")),
            (h * w * k * c_in * c_out, KERNEL_AREA),
            (h * w * k * k * c_in, N_("each output position computes c_out values"))]
        for adapter, label, right, mistakes in (
                (tuple_item_0, _("parameters of a {k}x{k} convolution, {c_in} -> {c_out} "
                                 "channels, on {h}x{w}"), params, param_mistakes),
                (tuple_item_1, _("multiply-adds of a {k}x{k} convolution, {c_in} -> {c_out} "
                                 "channels, on {h}x{w}"), macs, mac_mistakes)):
            cases.append(Case(label.format(k=k, c_in=c_in, c_out=c_out, h=h, w=w),
                              (c_in, c_out, k, h, w), expected=right,
                              adapter=adapter, check_dtype=False,
                              mistakes=[Mistake(v, m) for v, m in mistakes if v != right]))
    return cases


# ---------------------------------------------------------------------------------------------
# The pre-activation residual block
# ---------------------------------------------------------------------------------------------

RELU_AFTER_ADD = N_("no ReLU after the addition in a pre-activation block: return x + F(x), so "
                    "that the identity passes x (and the gradient) unchanged")
NO_IDENTITY = N_("the identity is missing: the block returns x + F(x)")
POST_ORDER = N_("pre-activation: batch norm and ReLU come before each convolution (bn1, ReLU, "
                "conv1, bn2, ReLU, conv2), not after it")
ACTIVATED_SKIP = N_("the identity adds x itself, not the normalised and activated relu(bn1(x)): "
                    "keep x for the addition")
FIRST_ACTIVATION = N_("F(x) starts with bn1 and a ReLU, before conv1")
NO_RELUS = N_("a ReLU follows each batch norm: bn1, ReLU, conv1, bn2, ReLU, conv2")
RELU_THEN_BN = N_("batch norm first, then the ReLU: relu(bn1(x)), not bn1(relu(x))")
BIAS_FREE = N_("the convolutions take bias=False (in a network of these blocks each one is "
               "followed by a batch norm, here or in the next block)")


def _preact_ref(x: Any, train: bool, order: str = "pre", relu_after_add: bool = False,
                identity: bool = True, activated_skip: bool = False, first_act: bool = True,
                relus: bool = True, relu_first: bool = False, bias: bool = False) -> Any:
    """x + conv2(relu(bn2(conv1(relu(bn1(x)))))), or one of its usual wrong versions."""
    c = x.shape[1]
    act = relu if relus else (lambda t: t)

    def bn_act(t: Any) -> Any:
        return batch_norm(act(t), train) if relu_first else act(batch_norm(t, train))
    if order == "post":
        h = batch_norm(conv(act(batch_norm(conv(x, c, 3, padding=1, bias=bias), train)), c, 3,
                            padding=1, bias=bias), train)
        a = x
    else:
        a = bn_act(x) if first_act else x
        h = conv(bn_act(conv(a, c, 3, padding=1, bias=bias)), c, 3, padding=1, bias=bias)
    y = h + (a if activated_skip else x) if identity else h
    return relu(y) if relu_after_add else y


PREACT_MISTAKES = [(dict(relu_after_add=True), RELU_AFTER_ADD), (dict(identity=False), NO_IDENTITY),
                   (dict(order="post"), POST_ORDER), (dict(activated_skip=True), ACTIVATED_SKIP),
                   (dict(first_act=False), FIRST_ACTIVATION), (dict(relus=False), NO_RELUS),
                   (dict(relu_first=True), RELU_THEN_BN), (dict(bias=True), BIAS_FREE)]


@on_one_thread
def preact_block_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return drawn(seed, "PreActBlock", _preact_block)


def _preact_block(rng: np.random.Generator, hidden: bool) -> list[Case]:
    configs = [(3, (2, 3, 5, 5)), (4, (2, 4, 6, 4)), (2, (3, 2, 3, 7))]
    if hidden:
        configs = []
        for _draw in range(3):
            c = _size(rng, 1, 6)
            configs.append((c, (_size(rng, 2, 3), c, _size(rng, 2, 7), _size(rng, 2, 7))))
    cases = []
    for c, shape in configs:
        block = _("{channels} channels").format(channels=c)
        conv_count, bn_count = 9 * c * c, 2 * c
        cases.append(_counts_case(
            block, (c,), [bn_count, conv_count, bn_count, conv_count], "bn1, conv1, bn2, conv2",
            [([conv_count, bn_count, conv_count, bn_count],
              N_("create the layers in the order they are used: bn1, conv1, bn2, conv2 (the "
                 "batch norm comes first in a pre-activation block)")),
             ([bn_count, conv_count + c, bn_count, conv_count + c], BIAS_FREE)]))
        x = rng.normal(size=shape)
        t = tensor(x)
        for train in (False, True):
            out = as_array(_preact_ref(t, train))
            mistakes = variants(lambda **kw: _preact_ref(t, train, **kw), PREACT_MISTAKES)
            cases.append(_forward_case(block, x, (c,), train, out, mistakes,
                                       _("the same shape as x: {shape}").format(
                                           shape=out.shape)))
    return cases


# ---------------------------------------------------------------------------------------------
# DenseNet: the dense block and the transition layer
# ---------------------------------------------------------------------------------------------

NOT_GROWING = N_("layer i receives the input and the i outputs before it: in_channels + i * "
                 "growth_rate channels")
BOTTLENECK_WIDTH = N_("the 1x1 bottleneck convolution has 4 * growth_rate output channels, and "
                      "the 3x3 convolution growth_rate")
NO_BOTTLENECK = N_("each layer has a 1x1 bottleneck first: BN, ReLU, Conv2d(c, 4 * growth_rate, "
                   "1), then BN, ReLU, Conv2d(4 * growth_rate, growth_rate, 3, padding=1)")
DENSE_POST = N_("pre-activation: batch norm and ReLU come before each convolution (BN, ReLU, "
                "1x1 conv, BN, ReLU, 3x3 conv), as in DenseNet")
ONLY_NEW = N_("the block's output keeps its input: return the concatenation of x and of every "
              "layer's output (in_channels + n_layers * growth_rate channels)")
LAST_ONLY = N_("return the concatenation of x and of every layer's output, not only the last "
               "layer's output")
NEW_FIRST = N_("concatenate in order, the input first: torch.cat([x, new], dim=1), so that "
               "channel j keeps its place as the block grows")
CHAIN = N_("each layer receives the concatenation of the input and of all the outputs before "
           "it: x = torch.cat([x, layer(x)], dim=1), not x = layer(x)")
LAYER_COUNT = N_("the block has n_layers layers")


def _dense_layer_ref(x: Any, k: int, train: bool, width: int | None = 4, post: bool = False,
                     bias: bool = False) -> Any:
    if post:
        h = relu(batch_norm(conv(x, 4 * k, 1, bias=bias), train))
        return relu(batch_norm(conv(h, k, 3, padding=1, bias=bias), train))
    if width is None:
        return conv(relu(batch_norm(x, train)), k, 3, padding=1, bias=bias)
    h = conv(relu(batch_norm(x, train)), width * k, 1, bias=bias)
    return conv(relu(batch_norm(h, train)), k, 3, padding=1, bias=bias)


def _dense_block_ref(x: Any, n: int, k: int, train: bool, out: str = "all",
                     new_first: bool = False, chain: bool = False, **layer: Any) -> Any:
    """n dense layers, each on the concatenation of everything before it, or one of the
    usual wrong versions."""
    import torch

    current, new = x, []
    for _draw in range(n):
        h = _dense_layer_ref(current, k, train, **layer)
        new.append(h)
        current = h if chain else torch.cat([h, current] if new_first else [current, h], dim=1)
    if out == "new":
        return torch.cat(new, dim=1)
    return new[-1] if out == "last" else current


def _dense_counts(c0: int, n: int, k: int, grow: bool = True, width: int | None = 4,
                  post: bool = False, bias: bool = False, chain: bool = False) -> list[int]:
    counts = []
    for i in range(n):
        c = c0 + i * k if grow and not chain else k if chain and i else c0
        if post:
            counts += [4 * k * c, 8 * k, 36 * k * k, 2 * k]
        elif width is None:
            counts += [2 * c, 9 * c * k]
        else:
            counts += [2 * c, width * k * c + width * k * bias, 2 * width * k,
                       9 * width * k * k + k * bias]
    return counts


@on_one_thread
def dense_block_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return drawn(seed, "DenseBlock", _dense_block)


def _dense_block(rng: np.random.Generator, hidden: bool) -> list[Case]:
    configs = [(3, 2, 2, (2, 3, 5, 5)), (4, 3, 3, (1, 4, 4, 6)), (2, 1, 4, (2, 2, 3, 3))]
    if hidden:
        configs = []
        for _draw in range(3):
            c0 = _size(rng, 1, 6)
            configs.append((c0, _size(rng, 1, 3), _size(rng, 1, 4),
                            (_size(rng, 1, 3), c0, _size(rng, 2, 6), _size(rng, 2, 6))))
    cases = []
    for c0, n, k, shape in configs:
        args = (c0, n, k)
        label = f"DenseBlock{args}"
        right = _dense_counts(c0, n, k)
        count_mistakes = [(_dense_counts(c0, n, k, grow=False), NOT_GROWING),
                          (_dense_counts(c0, n, k, width=1), BOTTLENECK_WIDTH),
                          (_dense_counts(c0, n, k, width=None), NO_BOTTLENECK),
                          (_dense_counts(c0, n, k, post=True), DENSE_POST),
                          (_dense_counts(c0, n, k, bias=True), CONV_BIAS),
                          (_dense_counts(c0, n, k, chain=True), CHAIN),
                          (_dense_counts(c0, n + 1, k), LAYER_COUNT),
                          (_dense_counts(c0, n - 1, k), LAYER_COUNT)]
        cases.append(_counts_case(label, args, right,
                                  N_("per layer: BN, 1x1 conv, BN, 3x3 conv"), count_mistakes))
        x = rng.normal(size=shape)
        t = tensor(x)
        for train in (False, True):
            def make(layers: int = n, **kw: Any) -> Any:
                return _dense_block_ref(t, layers, k, train, **kw)
            out = as_array(make())
            mistakes = variants(make, [(dict(out="new"), ONLY_NEW), (dict(out="last"), LAST_ONLY),
                                       (dict(layers=n + 1), LAYER_COUNT),
                                       (dict(layers=n - 1), LAYER_COUNT),
                                       (dict(new_first=True), NEW_FIRST),
                                       (dict(chain=True), CHAIN),
                                       (dict(width=1), BOTTLENECK_WIDTH),
                                       (dict(width=None), NO_BOTTLENECK),
                                       (dict(post=True), DENSE_POST)])
            cases.append(_forward_case(label, x, args, train, out, mistakes,
                                       f"(N, in_channels + n_layers * growth_rate, H, W) = "
                                       f"{out.shape}"))
    return cases


FLOOR = N_("the transition keeps floor(theta * in_channels) channels: int(theta * in_channels)")
MAX_POOL = N_("the transition uses average pooling: nn.AvgPool2d(2)")
STRIDED_CONV = N_("the 1x1 convolution has stride 1; the 2x2 average pooling (stride 2) halves H "
                  "and W")
NO_POOL = N_("the 2x2 average pooling (nn.AvgPool2d(2)) that halves H and W is missing")
POOL_STRIDE = N_("nn.AvgPool2d(2) moves by 2 pixels (its default stride is its kernel size): do "
                 "not set stride=1")
TRANSITION_POST = N_("pre-activation: batch norm and ReLU come before the convolution (BN, "
                     "ReLU, 1x1 conv, average pooling)")
TRANSITION_NO_BN = N_("the transition starts with batch norm and a ReLU (BN, ReLU, 1x1 conv, "
                      "average pooling)")
TRANSITION_NO_RELU = N_("a ReLU follows the batch norm: BN, ReLU, 1x1 conv, average pooling")
POOL_FIRST = N_("pool at the end: BN, ReLU, 1x1 conv, then average pooling (batch norm and ReLU "
                "see the full-size maps)")


def _transition_ref(x: Any, c_out: int, train: bool, order: str = "pre", pool: str = "avg",
                    pool_stride: int = 2, conv_stride: int = 1, bn: bool = True,
                    act: bool = True, bias: bool = False) -> Any:
    import torch.nn.functional as F

    def pooled(t: Any) -> Any:
        if pool == "none":
            return t
        return (F.avg_pool2d if pool == "avg" else F.max_pool2d)(t, 2, pool_stride)
    if order == "post":
        return pooled(relu(batch_norm(conv(x, c_out, 1, bias=False), train)))
    if order == "pool first":
        x = pooled(x)
    h = batch_norm(x, train) if bn else x
    h = conv(relu(h) if act else h, c_out, 1, stride=conv_stride, bias=bias)
    return h if order == "pool first" else pooled(h)


@on_one_thread
def transition_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return drawn(seed, "transition", _transition)


def _transition(rng: np.random.Generator, hidden: bool) -> list[Case]:
    configs = [(6, 0.5, (2, 6, 6, 6)), (7, 0.5, (1, 7, 5, 7)), (8, 0.25, (2, 8, 4, 5)),
               (5, 1.0, (2, 5, 4, 4))]
    if hidden:
        configs = []
        for theta in rng.permutation([0.5, 0.25, 0.75])[:3]:
            c = _size(rng, 4, 12)  # at least one channel out
            configs.append((c, float(theta), (_size(rng, 1, 3), c, _size(rng, 4, 9),
                                              _size(rng, 4, 9))))
    cases = []
    for c, theta, shape in configs:
        args = (c, theta)
        label = f"transition({c}, theta={theta})"
        c_out = int(theta * c)
        rounded = {math.ceil(theta * c), round(theta * c)} - {c_out}
        count_mistakes = [([2 * c, c * c_out + c_out], CONV_BIAS),
                          ([c * c_out, 2 * c_out], TRANSITION_POST),
                          ([c * c_out], TRANSITION_NO_BN),
                          ([2 * c, 9 * c * c_out], N_("the transition's convolution is 1x1"))]
        count_mistakes += [([2 * c, c * r], FLOOR) for r in rounded]
        cases.append(_counts_case(label, args, [2 * c, c * c_out], N_("BN, then the 1x1 conv"),
                                  count_mistakes))
        x = rng.normal(size=shape)
        t = tensor(x)
        for train in (False, True):
            def make(**kw: Any) -> Any:
                return _transition_ref(t, kw.pop("c_out", c_out), train, **kw)
            out = as_array(make())
            wrong: list[tuple[dict, str]] = [(dict(c_out=r), FLOOR) for r in rounded]
            wrong += [(dict(pool="max"), MAX_POOL), (dict(pool="none", conv_stride=2),
                                                     STRIDED_CONV),
                      (dict(pool="none"), NO_POOL), (dict(pool_stride=1), POOL_STRIDE),
                      (dict(order="post"), TRANSITION_POST),
                      (dict(bn=False, act=False), TRANSITION_NO_BN),
                      (dict(bn=False), TRANSITION_NO_BN),
                      (dict(act=False), TRANSITION_NO_RELU),
                      (dict(order="pool first"), POOL_FIRST), (dict(bias=True), CONV_BIAS)]
            cases.append(_forward_case(label, x, args, train, out, variants(make, wrong),
                                       f"(N, floor(theta * in_channels), H // 2, W // 2) = "
                                       f"{out.shape}"))
    return cases


check_inception = NOTEBOOK.check(
    "Inception", inception_cases,
    "Inception(in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj).")
check_conv_cost = NOTEBOOK.check("conv_cost", conv_cost_cases,
                                 N_("conv_cost(c_in, c_out, k, h, w) -> (parameters, "
                                    "multiply-adds)."))
check_preact_block = NOTEBOOK.check("PreActBlock", preact_block_cases, "PreActBlock(channels).")
check_dense_block = NOTEBOOK.check("DenseBlock", dense_block_cases,
                                   "DenseBlock(in_channels, n_layers, growth_rate).")
check_transition = NOTEBOOK.check("transition", transition_cases,
                                  "transition(in_channels, theta).")
