"""Checks for notebook 11: ResNet (the lecture's RESNET section).

Models are judged through adapters (`model_adapters`): the parameter count of each layer, the
output shape of each layer, and the output of the model when every parameter is set to
`fixed_values(shape)`, in evaluation mode (batch norm with its initial statistics) and in
training mode (batch norm with the batch's statistics), computed with `torch.nn.functional`
on the same fixed weights (`fixed_weights`); each typical mistake is computed the same way so
that it can be named.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..i18n import N_, _
from .case import Case, Mistake, drawn
from .exercise import Notebook
from .fixed_weights import as_array, batch_norm, conv, on_one_thread, relu, tensor
from .model_adapters import (fixed_weights_forward, fixed_weights_train_forward,
                             leaf_output_shapes, parameter_counts)

NOTEBOOK = Notebook("11_resnet")

# ---------------------------------------------------------------------------------------------
# 11 · ResNet: residual blocks
# ---------------------------------------------------------------------------------------------

STRIDE_NEEDS_PROJECTION = N_("with a stride of two the shortcut must be a projection even "
                             "when in_channels == out_channels: x's height and width change. "
                             "nn.Identity() only when stride == 1 and the channels match")
CHANNELS_NEED_PROJECTION = N_("in_channels != out_channels: the shortcut must be a projection "
                              "(1x1 convolution and batch norm), even with stride 1. "
                              "nn.Identity() only when stride == 1 and the channels match")
NO_BN = N_("the projection is a 1x1 convolution followed by batch norm: "
           "nn.BatchNorm2d(out_channels) is missing")
CONV_BIAS = N_("a convolution followed by batch norm takes bias=False: the batch norm adds its "
               "own shift")
PROJECTION_STRIDE = N_("the projection must have the block's stride, so that its output has "
                       "the same H and W as the residual branch")
STRIDE_IGNORED = N_("the shortcut ignores the stride: with a stride of two it must be a "
                    "projection even when the channels match, and its 1x1 convolution takes "
                    "the block's stride")
KERNEL_1X1 = N_("the projection uses a 1x1 kernel, not 3x3")
IDENTITY = N_("stride 1 and as many channels out as in: the shortcut is nn.Identity()")


def _shortcut_ref(x: Any, c_out: int, stride: int, train: bool = False, bn: bool = True,
                  bias: bool = False, conv_stride: int | None = None,
                  identity: bool | None = None, kernel: int = 1) -> Any:
    if identity if identity is not None else stride == 1 and x.shape[1] == c_out:
        return x
    y = conv(x, c_out, kernel, stride=stride if conv_stride is None else conv_stride,
             padding=kernel // 2, bias=bias)
    return batch_norm(y, train) if bn else y


def _block_ref(x: Any, c_out: int, stride: int, train: bool = False, **wrong: Any) -> Any:
    """A basic block, or one of its usual wrong versions: skip=False, relu_before_add,
    no_final_relu, stride_on_conv2, add_before_bn2, bias."""
    bias = wrong.get("bias", False)
    s1, s2 = (1, stride) if wrong.get("stride_on_conv2") else (stride, 1)
    y = relu(batch_norm(conv(x, c_out, 3, s1, 1, bias=bias), train))
    y = conv(y, c_out, 3, s2, 1, bias=bias)
    s = _shortcut_ref(x, c_out, stride, train)
    if wrong.get("add_before_bn2"):
        y = batch_norm(y + s, train)
    else:
        y = batch_norm(y, train)
        y = relu(y) if wrong.get("relu_before_add") else y
        y = y + s if wrong.get("skip", True) else y
    return y if wrong.get("no_final_relu") else relu(y)


RELU_BEFORE_ADD = N_("ReLU before the addition: add F(x) + shortcut(x) first, then apply the "
                     "ReLU")
BLOCK_MISTAKES = [
    (dict(skip=False), N_("the skip connection is missing: add shortcut(x) to the output of "
                          "bn2, before the last ReLU")),
    (dict(relu_before_add=True), RELU_BEFORE_ADD),
    (dict(relu_before_add=True, no_final_relu=True), RELU_BEFORE_ADD),
    (dict(no_final_relu=True), N_("the ReLU after the addition is missing")),
    (dict(stride_on_conv2=True), N_("the stride belongs to conv1, the first convolution; conv2 "
                                    "has stride 1")),
    (dict(add_before_bn2=True), N_("shortcut(x) is added after bn2: ReLU(bn2(conv2(...)) + "
                                   "shortcut(x)), not bn2(conv2(...) + shortcut(x))")),
    (dict(bias=True), CONV_BIAS),
]


def _block_counts(c_in: int, c_out: int, stride: int, shortcut_first: bool = False,
                  bias: bool = False) -> list[int]:
    main = [9 * c_in * c_out + c_out * bias, 2 * c_out, 9 * c_out * c_out + c_out * bias,
            2 * c_out]
    short = [c_in * c_out, 2 * c_out] if stride != 1 or c_in != c_out else []
    return short + main if shortcut_first else main + short


def _block_configs(rng: np.random.Generator, hidden: bool) -> list[tuple[int, int, int, tuple]]:
    """(in_channels, out_channels, stride, input shape): identity, projections for the
    channels, for the stride and for both; non-square inputs, odd sizes."""
    configs = [(4, 4, 1, (2, 4, 6, 6)), (4, 8, 2, (2, 4, 8, 8)), (3, 6, 1, (1, 3, 5, 5)),
               (4, 4, 2, (2, 4, 7, 10))]
    if hidden:
        configs = []
        for kind in ("identity", "stride only", "random"):
            c_in = int(rng.integers(1, 9))
            stride = 1 if kind == "identity" else int(rng.integers(2, 4)) \
                if kind == "stride only" else int(rng.integers(1, 3))
            c_out = c_in if kind != "random" else int(rng.integers(1, 12))
            configs.append((c_in, c_out, stride, (int(rng.integers(2, 4)), c_in,
                                                  int(rng.integers(3, 10)),
                                                  int(rng.integers(3, 10)))))
    return configs


def _shape_rule(shape: tuple) -> str:
    return f"(N, out_channels, ceil(H / stride), ceil(W / stride)) = {shape}"


@on_one_thread
def resnet_shortcut_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return drawn(seed, "shortcut", _resnet_shortcut)


def _identity_mistake(c_in: int, c_out: int, stride: int, output: Any) -> list[Mistake]:
    """What nn.Identity() where a projection is needed gives, named by why it is wrong."""
    if stride != 1 and c_in == c_out:
        return [Mistake(output, STRIDE_NEEDS_PROJECTION)]
    if stride == 1 and c_in != c_out:
        return [Mistake(output, CHANNELS_NEED_PROJECTION)]
    return []


def _resnet_shortcut(rng: np.random.Generator, hidden: bool) -> list[Case]:
    cases = []
    for c_in, c_out, stride, shape in _block_configs(rng, hidden):
        x = rng.normal(size=shape)
        cases += [_shortcut_output_case(x, c_in, c_out, stride, train)
                  for train in (False, True)]
        cases.append(_shortcut_count_case(c_in, c_out, stride))
    return cases


def _shortcut_output_case(x: np.ndarray, c_in: int, c_out: int, stride: int,
                          train: bool) -> Case:
    """The shortcut's output for x with fixed weights, in evaluation or training mode."""
    t = tensor(x)
    kind = "identity" if stride == 1 and c_in == c_out else "projection"

    def ref(**kw: Any) -> np.ndarray:
        return as_array(_shortcut_ref(t, c_out, stride, train, **kw))
    right = ref()
    mistakes = _identity_mistake(c_in, c_out, stride, x)
    if kind == "projection":
        mistakes += [Mistake(ref(bn=False), NO_BN), Mistake(ref(bias=True), CONV_BIAS),
                     Mistake(ref(kernel=3), KERNEL_1X1)]
    else:
        mistakes.append(Mistake(ref(identity=False), IDENTITY))
    if stride > 1:
        mistakes.append(Mistake(ref(conv_stride=1), PROJECTION_STRIDE))
        mistakes.append(Mistake(x if c_in == c_out else ref(conv_stride=1), STRIDE_IGNORED))
    label = _("{kind}: {c_in} -> {c_out} channels, stride {stride}, input {shape}").format(
        kind={"identity": _("identity"), "projection": _("projection")}[kind], c_in=c_in,
        c_out=c_out, stride=stride, shape=x.shape)
    if train:
        label, args = _("{case}, training mode").format(case=label), ([x], 0, c_in, c_out, stride)
    else:
        args = ([x], c_in, c_out, stride)
    return Case(label, args, adapter=fixed_weights_train_forward if train else
                fixed_weights_forward, expected=right, rtol=1e-7, atol=1e-9, check_dtype=False,
                spatial=(2, 3), shape_rule=_shape_rule(right.shape), mistakes=mistakes)


