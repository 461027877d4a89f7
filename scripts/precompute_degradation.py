"""Precompute notebook 11's degradation experiment: plain nets of 7 and 31 convolutions and the
residual net of 31 convolutions, trained the same way on the MNIST subset (digits shrunk to
7x7, 8 channels, batch norm, SGD with momentum), and save their curves as JSON.

The networks are those of notebook 11 (`deep_net`); the notebook shows this file and runs a
shorter version live. About 2 minutes on one CPU core:

    python scripts/precompute_degradation.py  # writes course/checkpoints/resnet_degradation.json
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from torch import nn

from course.data import mnist_tensors
from course.train import seed_everything

OUT = Path(__file__).resolve().parent.parent / "course" / "checkpoints" / "resnet_degradation.json"
SETTINGS = dict(width=8, image_size=7, batch_size=32, lr=0.05, momentum=0.9, steps=400,
                eval_every=50, seed=0)
NETS = {"plain, 7 conv": (3, False), "plain, 31 conv": (15, False),
        "residual, 31 conv": (15, True)}


class Block(nn.Module):
    """Two 3x3 convolutions with batch norm, with or without the identity skip."""

    def __init__(self, width: int, residual: bool) -> None:
        super().__init__()
        self.residual = residual
        self.conv1 = nn.Conv2d(width, width, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        return torch.relu(y + x if self.residual else y)


def deep_net(n_blocks: int, residual: bool, width: int = 8) -> nn.Sequential:
    """1 + 2 * n_blocks convolutions, global average pooling, 10 classes; input (N, 1, H, W)."""
    return nn.Sequential(nn.Conv2d(1, width, 3, padding=1, bias=False), nn.BatchNorm2d(width),
                         nn.ReLU(), *[Block(width, residual) for _ in range(n_blocks)],
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(width, 10))


def train(model: nn.Module, x: torch.Tensor, y: torch.Tensor, x_test: torch.Tensor,
          y_test: torch.Tensor, steps: int, batch_size: int, lr: float, momentum: float,
          eval_every: int, seed: int, **_: object) -> dict:
    """SGD on random batches; the training loss at every step, test accuracy every few."""
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    gen = torch.Generator().manual_seed(seed)
    losses, accs = [], []
    for step in range(1, steps + 1):
        idx = torch.randint(0, len(x), (batch_size,), generator=gen)
        loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(round(loss.item(), 4))
        if step % eval_every == 0:
            model.eval()
            with torch.no_grad():
                accs.append(round((model(x_test).argmax(1) == y_test).float().mean().item(), 4))
            model.train()
    return {"train_loss": losses, "test_accuracy": accs}


def small_mnist(image_size: int) -> tuple[torch.Tensor, ...]:
    """The MNIST subset averaged down to image_size x image_size (28 must be a multiple)."""
    x, y, x_test, y_test = mnist_tensors()
    k = 28 // image_size
    return nn.functional.avg_pool2d(x, k), y, nn.functional.avg_pool2d(x_test, k), y_test


def main() -> None:
    torch.set_num_threads(1)  # the same numbers on any machine with the same PyTorch
    data = small_mnist(SETTINGS["image_size"])
    results = {}
    for name, (n_blocks, residual) in NETS.items():
        seed_everything(SETTINGS["seed"])
        model = deep_net(n_blocks, residual, SETTINGS["width"])
        results[name] = train(model, *data, **SETTINGS)
        print(f"{name}: last 50 steps' loss {np.mean(results[name]['train_loss'][-50:]):.3f}, "
              f"test accuracy {results[name]['test_accuracy'][-1]:.3f}", flush=True)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps({"settings": SETTINGS, "torch": torch.__version__,
                               "curves": results}, indent=1) + "\n")
    print(f"wrote {OUT.name}")


if __name__ == "__main__":
    main()
