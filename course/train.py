"""Training helpers: which device to use, and reproducible seeds."""
from __future__ import annotations

import random

import numpy as np


def pick_device() -> "torch.device":  # noqa: F821
    """CUDA if present, then Apple's MPS, then the CPU."""
    import torch

    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def describe_device() -> str:
    """A line for people: the device and, for a GPU, its name."""
    import torch

    dev = pick_device()
    if dev.type == "cuda":
        return f"CUDA GPU: {torch.cuda.get_device_name(0)}"
    if dev.type == "mps":
        return "Apple GPU (MPS)"
    return f"CPU ({torch.get_num_threads()} threads), no GPU found"


def seed_everything(seed: int = 0) -> None:
    """Same seed for Python, NumPy and PyTorch (CPU and GPU)."""
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
