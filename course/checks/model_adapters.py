"""Adapters for model classes: a model is built inside the call (in the grader's child, if
grading) and judged by plain data: parameters per layer, output shapes, outputs with fixed
weights. See `adapters` for the table they are registered in.

A model is built without its random initialisation (every parameter is then set to
`fixed_values(shape)`, or only counted), with PyTorch's generator saved and restored around
the build and the forward pass: a check never changes the notebook's random state.
"""
from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator

import numpy as np

from ..i18n import _
from . import probes
from .adapters import adapter
from .calling import AnswerTypeError
from .fixed_weights import fill_fixed, fixed_values, seeded
from ..reference import one_thread

# Layers whose output shape a model check reports: those with weights, and the ones that
# change the spatial size without weights.
_SHAPE_LAYERS = ("Pool", "Upsample", "Flatten")


def _skip_init(module: Any) -> None:
    """Stands for reset_parameters while a model is built: its values are set afterwards."""


@contextlib.contextmanager
def _without_init(dtype: Any) -> Iterator[None]:
    """Build with `dtype` as the default and without drawing the random initial weights of
    convolutions and dense layers: AlexNet's 62 million take half a second to draw, and every
    one of them is overwritten (or only counted) anyway."""
    import torch
    from torch import nn
    from torch.nn.modules.conv import _ConvNd

    saved = nn.Linear.reset_parameters, _ConvNd.reset_parameters, torch.get_default_dtype()
    nn.Linear.reset_parameters = _ConvNd.reset_parameters = _skip_init
    torch.set_default_dtype(dtype)
    try:
        yield
    finally:
        nn.Linear.reset_parameters, _ConvNd.reset_parameters = saved[:2]
        torch.set_default_dtype(saved[2])


def _name(model_class: Any) -> str:
    name = getattr(model_class, "__name__", None)
    return _("your answer") if name is None else name


def _require_module(made: Any, model_class: Any) -> None:
    """The answer built a torch.nn.Module, or the reason it did not, as a wrong answer."""
    import torch

    if isinstance(made, torch.nn.Module):
        return
    name, kind = _name(model_class), type(made).__name__
    if made is None:
        why = _("{name}(...) returned None: return the module (did you forget `return`?)")
    elif isinstance(made, (list, tuple)):
        why = _("{name}(...) returned a {kind} of layers: wrap them in nn.Sequential(*layers), "
                "which is a torch.nn.Module")
    elif isinstance(model_class, type) and isinstance(made, model_class):
        why = _("{name} is not a torch.nn.Module: declare it as `class {name}(nn.Module)` and "
                "call super().__init__() first in __init__")
    else:
        why = _("{name}(...) gave a {kind}, not a torch.nn.Module")
    raise AnswerTypeError(why.format(name=name, kind=kind))


def _require_registered(model: Any) -> None:
    """Layers kept in a plain list or dict are invisible to PyTorch (no parameters, no
    training, not moved to the GPU): a wrong answer with that reason."""
    import torch

    for module in model.modules():
        for attr, value in vars(module).items():
            items = value.values() if isinstance(value, dict) else value \
                if isinstance(value, (list, tuple)) else ()
            if not attr.startswith("_") and any(isinstance(v, torch.nn.Module) for v in items):
                kind = "nn.ModuleDict" if isinstance(value, dict) else "nn.ModuleList"
                raise AnswerTypeError(_(
                    "self.{attr} is a plain Python {type} of layers: PyTorch does not see them "
                    "(no parameters to count or train). Use {kind}(...) or "
                    "nn.Sequential(...)").format(attr=attr, type=type(value).__name__,
                                                 kind=kind))


def build(model_class: Any, args: tuple, kwargs: dict, dtype: Any = None,
          fill: str = "fixed") -> Any:
    """model_class(*args, **kwargs), checked to be a torch.nn.Module, in `dtype` (float32 by
    default), with every parameter set to `fixed_values(shape)` (`fill` "fixed"), to 0
    ("zeros"), or on PyTorch's meta device ("meta": shapes without values nor memory, for
    counts and output shapes)."""
    import torch

    dtype = dtype or torch.float32
    device = torch.device("meta") if fill == "meta" else contextlib.nullcontext()
    with seeded(0), _without_init(dtype), device:
        model = model_class(*args, **kwargs)
    _require_module(model, model_class)
    _require_registered(model)
    model = model.to(dtype)
    with torch.no_grad():
        for p in model.parameters() if fill != "meta" else ():
            values = p.detach().numpy()
            if fill == "zeros":
                p.zero_()
            elif values.flags.c_contiguous:
                fill_fixed(values)
            else:
                p.copy_(torch.from_numpy(fixed_values(tuple(p.shape))))
    return model


