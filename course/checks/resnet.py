"""Checks for notebook 11: ResNet (the lecture's RESNET section).

Models are judged through adapters (`course/checks/adapters.py`): the parameter count of each
layer, the output shape of each layer, and the output of the model when every parameter is set
to `fixed_values(shape)`, computed with `torch.nn.functional` on the same fixed weights; each
typical mistake is computed the same way so that it can be named.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ._core import Case, Mistake, make_check
from ._fixed_weights import _bn, _conv, _one_thread, _out, _random_input, _t

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


check_resnet_shortcut = make_check("resnet_shortcut", resnet_shortcut_cases,
                                   "Check shortcut(in_channels, out_channels, stride).")
check_resnet_basic_block = make_check("resnet_basic_block", resnet_basic_block_cases,
                                      "Check BasicBlock(in_channels, out_channels, stride).")
check_resnet_stage = make_check("resnet_stage", resnet_stage_cases,
                                "Check make_stage(in_channels, out_channels, n_blocks, stride).")
