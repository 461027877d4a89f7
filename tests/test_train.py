"""course.train: seeds, loaders, the training loop, evaluation and checkpoints."""
import numpy as np
import pytest
import torch
from torch import nn

from course import train


def blobs(n=200, seed=0):
    """Two separable classes of 2D points: x (n, 2) float32, y (n,) int."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = (rng.normal(size=(n, 2)) + 3 * y[:, None]).astype(np.float32)
    return x, y


def test_seed_everything_repeats_and_sets_determinism():
    train.seed_everything(3)
    a = torch.rand(3)
    train.seed_everything(3)
    assert torch.equal(a, torch.rand(3))
    assert torch.are_deterministic_algorithms_enabled()
    assert torch.backends.cudnn.deterministic and not torch.backends.cudnn.benchmark
    train.seed_everything(3, deterministic=False)  # leaves the flags as they were


def test_make_loader_from_arrays():
    x, y = blobs(10)
    loader = train.make_loader(x, y, batch_size=4, seed=1)
    batches = list(loader)
    assert [len(b[0]) for b in batches] == [4, 4, 2]
    assert batches[0][1].dtype == torch.int64 and batches[0][0].dtype == torch.float32
    again = [b[1].tolist() for b in train.make_loader(x, y, batch_size=4, seed=1)]
    assert again == [b[1].tolist() for b in batches]
    in_order = next(iter(train.make_loader(x, y, batch_size=10, shuffle=False)))[1]
    assert in_order.tolist() == list(y)


def test_fit_learns_and_is_reproducible(capsys):
    x, y = blobs()
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        model = nn.Linear(2, 2)
        h = train.fit(model, train.make_loader(x, y, 32), train.make_loader(x, y, 64, False),
                      epochs=3, lr=0.1, progress=False, device="cpu")
        runs.append(h)
    h = runs[0]
    assert len(h.train_loss) == len(h.test_metric) == 3
    assert h.test_metric[-1] > 0.85 and h.train_loss[-1] < h.train_loss[0]
    assert runs[0] == runs[1]
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_fit_shows_progress_only_when_asked(capsys):
    x, y = blobs(64)
    train.fit(nn.Linear(2, 2), train.make_loader(x, y, 32), epochs=1, device="cpu")
    assert "epoch 1/1" in capsys.readouterr().err


def test_fit_with_custom_metric_loss_and_optimizer():
    x, y = blobs()
    target = y.astype(np.float32)[:, None]
    mse = nn.functional.mse_loss
    h = train.fit(nn.Linear(2, 1), train.make_loader(x, target), epochs=2, lr=0.05,
                  optimizer="sgd", loss_fn=mse, metric=lambda o, t: float((o - t).abs().mean()),
                  progress=False, device="cpu")
    assert h.train_metric[-1] < h.train_metric[0]
    h = train.fit(nn.Linear(2, 2), train.make_loader(*blobs()), metric=None, progress=False,
                  device="cpu")
    assert np.isnan(h.train_metric[0]) and h.test_loss == []
    with pytest.raises(ValueError, match="unknown optimizer"):
        train.fit(nn.Linear(2, 2), train.make_loader(*blobs()), optimizer="lbfgs",
                  progress=False)


def test_evaluate_weights_batches_and_restores_mode():
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
    x, y = blobs(10)
    loss, acc = train.evaluate(model, train.make_loader(x, y, batch_size=3, shuffle=False))
    with torch.no_grad():
        model.eval()
        out = model(torch.tensor(x))
    expected = (out.argmax(1).numpy() == y).mean()
    assert acc == pytest.approx(expected)
    assert loss == pytest.approx(nn.functional.cross_entropy(out, torch.tensor(y)).item(),
                                 rel=1e-5)
    model.train()
    train.evaluate(model, train.make_loader(x, y))
    assert model.training


def test_history_plot():
    h = train.History([1.0, 0.5], [0.5, 0.8], [1.1, 0.6], [0.4, 0.7])
    fig = h.plot()
    assert [len(ax.lines) for ax in fig.axes] == [2, 2]
    assert h.plot(fig) is fig


def test_checkpoint_round_trip(tmp_path):
    model = nn.Linear(3, 2)
    train.save_checkpoint(model, tmp_path / "sub" / "m.pt", accuracy=0.9, epochs=[1, 2])
    other = nn.Linear(3, 2)
    meta = train.load_checkpoint(other, tmp_path / "sub" / "m.pt")
    assert meta == {"accuracy": 0.9, "epochs": [1, 2]}
    assert torch.equal(other.weight, model.weight)


def test_checkpoint_loads_by_place_when_names_differ(tmp_path):
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    train.save_checkpoint(model, tmp_path / "m.pt")

    class Named(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2 = nn.Linear(3, 4), nn.Linear(4, 2)

    other = Named()
    train.load_checkpoint(other, tmp_path / "m.pt")
    assert torch.equal(other.fc2.bias, model[2].bias)


def test_checkpoint_errors_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.pt"):
        train.load_checkpoint(nn.Linear(3, 2), tmp_path / "missing.pt")
    train.save_checkpoint(nn.Linear(3, 2), tmp_path / "small.pt")
    with pytest.raises(ValueError, match="small.pt does not fit this Linear"):
        train.load_checkpoint(nn.Linear(4, 2), tmp_path / "small.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="junk.pt cannot be read"):
        train.load_checkpoint(nn.Linear(3, 2), tmp_path / "junk.pt")


def test_load_or_train(tmp_path):
    calls = []

    def train_fn():
        calls.append(1)
        with torch.no_grad():
            model.weight.fill_(len(calls))
        return train.History(train_loss=[0.5])

    model, path = nn.Linear(2, 2), tmp_path / "m.pt"
    assert train.load_or_train(model, path, train_fn)["train_loss"] == [0.5]
    assert train.load_or_train(nn.Linear(2, 2), path, train_fn)["train_loss"] == [0.5]
    assert len(calls) == 1
    train.load_or_train(model, path, train_fn, retrain=True)
    fresh = nn.Linear(2, 2)
    train.load_checkpoint(fresh, path)
    assert len(calls) == 2 and fresh.weight.eq(2).all()
