"""What PyTorch computes: the one reference behind the checks, the explorers and the pictures.

Inputs are NumPy arrays in `torch.nn.functional`'s layouts and argument names; results come
back as NumPy arrays in the inputs' float dtype (float64 for integer inputs). They are computed
in float64 unless `compute` says otherwise (the explorers use float32, for speed).

A from-scratch answer may not use this module: it computes the answers.
"""
from __future__ import annotations

import contextlib
from typing import Any, Iterator, Literal

import numpy as np

from .examples import TOP_EDGE

Pair = tuple[int, int]
IntOrPair = int | tuple[int, int]


def _torch() -> Any:
    import torch  # imported lazily: `course` must import quickly for the doctor

    return torch


def pair(value: IntOrPair | None, default: IntOrPair | None = None) -> Pair:
    """An int or a pair as a pair (PyTorch's convention: (rows, columns)); None gives
    `default`."""
    value = default if value is None else value
    if np.isscalar(value):
        return int(value), int(value)
    first, second = value  # type: ignore[misc]
    return int(first), int(second)


def conv_output_size(size: int, kernel_size: int, stride: int = 1, padding: int = 0,
                     dilation: int = 1) -> int:
    """Output length along one axis: floor((size + 2 padding - dilation (kernel_size - 1) - 1)
    / stride) + 1 (zero or less when the kernel does not fit)."""
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1


def result_dtype(*arrays: np.ndarray) -> np.dtype:
    """float32 stays float32; integers give float64 (NumPy's rule for products and sums)."""
    dt = np.result_type(*arrays)
    return dt if dt.kind == "f" else np.dtype(np.float64)


def _tensor(a: np.ndarray | None, compute: type) -> Any:
    return None if a is None else _torch().from_numpy(np.array(a, dtype=compute))


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Run PyTorch on one CPU thread: on the tiny tensors of a check, more threads only wait
    for each other (and stall badly on a busy machine)."""
    torch = _torch()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def conv1d(input: np.ndarray, weight: np.ndarray, stride: int = 1, padding: int = 0,
           dilation: int = 1) -> np.ndarray:
    """The lecture's 1D convolution (a cross-correlation) of a vector input (W,) with a kernel
    weight (w,) -> (conv_output_size(W, w, stride, padding, dilation),)."""
    F = _torch().nn.functional
    out = F.conv1d(_tensor(input, np.float64)[None, None], _tensor(weight, np.float64)[None, None],
                   stride=stride, padding=padding, dilation=dilation)
    return out[0, 0].numpy().astype(result_dtype(input, weight))


def conv2d(input: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None,
           stride: IntOrPair = 1, padding: IntOrPair = 0, dilation: IntOrPair = 1,
           compute: type = np.float64) -> np.ndarray:
    """torch.nn.functional.conv2d: input (N, C, H, W), weight (F, C, h, w), bias (F,) or None
    -> (N, F, H_out, W_out), H_out = conv_output_size(H, h, stride, padding, dilation)."""
    F = _torch().nn.functional
    with _torch().no_grad():
        out = F.conv2d(_tensor(input, compute), _tensor(weight, compute), _tensor(bias, compute),
                       stride=pair(stride), padding=pair(padding), dilation=pair(dilation))
    arrays = (input, weight) if bias is None else (input, weight, bias)
    return out.numpy().astype(result_dtype(*arrays))


def corr2d(X: np.ndarray, K: np.ndarray, padding: IntOrPair = 0) -> np.ndarray:
    """The lecture's X * K for one channel: X (H, W), K (h, w) -> (H - h + 1, W - w + 1)."""
    return conv2d(X[None, None], K[None, None], padding=padding)[0, 0]


def pool2d(kind: Literal["max", "avg"], input: np.ndarray, kernel_size: IntOrPair,
           stride: IntOrPair | None = None, ceil_mode: bool = False,
           compute: type = np.float64) -> np.ndarray | None:
    """torch.nn.functional.max_pool2d or avg_pool2d on input (N, C, H, W) (or (H, W)) ->
    (N, C, H_out, W_out), H_out = floor((H - h) / s) + 1, stride None meaning kernel_size.
    Max pooling keeps the input's dtype (it only picks values); average pooling gives its
    float dtype. None when the window does not fit."""
    k = pair(kernel_size)
    s = pair(stride, k)
    if min(k) < 1 or min(s) < 1 or k[0] > input.shape[-2] or k[1] > input.shape[-1]:
        return None
    fn = getattr(_torch().nn.functional, f"{kind}_pool2d")
    x = _tensor(input, compute)
    with _torch().no_grad():
        out = fn(x if input.ndim >= 3 else x[None, None], k, s, ceil_mode=ceil_mode).numpy()
    out = out if input.ndim >= 3 else out[0, 0]
    if kind == "max":
        return out.astype(input.dtype)
    return out.astype(input.dtype if input.dtype.kind == "f" else np.float64)


