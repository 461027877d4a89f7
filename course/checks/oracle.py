"""PyTorch as the reference: float64 on the CPU, results back as NumPy in the inputs' dtype."""
from __future__ import annotations

import numpy as np


def _torch():
    import torch  # imported lazily: `course` must import quickly for the doctor

    return torch


def result_dtype(*arrays: np.ndarray) -> np.dtype:
    """float32 stays float32; integers give float64 (NumPy's rule for products and sums)."""
    dt = np.result_type(*arrays)
    return dt if dt.kind == "f" else np.dtype(np.float64)


def conv1d(x: np.ndarray, k: np.ndarray, stride: int = 1) -> np.ndarray:
    """The lecture's 1D convolution (cross-correlation) of x (W,) with k (w,), via PyTorch.

    Returns shape (floor((W - w) / stride) + 1,) in the inputs' float dtype."""
    torch = _torch()
    t = torch.nn.functional.conv1d(torch.tensor(np.array(x, np.float64))[None, None],
                                   torch.tensor(np.array(k, np.float64))[None, None],
                                   stride=stride)
    return t[0, 0].numpy().astype(result_dtype(x, k))


def conv2d(input: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None,
           stride: int | tuple = 1, padding: int | tuple = 0,
           dilation: int | tuple = 1) -> np.ndarray:
    """torch.nn.functional.conv2d in float64 on NumPy arrays of shape (N, C, H, W) and
    (F, C, h, w), bias (F,); returns (N, F, H_out, W_out) in the inputs' float dtype."""
    torch = _torch()
    as64 = lambda a: None if a is None else torch.tensor(np.array(a, np.float64))  # noqa: E731
    out = torch.nn.functional.conv2d(as64(input), as64(weight), as64(bias), stride=stride,
                                     padding=padding, dilation=dilation)
    args = (input, weight) if bias is None else (input, weight, bias)
    return out.numpy().astype(result_dtype(*args))
