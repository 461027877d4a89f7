"""Reference layers on fixed weights, shared by the checks of notebooks 10-12 (VGG, ResNet,
U-Net).

Models are judged through adapters (`course/checks/adapters.py`): the parameter count of each
layer, the output shape of each layer, and the output of the model when every parameter is set
to `fixed_values(shape)`, computed with `torch.nn.functional` on the same fixed weights; each
typical mistake is computed the same way so that it can be named.
"""
from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

from .adapters import fixed_values, one_thread

BN_EPS = 1e-5  # PyTorch's default for BatchNorm2d


def _one_thread(builder: Callable[..., list]) -> Callable[..., list]:
    """Compute a case builder's reference outputs on one CPU thread (see `one_thread`)."""
    @functools.wraps(builder)
    def wrapped(*args: Any, **kwargs: Any) -> list:
        with one_thread():
            return builder(*args, **kwargs)
    return wrapped


def _t(a: np.ndarray) -> Any:
    import torch

    return torch.from_numpy(np.asarray(a, np.float64))


def _conv(x: Any, c_out: int, k: int, stride: int = 1, padding: int = 0, bias: bool = True):
    import torch.nn.functional as F

    w = _t(fixed_values((c_out, x.shape[1], k, k)))
    b = _t(fixed_values((c_out,))) if bias else None
    return F.conv2d(x, w, b, stride=stride, padding=padding)


def _bn(x: Any) -> Any:
    """Batch norm in evaluation mode with its initial statistics (mean 0, variance 1)."""
    g = _t(fixed_values((x.shape[1],))).reshape(1, -1, 1, 1)
    return x / np.sqrt(1 + BN_EPS) * g + g  # weight and bias get the same fixed values


def _linear(x: Any, n_out: int) -> Any:
    import torch.nn.functional as F

    return F.linear(x, _t(fixed_values((n_out, x.shape[1]))), _t(fixed_values((n_out,))))


def _out(x: Any) -> np.ndarray:
    return x.numpy()


def _random_input(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return rng.normal(size=shape)
