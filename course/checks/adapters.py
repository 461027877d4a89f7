"""How a case calls an answer that is not a plain function of arrays, and reads it back.

A `Case` with `adapter=f` is evaluated as `f(answer, *args, **kwargs)`, which returns plain
data (a NumPy array or a number). The grader's child receives the adapter's name (a function
cannot cross the process boundary) and finds it in `ADAPTERS`. This module holds the table
and the adapters for functions; `model_adapters` those for model classes.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..i18n import _
from . import probes
from .calling import AnswerTypeError

ADAPTERS: dict[str, Callable[..., Any]] = {}


def adapter(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Register an adapter under its function name."""
    ADAPTERS[fn.__name__] = fn
    return fn


def find(name: str) -> Callable[..., Any]:
    """The adapter called `name` (KeyError if there is none)."""
    if name not in ADAPTERS:
        from . import model_adapters  # noqa: F401  (registers the model adapters)
    return ADAPTERS[name]


def _tuple_item(result: Any, k: int) -> Any:
    """Part k of a function that returns a tuple (gradients, or parameters and cost)."""
    kind = type(result).__name__
    if not isinstance(result, (tuple, list)):
        raise AnswerTypeError(_("expected a tuple of values (at least {count}), got "
                                "{type}").format(count=k + 1, type=kind))
    if len(result) <= k:
        raise AnswerTypeError(_("expected a tuple of values (at least {count}), got {type} of "
                                "length {size}").format(count=k + 1, type=kind,
                                                        size=len(result)))
    return result[k]


@adapter
def tuple_item_0(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """First item of fn's tuple, e.g. grad_input of conv2d_backward."""
    return _tuple_item(fn(*args, **kwargs), 0)


@adapter
def tuple_item_1(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Second item of fn's tuple, e.g. grad_weight of conv2d_backward."""
    return _tuple_item(fn(*args, **kwargs), 1)


@adapter
def tuple_item_2(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Third item of fn's tuple, e.g. grad_bias of conv2d_backward."""
    return _tuple_item(fn(*args, **kwargs), 2)


@adapter
def with_test_function(fn: Callable[..., Any], f_name: str, *args: Any, **kwargs: Any) -> Any:
    """fn(f, *args, **kwargs) with f the test function named f_name in
    course.checks.objectives (a name can travel to the grader's child; a function cannot)."""
    from .objectives import TEST_FUNCTIONS

    return fn(TEST_FUNCTIONS[f_name], *args, **kwargs)


@adapter
def train_steps(fn: Callable[..., Any], seed: int, steps: int, lr: float) -> Any:
    """Call fn(model, x, y, optimizer) `steps` times on the seeded probe Linear(4, 3) with
    SGD(lr); return what each call returned (it must be a Python float), followed by the final
    weights and bias (float64)."""
    import torch

    model = probes.linear_probe(seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a Linear(4, 3): more threads only wait for each other
    try:
        outputs = [fn(model, x, y, opt) for x, y in probes.probe_batches(seed, steps)]
    finally:
        torch.set_num_threads(threads)
    for loss in outputs:
        if loss is None:
            raise AnswerTypeError(_("your function returned None: did you forget "
                                    "`return loss.item()`?"))
        if not isinstance(loss, float):
            kind = f"{type(loss).__module__}.{type(loss).__name__}".replace("builtins.", "")
            raise AnswerTypeError(_("your function returned a {type}: return loss.item(), a "
                                    "Python float, so that the next cells can average the "
                                    "losses").format(type=kind))
        losses.append(loss)
    weights = torch.cat([p.detach().reshape(-1) for p in model.parameters()]).double().numpy()
    return np.concatenate([np.array(losses), weights])


def _maps(fn: Callable[..., Any], seed: int, size: int) -> list | None:
    import torch

    model, x = probes.maps_net(), probes.maps_input(seed, size)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # maps this small: more threads only wait for each other
    try:
        first = fn(model, x)  # a first call: what it leaves behind shows up in the second one
        maps = fn(model, x)
    finally:
        torch.set_num_threads(threads)
    first_count = len(first) if isinstance(first, (list, tuple)) else None
    if maps is None:
        return None
    if not isinstance(maps, (list, tuple)):
        raise AnswerTypeError(_("your function returned a {type}: return a list of the maps, "
                                "one tensor per Conv2d and MaxPool2d").format(
                                    type=type(maps).__name__))
    if first_count is not None and (maps is first or len(maps) > first_count):
        raise AnswerTypeError(_("your function returned {first} maps on its first call and "
                                "{second} on the second: the maps (or the hooks) of earlier "
                                "calls are still there. Create the list inside your function, "
                                "and remove each hook (handle.remove()) after the forward "
                                "pass").format(first=first_count, second=len(maps)))
    if any(getattr(m, "_forward_hooks", None) for m in model.modules()):
        raise AnswerTypeError(_("your hooks are still on the model after your function "
                                "returned: keep the handle that register_forward_hook gives "
                                "and call handle.remove() on each one after the forward pass"))
    return [np.asarray(m.detach().cpu() if torch.is_tensor(m) else m, dtype=np.float64)
            for m in maps]


@adapter
def feature_map_shapes(fn: Callable[..., Any], seed: int, size: int) -> Any:
    """Shapes (N, C, H, W) of the maps fn(model, x) returns for the probe network with in-place
    ReLUs, on its second call: int64 (n_maps, 4), a shorter shape padded with 0."""
    maps = _maps(fn, seed, size)
    if maps is None:
        return None
    shapes = np.zeros((len(maps), 4), dtype=np.int64)  # a shorter shape is padded with 0
    for i, m in enumerate(maps):
        shapes[i, :min(m.ndim, 4)] = m.shape[:4]
    return shapes


@adapter
def feature_map_values(fn: Callable[..., Any], seed: int, size: int) -> Any:
    """All values of the maps fn(model, x) returns (as in feature_map_shapes), flattened and
    concatenated: float64 (total,)."""
    maps = _maps(fn, seed, size)
    if maps is None:
        return None
    return np.concatenate([m.ravel() for m in maps]) if maps else np.zeros(0)
