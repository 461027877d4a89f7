"""Training helpers: device, seeds, data loaders, a small training loop, checkpoints.

Everything runs on the CPU; when `pick_device()` finds a GPU, `fit` and `evaluate` use it.
"""
from __future__ import annotations

import os
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .i18n import _

Metric = Callable[[Any, Any], float]
# Small pre-trained weights made by scripts/train_checkpoints.py, loaded by the notebooks.
CHECKPOINTS = Path(__file__).resolve().parent / "checkpoints"


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
        return _("CUDA GPU: {name}").format(name=torch.cuda.get_device_name(0))
    if dev.type == "mps":
        return _("Apple GPU (MPS)")
    return _("CPU ({threads} threads), no GPU found").format(threads=torch.get_num_threads())


def seed_everything(seed: int = 0, deterministic: bool = True) -> None:
    """Same seed for Python, NumPy and PyTorch (CPU and GPU).

    `deterministic` asks PyTorch for deterministic algorithms (a warning, not an error, where
    an operation has none) and fixes cuDNN's choice of algorithm, so that a run can be
    repeated; it costs a little speed on a GPU and nothing on the CPU."""
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if deterministic:
        # cuBLAS reads this before its first use; without it deterministic matmuls warn.
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True, warn_only=True)
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False


def make_loader(x: Any, y: Any, batch_size: int = 64, shuffle: bool = True,
                seed: int = 0) -> "torch.utils.data.DataLoader":  # noqa: F821
    """Batches of (inputs, targets) from arrays or tensors x (N, ...) and y (N, ...).

    Integer targets become int64 (what cross-entropy expects) and float64 data float32 (what
    layers hold); the shuffle order depends only on `seed`."""
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    def convert(t: Any) -> Any:
        t = torch.as_tensor(t)
        return t.float() if t.dtype == torch.float64 else t

    xt, yt = convert(x), convert(y)
    if not yt.is_floating_point():
        yt = yt.long()
    pin = torch.cuda.is_available() and xt.device.type == "cpu"
    return DataLoader(TensorDataset(xt, yt), batch_size=batch_size, shuffle=shuffle,
                      generator=torch.Generator().manual_seed(seed), pin_memory=pin)


def accuracy(outputs: Any, targets: Any) -> float:
    """Fraction of rows of outputs (N, classes) whose largest score is at the target (N,)."""
    return (outputs.argmax(1) == targets).float().mean().item()


def _metric(metric: str | Metric | None) -> Metric | None:
    if metric == "accuracy":
        return accuracy
    if metric is None or callable(metric):
        return metric
    raise ValueError(_("unknown metric {metric}: use 'accuracy', None or a function (outputs, "
                       "targets) -> float").format(metric=repr(metric)))


@dataclass
class History:
    """Per-epoch means: loss and metric on the training set and, if given, the test set."""

    train_loss: list[float] = field(default_factory=list)
    train_metric: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    test_metric: list[float] = field(default_factory=list)

    def plot(self, fig: Any = None) -> Any:
        """Loss and metric against the epoch, train and test; draws into `fig` if given."""
        import matplotlib.pyplot as plt

        fig = fig or plt.figure(figsize=(9, 3.2))
        fig.clear()
        axes = fig.subplots(1, 2)
        titles = {"loss": _("loss"), "metric": _("metric")}
        legends = {"train": _("train"), "test": _("test")}
        for ax, name in zip(axes, ("loss", "metric")):
            for part, style in (("train", "-o"), ("test", "-s")):
                values = getattr(self, f"{part}_{name}")
                if values and not all(np.isnan(values)):
                    ax.plot(range(1, len(values) + 1), values, style, label=legends[part], ms=4)
            ax.set_xlabel(_("epoch"))
            ax.set_title(titles[name])
            if ax.lines:
                ax.legend()
        fig.tight_layout()
        return fig


def _batches(loader: Any, device: Any) -> Any:
    for x, y in loader:
        yield x.to(device, non_blocking=True), y.to(device, non_blocking=True)


def evaluate(model: Any, loader: Any, loss_fn: Callable | None = None,
             metric: str | Metric | None = "accuracy",
             device: Any = None) -> tuple[float, float]:
    """Mean loss and mean metric of `model` over `loader` (weighted by batch size).

    Runs in eval mode without gradients, on `device` or else where the model's parameters
    are; the metric is NaN when `metric` is None."""
    import torch

    loss_fn = loss_fn or torch.nn.functional.cross_entropy
    metric_fn = _metric(metric)
    if device is None:
        device = next((p.device for p in model.parameters()), torch.device("cpu"))
    was_training = model.training
    model.to(device).eval()
    total = loss_sum = metric_sum = 0.0
    with torch.no_grad():
        for x, y in _batches(loader, device):
            out = model(x)
            loss_sum += loss_fn(out, y).item() * len(x)
            metric_sum += metric_fn(out, y) * len(x) if metric_fn else 0.0
            total += len(x)
    model.train(was_training)
    return loss_sum / total, (metric_sum / total if metric_fn else float("nan"))


def _optimizer(name: Any, params: Any, lr: float) -> Any:
    import torch

    if isinstance(name, torch.optim.Optimizer):
        return name
    choices = {"adam": lambda: torch.optim.Adam(params, lr=lr),
               "adamw": lambda: torch.optim.AdamW(params, lr=lr),
               "sgd": lambda: torch.optim.SGD(params, lr=lr, momentum=0.9)}
    if name not in choices:
        raise ValueError(_("unknown optimizer {name}: use one of {choices} or a "
                           "torch.optim.Optimizer").format(name=repr(name),
                                                           choices=", ".join(choices)))
    return choices[name]()