def _shapes_only(work: Callable[[str], Any]) -> Any:
    """work("meta"): shapes on the meta device, in milliseconds for AlexNet; a model whose code
    needs real values (an .item(), a tensor made on the CPU in forward) fails there and runs
    again as work("cpu"), with zero weights, where its own errors are the real ones."""
    try:
        return work("meta")
    except Exception:
        return work("cpu")


def _shape_input(input_size: tuple, device: str) -> Any:
    import torch

    if device == "meta":
        return torch.empty(tuple(input_size), device="meta")
    return torch.randn(tuple(input_size), generator=torch.Generator().manual_seed(0))


def _shape_model(model_class: Any, args: tuple, kwargs: dict, device: str) -> Any:
    return build(model_class, args, kwargs, fill="meta" if device == "meta" else "zeros")


def _counts(model: Any) -> list[int]:
    counts = [sum(p.numel() for p in m.parameters(recurse=False)) for m in model.modules()]
    return [c for c in counts if c > 0]


def run(model: Any, *inputs: Any) -> Any:
    """model(*inputs) without gradients, on one thread. A failure inside a layer names the
    layer and its input shape (a wrong answer, not a crash); a failure in the student's own
    code of `forward` keeps its exception (the check quotes the student's line)."""
    import torch

    open_layers: list[tuple[str, Any, tuple]] = []

    def enter(name: str) -> Callable[..., None]:
        def record(module: Any, args: tuple) -> None:
            shape = next((tuple(a.shape) for a in args if torch.is_tensor(a)), ())
            open_layers.append((name, module, shape))
        return record

    def leave(module: Any, args: tuple, output: Any) -> None:
        if open_layers and open_layers[-1][1] is module:
            open_layers.pop()

    leaves = [(n, m) for n, m in model.named_modules() if n and not any(True for _ in
                                                                        m.children())]
    hooks = [m.register_forward_pre_hook(enter(n)) for n, m in leaves] + \
            [m.register_forward_hook(leave) for _, m in leaves]
    try:
        with torch.no_grad(), one_thread():
            return model(*inputs)
    except Exception as exc:
        if not open_layers:
            raise
        raise AnswerTypeError(_failure(*open_layers[-1], exc)) from None
    finally:
        for h in hooks:
            h.remove()


def _failure(name: str, module: Any, shape: tuple, exc: Exception) -> str:
    """Where the forward pass failed, what the layer expects where the input does not give
    it, and PyTorch's error."""
    n_in = getattr(module, "in_features", None)
    if n_in and len(shape) == 2 and shape[1] > n_in and shape[1] % n_in == 0:
        why = _("the forward pass failed in layer {name} ({type}) on an input of shape {shape}; "
                "it expects {n_in} features but receives {got} = {times} x {n_in}: the batch "
                "axis went into the features. Flatten with x.flatten(1), which keeps it: "
                "{error}")
    elif n_in and len(shape) == 2 and shape[1] != n_in:
        why = _("the forward pass failed in layer {name} ({type}) on an input of shape {shape}; "
                "it expects {n_in} features but receives {got}: the size of the flattened maps "
                "and the layer's in_features must agree: {error}")
    elif hasattr(module, "in_features") and len(shape) != 2:
        why = _("the forward pass failed in layer {name} ({type}) on an input of shape {shape}; "
                "it expects {n_in} features, so the input must be flattened to (N, {n_in}): "
                "{error}")
    elif hasattr(module, "in_channels") and len(shape) > 1 and shape[1] != module.in_channels:
        why = _("the forward pass failed in layer {name} ({type}) on an input of shape {shape}; "
                "it expects {channels} input channels: {error}")
    else:
        why = _("the forward pass failed in layer {name} ({type}) on an input of shape {shape}: "
                "{error}")
    got = shape[1] if len(shape) > 1 else None
    return why.format(name=name, type=type(module).__name__, shape=shape,
                      n_in=getattr(module, "in_features", None), got=got,
                      times=got // n_in if got and n_in else None,
                      channels=getattr(module, "in_channels", None),
                      error=str(exc).splitlines()[0])