def _shortcut_count_case(c_in: int, c_out: int, stride: int) -> Case:
    """The shortcut's parameters: none for an identity, a 1x1 convolution and a batch norm for
    a projection."""
    identity = stride == 1 and c_in == c_out
    counts = np.array([] if identity else [c_in * c_out, 2 * c_out], np.int64)
    mistakes = _identity_mistake(c_in, c_out, stride, np.zeros(0, np.int64))
    if stride > 1 and c_in == c_out:
        mistakes.append(Mistake(np.zeros(0, np.int64), STRIDE_IGNORED))
    if not identity:
        mistakes += [Mistake(np.array([9 * c_in * c_out, 2 * c_out]), KERNEL_1X1),
                     Mistake(np.array([c_in * c_out + c_out, 2 * c_out]), CONV_BIAS),
                     Mistake(np.array([c_in * c_out]), NO_BN)]
    else:
        mistakes.append(Mistake(np.array([c_in * c_out, 2 * c_out]), IDENTITY))
    described = _("parameters of the identity shortcut, {c_in} -> {c_out}, stride "
                  "{stride}") if identity else \
        _("parameters of the projection shortcut, {c_in} -> {c_out}, stride {stride}")
    return Case(described.format(c_in=c_in, c_out=c_out, stride=stride),
                (c_in, c_out, stride), adapter=parameter_counts, expected=counts,
                check_dtype=False, mistakes=mistakes,
                shape_rule=N_("no parameters for an identity; a 1x1 convolution (no bias) and a "
                              "batch norm for a projection"))


