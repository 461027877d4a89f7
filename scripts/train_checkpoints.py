"""Train the small checkpoints that notebooks 08-09 load (course/checkpoints/*.pt).

    python scripts/train_checkpoints.py            # all of them (a few minutes on a CPU)
    python scripts/train_checkpoints.py lenet5     # only some

The notebooks call `course.train.load_or_train` with the same training function, so a student
with FULL = True (or without the file) gets the same result by training in the notebook. The
models here are copies of the notebooks' solutions: keep them in sync (same layers, same order).
Each file stays well under 3 MB.
"""
from __future__ import annotations

import sys
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

from course import data, train

CHECKPOINTS = Path(__file__).resolve().parent.parent / "course" / "checkpoints"


class LeNet5(nn.Module):
    """Notebook 08's LeNet-5 (ReLU, max-pooling, conv1 padded to keep 28x28)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.pool2 = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool1(F.relu(self.conv1(x)))
        x = self.pool2(F.relu(self.conv2(x)))
        x = F.relu(self.fc1(x.flatten(1)))
        return self.fc3(F.relu(self.fc2(x)))


class MLP(nn.Module):
    """Notebook 08's dense network: 784 -> hidden... -> 10 with ReLUs."""

    def __init__(self, hidden: tuple[int, ...] = (128, 64)) -> None:
        super().__init__()
        sizes = [784, *hidden, 10]
        self.layers = nn.ModuleList(nn.Linear(i, o) for i, o in zip(sizes[:-1], sizes[1:]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.flatten(1)
        for layer in self.layers[:-1]:
            x = F.relu(layer(x))
        return self.layers[-1](x)


def train_mnist(model: nn.Module, epochs: int = 15, device=None) -> dict:
    """Notebook 08's recipe: Adam on the 4,000 training digits, the learning rate divided by
    10 for the last third of the epochs; returns the history and the test accuracy."""
    x_train, y_train, x_test, y_test = data.mnist_tensors()
    train_loader = train.make_loader(x_train, y_train, batch_size=64, seed=0)
    test_loader = train.make_loader(x_test, y_test, batch_size=500, shuffle=False)
    first = epochs - epochs // 3
    h1 = train.fit(model, train_loader, test_loader, epochs=first, lr=2e-3, progress=False,
                   device=device, seed=0)
    h2 = train.fit(model, train_loader, test_loader, epochs=epochs - first, lr=2e-4,
                   progress=False, device=device, seed=1)
    history = {k: getattr(h1, k) + getattr(h2, k) for k in vars(h1)}
    return {**history, "epochs": epochs, "test_accuracy": history["test_metric"][-1]}


JOBS = {"lenet5": (LeNet5, train_mnist), "mlp": (MLP, train_mnist)}


def main(names: list[str]) -> None:
    for name in names or JOBS:
        model_class, train_fn = JOBS[name]
        path = CHECKPOINTS / f"{name}.pt"
        train.seed_everything(0)  # as the notebook does before building the model
        model = model_class()
        meta = train.load_or_train(model, path, lambda: train_fn(model), retrain=True)
        print(f"{path.name}: test accuracy {meta['test_accuracy']:.4f}, "
              f"{path.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main(sys.argv[1:])