def _output(out: Any, model_class: Any) -> Any:
    """The forward pass's result, which must be one tensor (the next cells use it as one)."""
    import torch

    if torch.is_tensor(out):
        return out
    name = _name(model_class)
    if out is None:
        raise AnswerTypeError(_("the forward pass of {name} returned None: did you forget "
                                "`return`?").format(name=name))
    raise AnswerTypeError(_("the forward pass of {name} returned a {type}; return one tensor, "
                            "the output of the last layer").format(name=name,
                                                                   type=type(out).__name__))


def _batch_kept(out: Any, input_size: tuple, model_class: Any) -> None:
    """The output keeps the batch axis (the summary's table reads its shape)."""
    shape = tuple(_output(out, model_class).shape)
    if len(shape) < 2 or shape[0] != input_size[0]:
        raise AnswerTypeError(_("for a batch of {batch} the output has shape {shape}: the batch "
                                "axis was lost. Flatten with x.flatten(1) (or "
                                "x.view(x.size(0), -1)), which keeps it").format(
                                    batch=input_size[0], shape=shape))


@adapter
def parameter_counts(model_class: Any, *args: Any, **kwargs: Any) -> np.ndarray:
    """Instantiate a torch.nn.Module class and count the parameters of each layer that has any,
    in registration order (e.g. conv1, conv2, fc1, ...); a module registered twice counts
    once."""
    return np.array(_counts(build(model_class, args, kwargs, fill="meta")), dtype=np.int64)


@adapter
def leaf_output_shapes(model_class: Any, input_shape: tuple, *args: Any,
                       **kwargs: Any) -> np.ndarray:
    """Instantiate the model, run an input of `input_shape` (N, C, H, W) through it (shapes
    only, see `_shapes_only`) and return the output shape of each layer that has parameters or
    is a pooling, up-sampling or flatten layer, in call order: (n_layers, 4) int64, shorter
    shapes padded with 0."""
    def work(device: str) -> list[tuple[int, ...]]:
        model = _shape_model(model_class, args, kwargs, device).eval()
        shapes: list[tuple[int, ...]] = []

        def record(module: Any, inputs: Any, output: Any) -> None:
            shapes.append(tuple(output.shape))

        hooks = [m.register_forward_hook(record) for m in model.modules()
                 if not list(m.children()) and (
                     any(True for _ in m.parameters(recurse=False))
                     or any(k in type(m).__name__ for k in _SHAPE_LAYERS))]
        try:
            run(model, _shape_input(input_shape, device))
        finally:
            for h in hooks:
                h.remove()
        return shapes

    shapes = _shapes_only(work)
    out = np.zeros((len(shapes), 4), dtype=np.int64)
    for i, s in enumerate(shapes):
        out[i, :len(s)] = s[:4]
    return out


_kept_model: list = [None, None]  # [key, model] built by an evaluation-mode forward


def _fixed_model(model_class: Any, args: tuple, kwargs: dict, train: bool) -> Any:
    """The float64 model with fixed weights. An evaluation-mode case keeps its model for the
    training-mode case that follows it (AlexNet takes a third of a second to build and fill);
    that case takes it and lets it go, so that no large model stays in memory."""
    import torch

    key = (model_class, repr(args), repr(sorted(kwargs.items())))
    kept_key, kept = _kept_model
    _kept_model[:] = [None, None]
    model = kept if kept_key == key else build(model_class, args, kwargs, dtype=torch.float64)
    if not train:
        _kept_model[:] = [key, model]
    return model.train(train)


def _fixed_forward(model_class: Any, inputs: list, args: tuple, kwargs: dict, train: bool,
                   seed: int) -> np.ndarray:
    import torch

    model = _fixed_model(model_class, args, kwargs, train)
    with seeded(seed):
        out = run(model, *(torch.tensor(np.asarray(x, np.float64)) for x in inputs))
    return _output(out, model_class).detach().double().numpy()


