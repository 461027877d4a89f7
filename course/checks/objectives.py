"""Functions whose gradient students estimate numerically (notebook 07).

They live apart from the reference answers: the grader's child calls them while the student's
code runs (adapter `with_test_function`), and every other check module is off limits there.
"""
from __future__ import annotations

import numpy as np


def cubic_sum(x: np.ndarray) -> float:
    """f(x) = sum(x³ - 2x)."""
    return float(np.sum(x ** 3 - 2 * x))


def wave(x: np.ndarray) -> float:
    """f(x) = sum(sin(x) · x²)."""
    return float(np.sum(np.sin(x) * x ** 2))


def conv_loss(x: np.ndarray) -> float:
    """f(x) = sum of the squared output of a fixed 2x2 convolution of x (N, C, H, W), summed
    over channels (NumPy only: the grader forbids torch while the student's code runs)."""
    k = np.arange(1, 5, dtype=np.float64).reshape(2, 2) / 4
    H, W = x.shape[2:]
    z = sum(k[a, b] * x[:, :, a:a + H - 1, b:b + W - 1] for a in range(2) for b in range(2))
    return float(np.sum(z.sum(axis=1) ** 2))


TEST_FUNCTIONS = {f.__name__: f for f in (cubic_sum, wave, conv_loss)}