def max_pool2d(input: np.ndarray, kernel_size: IntOrPair, stride: IntOrPair | None = None,
               ceil_mode: bool = False) -> np.ndarray | None:
    """torch.nn.functional.max_pool2d (see `pool2d`)."""
    return pool2d("max", input, kernel_size, stride, ceil_mode)


def avg_pool2d(input: np.ndarray, kernel_size: IntOrPair, stride: IntOrPair | None = None,
               ceil_mode: bool = False) -> np.ndarray | None:
    """torch.nn.functional.avg_pool2d (see `pool2d`)."""
    return pool2d("avg", input, kernel_size, stride, ceil_mode)


def unfold(input: np.ndarray, kernel_size: IntOrPair, stride: IntOrPair = 1,
           padding: IntOrPair = 0, dilation: IntOrPair = 1) -> np.ndarray:
    """torch.nn.functional.unfold: input (N, C, H, W) -> (N, C·h·w, L), one column per output
    position, rows in the order (channel, kernel row, kernel column); the input's float
    dtype."""
    F = _torch().nn.functional
    out = F.unfold(_tensor(input, np.float64), pair(kernel_size), dilation=pair(dilation),
                   padding=pair(padding), stride=pair(stride)).numpy()
    return out.astype(result_dtype(input))


def conv2d_grads(grad_output: np.ndarray, input: np.ndarray, weight: np.ndarray,
                 stride: IntOrPair = 1, padding: IntOrPair = 0, dilation: IntOrPair = 1
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(grad_input, grad_weight, grad_bias) of conv2d by autograd in float64, shapes
    (N, C, H, W), (F, C, h, w), (F,), for grad_output (N, F, H_out, W_out)."""
    torch = _torch()
    x, w = (torch.tensor(np.asarray(a, np.float64), requires_grad=True) for a in (input, weight))
    b = torch.zeros(weight.shape[0], dtype=torch.float64, requires_grad=True)
    out = torch.nn.functional.conv2d(x, w, b, stride=pair(stride), padding=pair(padding),
                                     dilation=pair(dilation))
    out.backward(torch.tensor(np.asarray(grad_output, np.float64)))
    return x.grad.numpy(), w.grad.numpy(), b.grad.numpy()


def pool2d_grad(kind: Literal["max", "avg"], grad_output: np.ndarray, input: np.ndarray,
                kernel_size: IntOrPair, stride: IntOrPair | None = None) -> np.ndarray:
    """grad_input (N, C, H, W) of max or average pooling by autograd in float64."""
    torch = _torch()
    x = torch.tensor(np.asarray(input, np.float64), requires_grad=True)
    fn = getattr(torch.nn.functional, f"{kind}_pool2d")
    k = pair(kernel_size)
    fn(x, k, pair(stride, k)).backward(torch.tensor(np.asarray(grad_output, np.float64)))
    return x.grad.numpy()


def max_pool2d_argmax(input: np.ndarray, kernel_size: IntOrPair,
                      stride: IntOrPair | None = None) -> np.ndarray:
    """The flat index (in H·W) of the maximum PyTorch picks in each window: (N, C, H_out,
    W_out) int64. With ties, PyTorch keeps the first maximum in row-major order."""
    torch = _torch()
    k = pair(kernel_size)
    _, idx = torch.nn.functional.max_pool2d(_tensor(input, np.float64), k, pair(stride, k),
                                           return_indices=True)
    return idx.numpy()


def edge_kernels() -> dict[str, np.ndarray]:
    """The lecture's four edge filters: the top one is given, the others are its flips and
    transposes (each positive on its own edge of a bright object)."""
    return {"top": TOP_EDGE, "bottom": TOP_EDGE[::-1], "left": TOP_EDGE.T,
            "right": TOP_EDGE.T[:, ::-1]}