@adapter
def fixed_weights_forward(model_class: Any, inputs: list, *args: Any,
                          **kwargs: Any) -> np.ndarray:
    """Instantiate the model in float64, set every parameter to `fixed_values(shape)`, switch
    to evaluation mode (batch norm uses its initial statistics: mean 0, variance 1; dropout is
    off) and return model(*inputs) as a float64 array."""
    return _fixed_forward(model_class, inputs, args, kwargs, train=False, seed=0)


@adapter
def fixed_weights_train_forward(model_class: Any, inputs: list, seed: int, *args: Any,
                                **kwargs: Any) -> np.ndarray:
    """As `fixed_weights_forward`, in training mode (batch norm uses the batch's statistics,
    dropout is on with PyTorch's generator seeded by `seed`, as `fixed_weights.seeded`)."""
    return _fixed_forward(model_class, inputs, args, kwargs, train=True, seed=seed)


_last_table: list = [None, None]  # [key, {"counts": ..., "shapes": ...}] of the last model


def _table(model_class: Any, input_size: tuple, args: tuple, kwargs: dict, part: str) -> Any:
    """The parameter counts, or the summary's output shapes (H, W, C), of the model: AlexNet's
    check asks for one layer per case, and builds the model once (the model itself is not
    kept). A failure (the model cannot be built, or its forward pass fails) is kept too, and
    given again to each case that needs that part, without building the model again."""
    from ..summary import summary

    key = (model_class, tuple(input_size), repr(args), repr(sorted(kwargs.items())))
    if _last_table[0] != key:
        _last_table[:] = [None, None]
        table: dict[str, Any] = {}

        def work(device: str) -> list[tuple[int, ...]]:
            model = _shape_model(model_class, args, kwargs, device)
            table["counts"] = _counts(model)
            _batch_kept(run(model, _shape_input(input_size, device)), input_size, model_class)
            return [tuple(r.output_hwc) for r in summary(model, tuple(input_size)).rows]
        try:
            table["shapes"] = _shapes_only(work)
        except Exception as exc:  # the student's error, given again to each case
            table = {"counts": exc, **table, "shapes": exc}
        _last_table[:] = [key, table]
    value = _last_table[1][part]
    if isinstance(value, Exception):
        raise value
    return value


@adapter
def layer_params(model_class: Any, input_size: tuple, index: int, *args: Any,
                 **kwargs: Any) -> int:
    """Number of parameters of the index-th layer (from 0) that has parameters."""
    counts = _table(model_class, input_size, args, kwargs, "counts")
    if index >= len(counts):
        raise AnswerTypeError(_("your model has only {count} layers with parameters").format(
            count=len(counts)))
    return int(counts[index])


@adapter
def layer_count(model_class: Any, input_size: tuple, *args: Any, **kwargs: Any) -> int:
    """Number of rows of course.summary's table (conv, pooling, dense, ... layers)."""
    return len(_table(model_class, input_size, args, kwargs, "shapes"))


@adapter
def layer_output_shape(model_class: Any, input_size: tuple, index: int, *args: Any,
                       **kwargs: Any) -> np.ndarray:
    """Output (H, W, C) of the index-th row of the summary table (a dense layer: (1, 1, F))."""
    shapes = _table(model_class, input_size, args, kwargs, "shapes")
    if index >= len(shapes):
        raise AnswerTypeError(_("your model has only {count} layers in its table").format(
            count=len(shapes)))
    return np.array(shapes[index], dtype=np.int64)


@adapter
def output_shape(model_class: Any, input_size: tuple, *args: Any, **kwargs: Any) -> np.ndarray:
    """Shape of model(x) for an input x of `input_size` (shapes only, see `_shapes_only`), as
    an int64 array."""
    def work(device: str) -> Any:
        model = _shape_model(model_class, args, kwargs, device).eval()
        return _output(run(model, _shape_input(input_size, device)), model_class).shape

    return np.array(tuple(_shapes_only(work)), dtype=np.int64)


@adapter
def on_model(fn: Callable[..., Any], spec: list) -> Any:
    """fn(model) for a model built from `spec` (see probes.layers), seeded."""
    with seeded(0):
        return fn(probes.layers(spec))