@on_one_thread
def resnet_basic_block_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return drawn(seed, "BasicBlock", _resnet_basic_block)


def _resnet_basic_block(rng: np.random.Generator, hidden: bool) -> list[Case]:
    cases = []
    for c_in, c_out, stride, shape in _block_configs(rng, hidden):
        x = rng.normal(size=shape)
        t = tensor(x)
        label = _("{c_in} -> {c_out} channels, stride {stride}").format(c_in=c_in, c_out=c_out,
                                                                         stride=stride)
        counts = _block_counts(c_in, c_out, stride)
        cases.append(Case(_("parameters per layer, {block}").format(block=label),
                          (c_in, c_out, stride),
                          adapter=parameter_counts, expected=np.array(counts),
                          check_dtype=False,
                          shape_rule=N_("conv1, bn1, conv2, bn2, then the shortcut's layers"),
                          mistakes=[Mistake(np.array(_block_counts(c_in, c_out, stride, True)),
                                            N_("right counts in another order: create conv1, "
                                               "bn1, conv2, bn2 first, then the shortcut")),
                                    Mistake(np.array(_block_counts(c_in, c_out, stride,
                                                                   bias=True)), CONV_BIAS)]))
        for train in (False, True):  # training mode: batch norm with the batch's statistics
            right = as_array(_block_ref(t, c_out, stride, train))
            mistakes = [Mistake(as_array(_block_ref(t, c_out, stride, train, **kw)), m)
                        for kw, m in BLOCK_MISTAKES]
            common = dict(expected=right, rtol=1e-7, atol=1e-9, check_dtype=False,
                          spatial=(2, 3), mistakes=mistakes,
                          shape_rule=_("the first convolution has the stride: {shape}").format(
                              shape=right.shape))
            if train:
                cases.append(Case(_("output with fixed weights, {block}, input {shape}, "
                                    "training mode").format(block=label, shape=shape),
                                  ([x], 0, c_in, c_out, stride),
                                  adapter=fixed_weights_train_forward, **common))
            else:
                cases.append(Case(_("output with fixed weights, {block}, input {shape}").format(
                                      block=label, shape=shape),
                                  ([x], c_in, c_out, stride), adapter=fixed_weights_forward,
                                  **common))
    return cases


def _stage_configs(rng: np.random.Generator,
                   hidden: bool) -> list[tuple[int, int, int, int, tuple]]:
    """(in_channels, out_channels, n_blocks, stride, input shape)."""
    configs = [(4, 4, 4, 1, (1, 4, 8, 8)), (4, 8, 2, 2, (2, 4, 8, 8)),
               (2, 3, 3, 2, (1, 2, 7, 9)), (3, 3, 2, 2, (2, 3, 6, 5)), (3, 5, 1, 1, (2, 3, 4, 6))]
    if hidden:
        configs = []
        for stride in (1, 2):
            c_in = int(rng.integers(1, 6))
            configs.append((c_in, int(rng.integers(1, 9)), int(rng.integers(2, 5)), stride,
                            (int(rng.integers(1, 3)), c_in, int(rng.integers(4, 12)),
                             int(rng.integers(4, 12)))))
    return configs


@on_one_thread
def resnet_stage_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return drawn(seed, "make_stage", _resnet_stage)