def fit(model: Any, train: Any, test: Any = None, *, epochs: int = 1, lr: float = 1e-3,
        optimizer: Any = "adam", loss_fn: Callable | None = None,
        metric: str | Metric | None = "accuracy", device: Any = None, progress: bool = True,
        plot: bool = False, seed: int = 0) -> History:
    """Train `model` on the batches of `train` for `epochs` epochs; return its History.

    `train`/`test` are DataLoaders of (inputs, targets); `loss_fn` defaults to cross-entropy
    on (N, classes) scores and (N,) labels. `progress` shows a tqdm bar (nothing at all is
    printed when False); `plot` redraws the curves after each epoch in a notebook. The
    model stays on `device` (default: `pick_device()`) afterwards."""
    import torch
    from tqdm.auto import tqdm

    seed_everything(seed)
    device = device or pick_device()
    loss_fn = loss_fn or torch.nn.functional.cross_entropy
    metric_fn = _metric(metric)
    model.to(device)
    opt = _optimizer(optimizer, model.parameters(), lr)
    history, live = History(), _LivePlot() if plot else None
    bar = tqdm(total=epochs * len(train), disable=not progress, unit="batch")
    for epoch in range(1, epochs + 1):
        bar.set_description(_("epoch {epoch}/{epochs}").format(epoch=epoch, epochs=epochs))
        model.train()
        total = loss_sum = metric_sum = 0.0
        for x, y in _batches(train, device):
            opt.zero_grad(set_to_none=True)
            out = model(x)
            loss = loss_fn(out, y)
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(x)
            metric_sum += metric_fn(out.detach(), y) * len(x) if metric_fn else 0.0
            total += len(x)
            bar.update()
            bar.set_postfix(loss=f"{loss.item():.3f}", refresh=False)
        history.train_loss.append(loss_sum / total)
        history.train_metric.append(metric_sum / total if metric_fn else float("nan"))
        if test is not None:
            test_loss, test_metric = evaluate(model, test, loss_fn, metric, device)
            history.test_loss.append(test_loss)
            history.test_metric.append(test_metric)
            bar.set_postfix(test_loss=f"{test_loss:.3f}", test_metric=f"{test_metric:.3f}")
        if live:
            live.update(history)
    bar.close()
    if live:
        live.close()
    return history


class _LivePlot:
    """Curves redrawn in place in a notebook after each epoch (does nothing elsewhere)."""

    def __init__(self) -> None:
        self.fig = self.handle = None

    def update(self, history: History) -> None:
        try:
            from IPython.display import display
        except ImportError:
            return
        self.fig = history.plot(self.fig)
        if self.handle is None:
            self.handle = display(self.fig, display_id=True)
        else:
            self.handle.update(self.fig)

    def close(self) -> None:
        import matplotlib.pyplot as plt

        if self.fig is not None:
            plt.close(self.fig)  # already shown: keep the inline backend from drawing it twice


# ---------------------------------------------------------------------------------------------
# Checkpoints
# ---------------------------------------------------------------------------------------------

def save_checkpoint(model: Any, path: str | Path, **meta: Any) -> None:
    """Save the model's weights (on the CPU) and `meta` (numbers, strings, lists, dicts)."""
    import torch

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    torch.save({"state_dict": state, "meta": meta}, path)


def load_checkpoint(model: Any, path: str | Path) -> dict:
    """Load weights saved by `save_checkpoint` into `model`; return the saved meta.

    Tensors are matched by name or, when the names differ, by place if every shape agrees
    (layers named differently but built in the same order). Only tensors and plain data are
    read (weights_only=True). Raises FileNotFoundError or ValueError naming the file."""
    import torch

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(_("checkpoint {path} not found: make it with `python "
                                  "scripts/train_checkpoints.py`, or train the model (FULL = "
                                  "True in the notebook)").format(path=path))
    try:
        saved = torch.load(path, map_location="cpu", weights_only=True)
        state, meta = saved["state_dict"], saved.get("meta", {})
    except Exception as exc:  # a corrupt or foreign file: say which, and why
        raise ValueError(_("checkpoint {path} cannot be read ({error}: {message}); delete it "
                           "and train again").format(
                               path=path, error=type(exc).__name__,
                               message=str(exc).splitlines()[0] if str(exc) else "")) from None
    try:
        model.load_state_dict(state)
    except RuntimeError as exc:
        ours = model.state_dict()
        if [v.shape for v in ours.values()] != [v.shape for v in state.values()]:
            detail = " ".join(str(exc).split())[:300]
            raise ValueError(_("checkpoint {path} does not fit this {model}: {detail}").format(
                path=path, model=type(model).__name__, detail=detail)) from None
        # Same tensors in the same order under other names (e.g. an nn.Sequential): by place.
        model.load_state_dict(dict(zip(ours, state.values())))
    return meta


def load_or_train(model: Any, path: str | Path, train_fn: Callable[[], Any],
                  retrain: bool = False) -> dict:
    """Load a checkpoint or train: if `path` is missing (or `retrain`, e.g. the notebook's
    FULL switch), call `train_fn()` (which trains `model` in place), save, and return the meta.

    `train_fn` may return a dict of meta data, a History (stored as its lists) or None."""
    if Path(path).exists() and not retrain:
        return load_checkpoint(model, path)
    result = train_fn()
    meta = asdict(result) if isinstance(result, History) else dict(result or {})
    save_checkpoint(model, path, **meta)
    return meta
