"""How a case calls what the student wrote, when it is not a plain function call.

A `Case` with `call="NAME"` is evaluated as `ADAPTERS[NAME](student_object, *args, **kwargs)`,
which must return plain data (a NumPy array or a number). The grader's sandboxed child uses
the same adapters, so a model class can be judged by, say, its output shape and its parameter
count per layer without sending the model itself back.
"""
from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator

import numpy as np

ADAPTERS: dict[str, Callable[..., Any]] = {}


def adapter(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Register an adapter under its function name."""
    ADAPTERS[fn.__name__] = fn
    return fn


@adapter
def parameter_counts(model_class: Any, *args: Any, **kwargs: Any) -> np.ndarray:
    """Instantiate a torch.nn.Module class and count the parameters of each layer that has any,
    in registration order (e.g. conv1, conv2, fc1, ...)."""
    model = model_class(*args, **kwargs)
    counts = [sum(p.numel() for p in m.parameters(recurse=False))
              for m in model.modules()]
    return np.array([c for c in counts if c > 0], dtype=np.int64)


def _tuple_item(result: Any, k: int) -> Any:
    """Part k of a function that returns a tuple of gradients."""
    if not isinstance(result, (tuple, list)) or len(result) <= k:
        raise TypeError(f"expected a tuple of gradients with at least {k + 1} items, got "
                        f"{type(result).__name__}" + (f" of {len(result)}"
                                                      if isinstance(result, (tuple, list))
                                                      else ""))
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


# Layers whose output shape a model check reports: those with weights, and the ones that
# change the spatial size without weights.
_SHAPE_LAYERS = ("Pool", "Upsample", "Flatten")


@adapter
def leaf_output_shapes(model_class: Any, input_shape: tuple, *args: Any,
                       **kwargs: Any) -> np.ndarray:
    """Instantiate the model, run a zero input of `input_shape` (N, C, H, W) through it and
    return the output shape of each layer that has parameters or is a pooling, up-sampling or
    flatten layer, in call order: (n_layers, 4) int64, shorter shapes padded with 0."""
    import torch

    model = model_class(*args, **kwargs).eval()
    shapes: list[tuple[int, ...]] = []

    def record(module: Any, inputs: Any, output: Any) -> None:
        shapes.append(tuple(output.shape))

    hooks = [m.register_forward_hook(record) for m in model.modules()
             if not list(m.children()) and (any(True for _ in m.parameters(recurse=False))
                                            or any(k in type(m).__name__ for k in _SHAPE_LAYERS))]
    try:
        with torch.no_grad(), one_thread():
            model(torch.zeros(input_shape))
    finally:
        for h in hooks:
            h.remove()
    out = np.zeros((len(shapes), 4), dtype=np.int64)
    for i, s in enumerate(shapes):
        out[i, :len(s)] = s
    return out


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Run PyTorch on one CPU thread: on the tiny tensors of a check, more threads only wait
    for each other (and stall badly on a busy machine)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def fixed_values(shape: tuple[int, ...]) -> np.ndarray:
    """Deterministic float64 weights for a parameter of this shape, scaled by 1/sqrt(fan-in):
    the same for every model, so a check can compare outputs whatever the layers' names or
    creation order."""
    n = int(np.prod(shape))
    fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 1
    return (np.cos(0.7 * np.arange(n) + 0.3 * n) / np.sqrt(fan_in)).reshape(shape)


@adapter
def fixed_weights_forward(model_class: Any, inputs: list, *args: Any,
                          **kwargs: Any) -> np.ndarray:
    """Instantiate the model in float64, set every parameter to `fixed_values(shape)`, switch
    to evaluation mode (batch norm uses its initial statistics: mean 0, variance 1; dropout is
    off) and return model(*inputs) as a float64 array."""
    import torch

    model = model_class(*args, **kwargs).double().eval()
    with torch.no_grad(), one_thread():
        for p in model.parameters():
            p.copy_(torch.from_numpy(fixed_values(tuple(p.shape))))
        out = model(*(torch.tensor(np.asarray(x, np.float64)) for x in inputs))
    return out.numpy()


# ---------------------------------------------------------------------------------------------
# Networks (notebooks 08-09): a model class is built with a fixed seed and judged by plain data
# ---------------------------------------------------------------------------------------------

def _build(model_class: Any, args: tuple, kwargs: dict) -> Any:
    import torch

    torch.manual_seed(0)
    return model_class(*args, **kwargs)


def _forward(model: Any, x: Any) -> Any:
    """model(x) without gradients; a failure names the layer it happened in and its input."""
    import torch

    entered: list[tuple[str, Any, tuple]] = []

    def pre(name: str) -> Callable[..., None]:
        def record(module: Any, inputs: tuple) -> None:
            shape = next((tuple(a.shape) for a in inputs if torch.is_tensor(a)), ())
            entered.append((name, module, shape))
        return record

    hooks = [m.register_forward_pre_hook(pre(n)) for n, m in model.named_modules()
             if n and not any(True for _ in m.children())]
    try:
        with torch.no_grad():
            return model(x)
    except Exception as exc:
        if not entered:
            raise
        name, module, shape = entered[-1]
        wants = ""
        if hasattr(module, "in_features"):
            wants = (f"; it expects {module.in_features} features, so the input must be "
                     f"flattened to (N, {module.in_features})")
        elif hasattr(module, "in_channels"):
            wants = f"; it expects {module.in_channels} input channels"
        raise ValueError(f"the forward pass failed in layer {name} ({type(module).__name__}) "
                         f"on an input of shape {shape}{wants}: "
                         f"{str(exc).splitlines()[0]}") from None
    finally:
        for h in hooks:
            h.remove()


_MODEL: dict = {}  # the last model built, with its table: AlexNet is built once per check


def _table(model_class: Any, input_size: tuple | None, args: tuple, kwargs: dict) -> tuple:
    """(parameters of each layer that has any, output (H, W, C) of each layer of the summary
    table for `input_size`, or None without one). The model is built once per class and
    arguments, and run once per input size."""
    key = (model_class, repr(args), repr(sorted(kwargs.items())))
    if _MODEL.get("key") != key:
        _MODEL.clear()  # free the previous model first
        model = _build(model_class, args, kwargs)
        counts = [sum(p.numel() for p in m.parameters(recurse=False)) for m in model.modules()]
        _MODEL.update(key=key, model=model, counts=[c for c in counts if c > 0], shapes={})
    shapes = None
    if input_size is not None:
        if input_size not in _MODEL["shapes"]:
            from ..summary import summary

            _forward(_MODEL["model"], _input(input_size))  # names the failing layer, if any
            _MODEL["shapes"][input_size] = [
                r.output_hwc for r in summary(_MODEL["model"], input_size).rows]
        shapes = _MODEL["shapes"][input_size]
    return _MODEL["counts"], shapes


@adapter
def layer_params(model_class: Any, index: int, *args: Any, **kwargs: Any) -> int:
    """Number of parameters of the index-th layer (from 0) that has parameters."""
    counts, _ = _table(model_class, None, args, kwargs)
    if index >= len(counts):
        raise ValueError(f"your model has only {len(counts)} layers with parameters")
    return int(counts[index])


@adapter
def layer_count(model_class: Any, input_size: tuple, *args: Any, **kwargs: Any) -> int:
    """Number of rows of course.summary's table (conv, pooling, dense, ... layers)."""
    return len(_table(model_class, tuple(input_size), args, kwargs)[1])


@adapter
def layer_output_shape(model_class: Any, input_size: tuple, index: int, *args: Any,
                       **kwargs: Any) -> np.ndarray:
    """Output (H, W, C) of the index-th row of the summary table (a dense layer: (1, 1, F))."""
    shapes = _table(model_class, tuple(input_size), args, kwargs)[1]
    if index >= len(shapes):
        raise ValueError(f"your model has only {len(shapes)} layers in its table")
    return np.array(shapes[index], dtype=np.int64)


def _input(input_size: tuple) -> Any:
    import torch

    return torch.randn(tuple(input_size), generator=torch.Generator().manual_seed(0))


@adapter
def output_shape(model_class: Any, input_size: tuple, *args: Any, **kwargs: Any) -> np.ndarray:
    """Shape of model(x) for a random input x of `input_size`, as an int64 array."""
    out = _forward(_build(model_class, args, kwargs), _input(input_size))
    return np.array(tuple(out.shape), dtype=np.int64)


def _layers(spec: list) -> Any:
    """An nn.Sequential from plain data: ("conv", c_in, c_out, k, bias), ("linear", n_in, n_out,
    bias), ("bn", c), ("pool", k), ("relu",), ("flatten",)."""
    from torch import nn

    make = {"conv": lambda c, f, k, b: nn.Conv2d(c, f, k, bias=b),
            "linear": lambda i, o, b: nn.Linear(i, o, bias=b), "bn": nn.BatchNorm2d,
            "pool": nn.MaxPool2d, "relu": nn.ReLU, "flatten": nn.Flatten}
    return nn.Sequential(*(make[kind](*rest) for kind, *rest in spec))


@adapter
def on_model(fn: Callable[..., Any], spec: list) -> Any:
    """fn(model) for a model built from `spec` (see _layers), seeded."""
    import torch

    torch.manual_seed(0)
    return fn(_layers(spec))


@adapter
def train_steps(fn: Callable[..., Any], seed: int, steps: int, lr: float) -> Any:
    """Call fn(model, x, y, optimizer) `steps` times on a seeded Linear(4, 3) with SGD(lr);
    return the losses it returned followed by the final weights and bias (float64)."""
    import torch

    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = torch.nn.Linear(4, 3)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        x, y = torch.randn(8, 4, generator=g), torch.randint(0, 3, (8,), generator=g)
        loss = fn(model, x, y, opt)
        if loss is None:
            return None
        if torch.is_tensor(loss):
            loss = loss.item()
        losses.append(float(loss))
    weights = torch.cat([p.detach().reshape(-1) for p in model.parameters()]).double().numpy()
    return np.concatenate([np.array(losses), weights])


def _maps_net() -> Any:
    """Conv, in-place ReLU, max-pool, twice, then flatten (inputs of 6x6 pixels or more)."""
    import torch
    from torch import nn

    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(inplace=True), nn.MaxPool2d(2),
                         nn.Conv2d(4, 5, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2),
                         nn.Flatten())


