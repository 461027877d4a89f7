"""Layer-by-layer cases for the networks of notebooks 08-09: parameters of each layer and the
output shape of each row of `course.summary`'s table, so that a message names the first layer
that differs. Expected values are the layer arithmetic and the lecture's numbers, never a
reference model (this package ships to students)."""
from __future__ import annotations

import numpy as np

from .case import Case, Mistake
from .model_adapters import layer_count, layer_output_shape, layer_params


def dense(n_in: int, n_out: int, bias: bool = True) -> int:
    """Parameters of a dense layer."""
    return n_in * n_out + n_out * bias


def conv(k: int, c_in: int, c_out: int, bias: bool = True, groups: int = 1) -> int:
    """Parameters of a k x k convolution."""
    return k * k * (c_in // groups) * c_out + c_out * bias


def counts(values: list[int]) -> np.ndarray:
    return np.array(values, dtype=np.int64)


POOL_MODULES = ("the pooling layers are missing from the table: create them in __init__ "
                "(nn.MaxPool2d(2)) instead of calling F.max_pool2d in forward, so that the "
                "summary and the checks can see them")


def no_bias(weights: int, biases: int) -> dict:
    return {weights: f"{weights:,} is the weights only: add the {biases} biases "
                     f"(keep PyTorch's default bias=True)"}


def table_cases(args: tuple, input_size: tuple, params: list[tuple[str, str, int, dict]],
                layers: list[tuple[str, tuple[int, int, int], dict]], label: str) -> list[Case]:
    """One case per layer with parameters (name, formula, count, {wrong count: message}), the
    number of rows of the table, then one per row (name, (H, W, C), {wrong shape: message})."""
    cases = []
    for i, (name, formula, count, wrong) in enumerate(params):
        cases.append(Case(f"{label}{name}: {formula} = {count:,} parameters",
                          (input_size, i) + args,
                          adapter=layer_params, expected=count, check_dtype=False,
                          mistakes=[Mistake(v, m) for v, m in wrong.items()]))
    names = ", ".join(name for name, _, _ in layers)
    pools = sum(n.startswith(("pool", "maxpool")) for n, _, _ in layers)
    cases.append(Case(f"{label}{len(layers)} layers in the table ({names})",
                      (input_size,) + args, adapter=layer_count, expected=len(layers),
                      mistakes=[Mistake(len(layers) - pools, POOL_MODULES)] if pools else []))
    for i, (name, shape, wrong) in enumerate(layers):
        cases.append(Case(f"{label}{name} output: H W C = {' '.join(map(str, shape))}",
                          (input_size, i) + args, adapter=layer_output_shape,
                          expected=np.array(shape), check_dtype=False,
                          mistakes=[Mistake(np.array(v), m) for v, m in wrong.items()]))
    return cases
