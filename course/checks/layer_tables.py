"""Layer-by-layer cases for the networks of notebooks 08-09: parameters of each layer and the
output shape of each row of `course.summary`'s table, so that a message names the first layer
that differs. Expected values are the layer arithmetic and the lecture's numbers, never a
reference model (this package ships to students)."""
from __future__ import annotations

from typing import Union

import numpy as np

from ..i18n import N_, _
from .case import Case, Mistake
from .conv1d import named_mistake
from .model_adapters import layer_count, layer_output_shape, layer_params


def dense(n_in: int, n_out: int, bias: bool = True) -> int:
    """Parameters of a dense layer."""
    return n_in * n_out + n_out * bias


def conv(k: int, c_in: int, c_out: int, bias: bool = True, groups: int = 1) -> int:
    """Parameters of a k x k convolution."""
    return k * k * (c_in // groups) * c_out + c_out * bias


def counts(values: list[int]) -> np.ndarray:
    return np.array(values, dtype=np.int64)


POOL_MODULES = N_("the pooling layers are missing from the table: create them in __init__ "
                  "(nn.MaxPool2d(2)) instead of calling F.max_pool2d in forward, so that the "
                  "summary and the checks can see them")

# What a wrong value of a table's case is told: an N_() message, or (an N_() message with
# placeholders, its values) for a message that names numbers (see `named_mistake`).
Said = Union[str, tuple[str, dict]]


def no_bias(weights: int, biases: int) -> dict[int, Said]:
    return {weights: (N_("{weights} is the weights only: add the {biases} biases (keep "
                         "PyTorch's default bias=True)"),
                      dict(weights=f"{weights:,}", biases=biases))}


def _mistake(output: object, said: Said) -> Mistake:
    if isinstance(said, str):
        return Mistake(output, said)
    message, values = said
    return named_mistake(output, message, **values)


def table_cases(args: tuple, input_size: tuple, params: list[tuple[str, str, int, dict]],
                layers: list[tuple[str, tuple[int, int, int], dict]], label: str) -> list[Case]:
    """One case per layer with parameters (name, formula, count, {wrong count: what it is
    told}), the number of rows of the table, then one per row (name, (H, W, C), {wrong shape:
    what it is told}); `label` prefixes every case's label (e.g. "AlexNet(10): ")."""
    cases = []
    for i, (name, formula, count, wrong) in enumerate(params):
        cases.append(Case(_("{prefix}{layer}: {formula} = {count} parameters").format(
                              prefix=label, layer=name, formula=formula, count=f"{count:,}"),
                          (input_size, i) + args,
                          adapter=layer_params, expected=count, check_dtype=False,
                          mistakes=[_mistake(v, m) for v, m in wrong.items()]))
    names = ", ".join(row[0] for row in layers)
    pools = sum(row[0].startswith(("pool", "maxpool")) for row in layers)
    cases.append(Case(_("{prefix}{count} layers in the table ({names})").format(
                          prefix=label, count=len(layers), names=names),
                      (input_size,) + args, adapter=layer_count, expected=len(layers),
                      mistakes=[Mistake(len(layers) - pools, POOL_MODULES)] if pools else []))
    for i, (name, shape, wrong) in enumerate(layers):
        cases.append(Case(_("{prefix}{layer} output: H W C = {shape}").format(
                              prefix=label, layer=name, shape=" ".join(map(str, shape))),
                          (input_size, i) + args, adapter=layer_output_shape,
                          expected=np.array(shape), check_dtype=False,
                          mistakes=[_mistake(np.array(v), m) for v, m in wrong.items()]))
    return cases