def _maps(fn: Callable[..., Any], seed: int, size: int) -> list:
    import torch

    model = _maps_net()
    x = torch.randn(2, 3, size, size, generator=torch.Generator().manual_seed(seed))
    fn(model, x)  # a first call: hooks left behind would show up in the second one
    maps = fn(model, x)
    if maps is None:
        return None
    return [np.asarray(m.detach().cpu() if torch.is_tensor(m) else m, dtype=np.float64)
            for m in maps]


@adapter
def feature_map_shapes(fn: Callable[..., Any], seed: int, size: int) -> Any:
    """Shapes (N, C, H, W) of the maps fn(model, x) returns for a small seeded network with
    in-place ReLUs, on its second call: int64 (n_maps, 4)."""
    maps = _maps(fn, seed, size)
    if maps is None:
        return None
    return np.array([m.shape for m in maps], dtype=np.int64).reshape(len(maps), -1)


@adapter
def feature_map_values(fn: Callable[..., Any], seed: int, size: int) -> Any:
    """All values of the maps fn(model, x) returns (as in feature_map_shapes), flattened and
    concatenated: float64 (total,)."""
    maps = _maps(fn, seed, size)
    if maps is None:
        return None
    return np.concatenate([m.ravel() for m in maps]) if maps else np.zeros(0)


@adapter
def with_test_function(fn: Callable[..., Any], f_name: str, *args: Any, **kwargs: Any) -> Any:
    """fn(f, *args, **kwargs) with f the test function named f_name in course.checks.backprop
    (a name can travel to the grader's child process; a function cannot)."""
    from .objectives import TEST_FUNCTIONS

    return fn(TEST_FUNCTIONS[f_name], *args, **kwargs)
