"""The small networks and data a check runs an answer on: one recipe each, used both where the
answer is called (adapters, possibly in the grader's child) and where the right answer is
computed (the checks)."""
from __future__ import annotations

from typing import Any

N_FEATURES, N_CLASSES, BATCH = 4, 3, 8  # the training-step probe: Linear(4, 3) on 8 samples


def linear_probe(seed: int) -> Any:
    """The seeded Linear(4, 3) a `train_step` answer trains (PyTorch's generator is left as it
    was: a check does not change the notebook's random state)."""
    import torch

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return torch.nn.Linear(N_FEATURES, N_CLASSES)


def probe_batches(seed: int, steps: int) -> list[tuple[Any, Any]]:
    """`steps` seeded batches (x (8, 4) float32, y (8,) int64) for the training-step probe."""
    import torch

    g = torch.Generator().manual_seed(seed)
    return [(torch.randn(BATCH, N_FEATURES, generator=g),
             torch.randint(0, N_CLASSES, (BATCH,), generator=g)) for _ in range(steps)]


def maps_net() -> Any:
    """Conv, in-place ReLU, max-pool, twice, then flatten (inputs of 6x6 pixels or more): the
    network whose maps a `feature_maps` answer collects with hooks."""
    import torch
    from torch import nn

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        return nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(inplace=True), nn.MaxPool2d(2),
                             nn.Conv2d(4, 5, 3, padding=1), nn.ReLU(inplace=True),
                             nn.MaxPool2d(2), nn.Flatten())


def maps_input(seed: int, size: int) -> Any:
    """Two seeded RGB images of size x size for `maps_net`."""
    import torch

    return torch.randn(2, 3, size, size, generator=torch.Generator().manual_seed(seed))


def layers(spec: list) -> Any:
    """An nn.Sequential from plain data: ("conv", c_in, c_out, k, bias), ("linear", n_in, n_out,
    bias), ("bn", c), ("pool", k), ("relu",), ("flatten",)."""
    from torch import nn

    make = {"conv": lambda c, f, k, b: nn.Conv2d(c, f, k, bias=b),
            "linear": lambda i, o, b: nn.Linear(i, o, bias=b), "bn": nn.BatchNorm2d,
            "pool": nn.MaxPool2d, "relu": nn.ReLU, "flatten": nn.Flatten}
    return nn.Sequential(*(make[kind](*rest) for kind, *rest in spec))
