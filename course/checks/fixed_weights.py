"""Fixed weights, and reference layers computed on them: how the checks of notebooks 08-12
judge a network by what it computes, without a reference model.

Every parameter of the student's model is set to `fixed_values(shape)` (adapters
`fixed_weights_forward` and `fixed_weights_train_forward`); the expected output is computed
here with `torch.nn.functional` on the same values, and so is the output of each typical
mistake (a missing ReLU, a wrong pooling, a missing skip...), so that it can be named. Two
parameters of the same shape get the same values: the output does not depend on the names of
the layers or on the order they are created in.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import zlib
from typing import Any, Callable, Iterator

import numpy as np

from ..reference import one_thread
from .case import Mistake

BN_EPS = 1e-5  # PyTorch's default for BatchNorm2d


_PERIOD = 65521  # a prime: longer parameters repeat their first values with this period
_LARGE = 2**22  # dense layers with more weights than this are computed without them


def _base(shape: tuple[int, ...]) -> np.ndarray:
    """The first (at most 65,521) values of `fixed_values(shape)`; a longer parameter repeats
    them."""
    rng = np.random.Generator(np.random.PCG64(zlib.crc32(repr(tuple(shape)).encode())))
    half_width = np.sqrt(6 / np.prod(shape[1:])) if len(shape) > 1 else 1.0
    return (rng.random(min(int(np.prod(shape)), _PERIOD)) * 2 - 1) * half_width


def fill_fixed(out: np.ndarray) -> np.ndarray:
    """Write `fixed_values(out.shape)` into the C-contiguous float array `out`, in place, and
    return it."""
    base = _base(out.shape)
    flat = out.reshape(-1)
    whole = flat.size // len(base) * len(base)
    flat[:whole].reshape(-1, len(base))[...] = base
    flat[whole:] = base[:flat.size - whole]
    return out


def fixed_values(shape: tuple[int, ...]) -> np.ndarray:
    """Deterministic float64 weights for a parameter of this shape: uniform in [-a, a) with
    a = sqrt(6 / fan-in) (the variance 2 / fan-in keeps the signal's scale through ReLUs), or
    a = 1 for a vector (biases, batch norm), drawn by NumPy's PCG64 from a seed made of the
    shape (a parameter of more than 65,521 values repeats them with that period, a prime: its
    rows are different shifts of one random sequence, and filling AlexNet takes a tenth of a
    second). The same for every model, so a check can compare outputs whatever the layers'
    names or creation order; and random-like, so that every channel of a layer carries its
    own information (values that follow a pattern, such as a cosine of the index, make each
    layer's outputs a sinusoid across its channels, and hide mistakes)."""
    return fill_fixed(np.empty(tuple(shape), dtype=np.float64))


def on_one_thread(builder: Callable[..., Any]) -> Callable[..., Any]:
    """Compute a case builder's reference outputs on one CPU thread (see `one_thread`)."""
    @functools.wraps(builder)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with one_thread():
            return builder(*args, **kwargs)
    return wrapped


@contextlib.contextmanager
def seeded(seed: int) -> Iterator[None]:
    """PyTorch's generator seeded with `seed` inside the block and restored after it: dropout
    draws the same masks here as in the student's model (adapter
    `fixed_weights_train_forward`), and the notebook's own random state is left alone."""
    import torch

    with torch.random.fork_rng(devices=[]):
        torch.default_generator.manual_seed(seed)  # the CPU generator that dropout draws from
        yield


def tensor(a: np.ndarray) -> Any:
    import torch

    return torch.from_numpy(np.asarray(a, np.float64))


_reused: dict | None = None  # fixed weights, dense layers' outputs: while `reusing_weights`


@contextlib.contextmanager
def reusing_weights() -> Iterator[None]:
    """Inside the block, compute each shape's fixed weights once, and each dense layer's output
    once per input (a case builder that runs AlexNet's classifier for many variants, most of
    them on the same features); free them after it."""
    global _reused
    outer, _reused = _reused, ({} if _reused is None else _reused)
    try:
        yield
    finally:
        _reused = outer


def _w(shape: tuple[int, ...]) -> Any:
    if _reused is None:
        return tensor(fixed_values(shape))
    if shape not in _reused:
        _reused[shape] = tensor(fixed_values(shape))
    return _reused[shape]


def conv(x: Any, c_out: int, k: int, stride: int = 1, padding: int = 0, bias: bool = True,
         groups: int = 1) -> Any:
    """A k x k convolution with fixed weights (c_out, c_in / groups, k, k) and, if `bias`, a
    fixed bias."""
    import torch.nn.functional as F

    b = _w((c_out,)) if bias else None
    return F.conv2d(x, _w((c_out, x.shape[1] // groups, k, k)), b, stride=stride,
                    padding=padding, groups=groups)


def conv_transpose(x: Any, c_out: int, k: int, stride: int, bias: bool = True) -> Any:
    """A transposed convolution with fixed weights (c_in, c_out, k, k) and bias."""
    import torch.nn.functional as F

    b = _w((c_out,)) if bias else None
    return F.conv_transpose2d(x, _w((x.shape[1], c_out, k, k)), b, stride=stride)


def batch_norm(x: Any, train: bool = False) -> Any:
    """BatchNorm2d with fixed weight and bias (the same values: the same shape). In evaluation
    mode it uses its initial statistics (mean 0, variance 1); in training mode the batch's
    mean and (biased) variance per channel."""
    import torch.nn.functional as F

    g = _w((x.shape[1],))
    if train:
        return F.batch_norm(x, None, None, g, g, training=True, eps=BN_EPS)
    return x / np.sqrt(1 + BN_EPS) * g.reshape(1, -1, 1, 1) + g.reshape(1, -1, 1, 1)


def _periodic_matmul(x: Any, shape: tuple[int, int]) -> Any:
    """x @ fixed_values(shape).T without the weight matrix: row o of a weight longer than the
    period reads the repeated values from index o * n_in on, so each output is a sliding dot
    product of x with them, all computed at once by FFT (AlexNet's fc6 has 38 million
    weights; its reference output takes milliseconds this way)."""
    import torch

    n_out, n_in = shape
    size = 1 << (_PERIOD + n_in - 2).bit_length()
    key = ("spectrum", shape)
    weights = _reused.get(key) if _reused is not None else None
    if weights is None:
        base = torch.from_numpy(_base(shape))
        ext = torch.cat([base, base[:n_in - 1]])  # every window of n_in values, wrapping round
        weights = torch.fft.rfft(ext, size)
        if _reused is not None:
            _reused[key] = weights
    spectrum = weights * torch.fft.rfft(x, size).conj()
    slides = torch.fft.irfft(spectrum, size)[..., :_PERIOD]  # slides[s] = x . ext[s: s + n_in]
    return slides[..., torch.from_numpy(np.arange(n_out) * n_in % _PERIOD)]


def _linear(x: Any, n_out: int, bias: bool) -> Any:
    import torch.nn.functional as F

    n_in = x.shape[1]
    if n_out * n_in <= _LARGE or n_in >= _PERIOD:
        return F.linear(x, _w((n_out, n_in)), _w((n_out,)) if bias else None)
    y = _periodic_matmul(x, (n_out, n_in))
    return y + _w((n_out,)) if bias else y


def linear(x: Any, n_out: int, bias: bool = True) -> Any:
    """A dense layer with fixed weights (n_out, n_in) and bias."""
    if _reused is None:
        return _linear(x, n_out, bias)
    key = ("linear", n_out, bias, tuple(x.shape),
           hashlib.blake2b(x.detach().numpy().tobytes(), digest_size=16).digest())
    if key not in _reused:
        _reused[key] = _linear(x, n_out, bias)
    return _reused[key]


def dropout(x: Any, p: float = 0.5) -> Any:
    """Dropout in training mode: draws its mask from PyTorch's generator (see `seeded`)."""
    import torch.nn.functional as F

    return F.dropout(x, p, training=True)


def relu(x: Any) -> Any:
    import torch

    return torch.relu(x)


def as_array(x: Any) -> np.ndarray:
    return x.detach().numpy()


def variants(make: Callable[..., Any], mistakes: list[tuple[dict, str]]) -> list[Mistake]:
    """The output of each mistake, `make(**change)`, with its message; a mistake whose network
    cannot run on this input (its maps shrink to nothing) has none."""
    out = []
    for change, message in mistakes:
        try:
            out.append(Mistake(as_array(make(**change)), message))
        except RuntimeError:
            continue
    return out