def _stage_layout(c_in: int, c_out: int, strides: list[int],
                  shape: tuple) -> tuple[list[int], list[tuple[int, ...]]]:
    """Parameter counts and output shapes (conv, batch norm, ..., shortcut) of a stage whose
    blocks have these strides."""
    counts, rows, c, (h, w) = [], [], c_in, shape[2:]
    for s in strides:
        counts += _block_counts(c, c_out, s)
        h, w = (h - 1) // s + 1, (w - 1) // s + 1
        rows += [(shape[0], c_out, h, w)] * (6 if s != 1 or c != c_out else 4)
        c = c_out
    return counts, rows


def _stage_ref(x: Any, c_out: int, strides: list[int]) -> Any:
    for s in strides:
        x = _block_ref(x, c_out, s)
    return x


STRIDE_FIRST = N_("only the first block of a stage has the stride; the others keep stride 1")
STRIDE_LAST = N_("the stride goes on the first block of the stage, not the last")
TOO_FEW = N_("one block too few: the stage has n_blocks blocks in all, the first one included")
TOO_MANY = N_("one block too many: the stage has n_blocks blocks in all, the first one "
              "included")
SHARED = N_("the same block object is used several times, so its weights are shared: create a "
            "new BasicBlock for each position")


def _resnet_stage(rng: np.random.Generator, hidden: bool) -> list[Case]:
    cases = []
    for c_in, c_out, n, stride, shape in _stage_configs(rng, hidden):
        label = _("{n} blocks, {c_in} -> {c_out} channels, stride {stride}").format(
            n=n, c_in=c_in, c_out=c_out, stride=stride)
        right = [stride] + [1] * (n - 1)
        wrong = {STRIDE_FIRST: [stride] * n, STRIDE_LAST: [1] * (n - 1) + [stride],
                 TOO_FEW: right[:-1], TOO_MANY: right + [1]}
        wrong = {m: v for m, v in wrong.items() if v != right and v}
        counts, rows = _stage_layout(c_in, c_out, right, shape)
        count_mistakes = [Mistake(np.array(_stage_layout(c_in, c_out, v, shape)[0]), m)
                          for m, v in wrong.items()]
        count_mistakes.append(Mistake(np.array(_block_counts(c_in, c_out, stride) * n),
                                      N_("only the first block goes from in_channels to "
                                         "out_channels; the others take out_channels")))
        if n > 2:  # one object repeated: its parameters are counted once
            count_mistakes += [Mistake(np.array(_block_counts(c_in, c_out, stride)), SHARED),
                               Mistake(np.array(_block_counts(c_in, c_out, stride)
                                                + _block_counts(c_out, c_out, 1)), SHARED)]
        cases.append(Case(_("parameters per layer, {stage}").format(stage=label),
                          (c_in, c_out, n, stride),
                          adapter=parameter_counts, expected=np.array(counts), check_dtype=False,
                          shape_rule=_("{n} blocks; only the first changes channels or "
                                       "size").format(n=n),
                          mistakes=count_mistakes))
        cases.append(Case(_("output shape of each layer, {stage}, input {shape}").format(
                              stage=label, shape=shape),
                          (shape, c_in, c_out, n, stride), adapter=leaf_output_shapes,
                          expected=np.array(rows), check_dtype=False,
                          shape_rule=N_("one row (N, C, H, W) per convolution and batch norm"),
                          mistakes=[Mistake(np.array(_stage_layout(c_in, c_out, v, shape)[1]), m)
                                    for m, v in wrong.items()]))
        x = rng.normal(size=shape)
        t = tensor(x)
        expected = as_array(_stage_ref(t, c_out, right))
        cases.append(Case(_("output with fixed weights, {stage}, input {shape}").format(
                              stage=label, shape=shape),
                          ([x], c_in, c_out, n, stride), adapter=fixed_weights_forward,
                          expected=expected, rtol=1e-7, atol=1e-9, check_dtype=False,
                          spatial=(2, 3), shape_rule=_shape_rule(expected.shape),
                          mistakes=[Mistake(as_array(_stage_ref(t, c_out, v)), m)
                                    for m, v in wrong.items()]))
    return cases


check_resnet_shortcut = NOTEBOOK.check("shortcut", resnet_shortcut_cases,
                                       "shortcut(in_channels, out_channels, stride).")
check_resnet_basic_block = NOTEBOOK.check("BasicBlock", resnet_basic_block_cases,
                                          "BasicBlock(in_channels, out_channels, stride).")
check_resnet_stage = NOTEBOOK.check("make_stage", resnet_stage_cases,
                                    "make_stage(in_channels, out_channels, n_blocks, stride).")
