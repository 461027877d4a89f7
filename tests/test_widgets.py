"""The explorers' logic (plain functions, checked against PyTorch) and their widgets, without a
browser: each control changes what is displayed, reprs are stable for nbval."""
import itertools

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course import data
from course.widgets import (KERNELS, LECTURE_GRID, activation_explorer, activation_maps,
                            apply_kernel, arithmetic_explorer, conv_output_size,
                            conv_pool_layers, equivariance_explorer, filter_explorer, pool,
                            pooling_explorer, receptive_field, shift, shift_report,
                            shifted_maps)

RNG = np.random.default_rng(2026)


def test_conv_output_size_matches_pytorch():
    for n, k, s, p, d in itertools.product((1, 5, 10), (1, 2, 4), (1, 3), (0, 2), (1, 3)):
        expected = conv_output_size(n, k, s, p, d)
        if n + 2 * p < d * (k - 1) + 1:
            assert expected <= 0  # PyTorch raises: the dilated kernel does not fit
            continue
        out = F.conv1d(torch.zeros(1, 1, n), torch.zeros(1, 1, k), stride=s, padding=p,
                       dilation=d)
        assert out.shape[-1] == expected, (n, k, s, p, d)


def test_conv_output_size_lecture_examples():
    assert conv_output_size(4, 2) == 3  # (1, 2, 3, 4) * (3, 2) = (7, 12, 17)
    assert conv_output_size(10, 4) == 7  # the lecture's 1D figure: 7 values, so stride 1
    assert conv_output_size(10, 4, stride=2) == 4


def torch_field_1d(n, k, s, p, d, out_pos):
    """Inputs whose gradient is non-zero for one output: PyTorch's own receptive field."""
    x = torch.zeros(1, 1, n, requires_grad=True)
    F.conv1d(x, torch.ones(1, 1, k), stride=s, padding=p, dilation=d)[0, 0, out_pos].backward()
    return set(np.flatnonzero(x.grad[0, 0].numpy()))


def test_receptive_field_1d_matches_pytorch_gradients():
    for n, k, s, p, d in [(10, 4, 1, 0, 1), (10, 4, 2, 1, 1), (9, 3, 2, 2, 2), (7, 2, 3, 1, 3)]:
        for out_pos in range(conv_output_size(n, k, s, p, d)):
            field = receptive_field(out_pos, k, s, p, d)
            assert field.shape == (k,)
            assert set(field[(field >= 0) & (field < n)]) == torch_field_1d(n, k, s, p, d,
                                                                              out_pos)


def test_receptive_field_2d_matches_pytorch_gradients():
    x = torch.zeros(1, 1, 7, 9, requires_grad=True)
    kw = dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2))
    F.conv2d(x, torch.ones(1, 1, 3, 2), **kw)[0, 0, 2, 3].backward()
    rows, cols = receptive_field((2, 3), (3, 2), **kw)
    assert rows.tolist() == [3, 4, 5] and cols.tolist() == [1, 3]
    mask = np.zeros((7, 9), bool)
    mask[np.ix_(rows, cols)] = True
    assert (mask == (x.grad[0, 0].numpy() != 0)).all()


def test_apply_kernel_is_cross_correlation_like_the_lecture():
    x = RNG.normal(size=(6, 8)).astype(np.float32)
    k = RNG.normal(size=(2, 3)).astype(np.float32)
    loops = np.array([[np.sum(x[i:i + 2, j:j + 3] * k) for j in range(6)] for i in range(5)])
    z = apply_kernel(x, k)
    assert z.shape == (5, 6) and z.dtype == np.float32
    np.testing.assert_allclose(z, loops, rtol=1e-5, atol=1e-5)
    assert apply_kernel(x, k, stride=2, padding=1, dilation=2).shape == (
        conv_output_size(6, 2, 2, 1, 2), conv_output_size(8, 3, 2, 1, 2))


def test_edge_kernels_give_the_sign_of_the_edge():
    bright_below = np.zeros((8, 8), np.float32)  # the top edge of a bright object
    bright_below[4:] = 1
    assert apply_kernel(bright_below, KERNELS["top edge"]).max() == 3
    assert apply_kernel(bright_below, KERNELS["top edge"]).min() == 0
    assert apply_kernel(bright_below[::-1], KERNELS["bottom edge"]).max() == 3
    assert apply_kernel(bright_below.T, KERNELS["left edge"]).max() == 3
    assert apply_kernel(bright_below.T[:, ::-1], KERNELS["right edge"]).max() == 3
    bright_above = bright_below[::-1]
    assert apply_kernel(bright_above, KERNELS["top edge"]).max() == 0
    np.testing.assert_array_equal(apply_kernel(bright_above, KERNELS["identity"]),
                                  bright_above[1:-1, 1:-1])


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_pool_matches_loops(mode):
    x = RNG.normal(size=(9, 7)).astype(np.float32)
    reduce = np.max if mode == "max" else np.mean
    for window, stride in [(2, None), (3, 2), ((2, 3), (1, 2))]:
        (h, w), (s, t) = [(v, v) if isinstance(v, int) else v
                          for v in (window, stride or window)]
        loops = np.array([[reduce(x[i:i + h, j:j + w]) for j in range(0, 7 - w + 1, t)]
                          for i in range(0, 9 - h + 1, s)])
        np.testing.assert_allclose(pool(x, mode, window, stride), loops, rtol=1e-5, atol=1e-6)


def test_pool_on_the_lecture_grid_and_bad_mode():
    assert LECTURE_GRID.shape == (7, 7)
    np.testing.assert_array_equal(pool(LECTURE_GRID, "max", 3, 2), [[3, 5, 7]] * 3)
    np.testing.assert_array_equal(pool(LECTURE_GRID, "avg", 3, 2), [[2, 4, 6]] * 3)
    with pytest.raises(ValueError, match="mode"):
        pool(LECTURE_GRID, "median")


def test_shift_moves_and_fills_with_zeros():
    x = np.arange(1, 13, dtype=np.float32).reshape(3, 4)
    np.testing.assert_array_equal(shift(x, 1, 0), [[0, 1, 2, 3], [0, 5, 6, 7], [0, 9, 10, 11]])
    np.testing.assert_array_equal(shift(x, -1, -1), [[6, 7, 8, 0], [10, 11, 12, 0], [0] * 4])
    np.testing.assert_array_equal(shift(x, 0, 0), x)
    assert not shift(x, 4, 0).any() and shift(x, 0, 2).dtype == np.float32
    assert x[0, 0] == 1  # the input is not modified


def test_convolution_is_equivariant_and_pooling_almost_invariant():
    img = data.image("camera", gray=True, size=128)
    for dx, dy in [(1, 0), (0, -2), (3, 3)]:
        r = shift_report(shifted_maps(img, KERNELS["top edge"], dx, dy, "max", 8), dx, dy, 3)
        assert r["equivariance_error"] < 1e-6
        assert r["pool_change"] < r["conv_change"]
    r0 = shift_report(shifted_maps(img, KERNELS["blur"], 0, 0), 0, 0, 3)
    assert r0 == {"conv_change": 0.0, "equivariance_error": 0.0, "pool_change": 0.0}


class Tiny(nn.Module):
    """LeNet-like: conv, pool (module and functional), conv, dense."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                                      nn.Conv2d(6, 20, 5), nn.Tanh())
        self.head = nn.Linear(20 * 5 * 5, 10)

    def forward(self, x):
        return self.head(F.avg_pool2d(self.features(x), 2).flatten(1))


@pytest.fixture
def tiny():
    torch.manual_seed(0)
    return Tiny().train()


def test_activation_maps_of_every_conv_and_pool_layer(tiny):
    assert conv_pool_layers(tiny) == ["features.0", "features.2", "features.3"]
    digit = data.mnist_subset()[0][0] / np.float32(255)
    maps = activation_maps(tiny, digit, conv_pool_layers(tiny))
    assert {k: v.shape for k, v in maps.items()} == {
        "features.0": (6, 28, 28), "features.2": (6, 14, 14), "features.3": (20, 10, 10)}
    expected = tiny.features[0](torch.from_numpy(digit)[None, None])[0].detach().numpy()
    np.testing.assert_allclose(maps["features.0"], expected, rtol=1e-5, atol=1e-6)
    assert tiny.training and not tiny.features[0]._forward_hooks  # left as it was
    same = activation_maps(tiny, torch.from_numpy(digit)[None, None].repeat(3, 1, 1, 1),
                           "features.2")
    np.testing.assert_allclose(same, maps["features.2"], rtol=1e-6)


def test_activation_maps_of_colour_images_and_1d_layers():
    torch.manual_seed(0)
    rgb = nn.Sequential(nn.Conv2d(3, 4, 3), nn.AdaptiveAvgPool2d(2))
    maps = activation_maps(rgb, data.image("coffee", size=32), ["0", "1"])  # (H, W, 3)
    assert maps["0"].shape == (4, 30, 30) and maps["1"].shape == (4, 2, 2)
    conv1d = nn.Sequential(nn.Conv1d(2, 3, 3))
    assert activation_maps(conv1d, torch.zeros(2, 10), "0").shape == (3, 1, 8)


def shown(explorer) -> list:
    """What the explorer displays: the values of its Image and HTML widgets, in order."""
    def walk(w):
        yield w
        for child in getattr(w, "children", ()):
            yield from walk(child)
    return [w.value for w in walk(explorer)
            if type(w).__name__ in ("Image", "HTML") and w not in explorer.controls.values()]


def text(explorer) -> str:
    return "".join(v for v in shown(explorer) if isinstance(v, str))


def moved(explorer, name, value) -> bool:
    before = shown(explorer)
    explorer.controls[name].value = value
    return shown(explorer) != before


def test_explorers_reprs_are_short_and_stable(tiny):
    for build in (filter_explorer, arithmetic_explorer, pooling_explorer, equivariance_explorer,
                  lambda: activation_explorer(tiny, np.zeros((28, 28), np.float32))):
        a, b = build(), build()
        text = a._repr_mimebundle_()["text/plain"]
        assert text == repr(b) and len(text) <= 110 and "0x" not in text
        assert "application/vnd.jupyter.widget-view+json" in a._repr_mimebundle_()
    assert not plt.get_fignums()  # no matplotlib figure left open


def test_filter_explorer_presets_and_custom_kernel():
    e = filter_explorer(size=64)
    assert moved(e, "kernel", "Sobel x")
    assert [e.controls[f"k{i}{j}"].value for i in range(3) for j in range(3)] == \
        KERNELS["Sobel x"].ravel().tolist()
    assert moved(e, "k11", 4.0) and e.controls["kernel"].value == "custom"
    assert moved(e, "k11", 0.0) and e.controls["kernel"].value == "Sobel x"  # matched again
    for name, value in [("image", "coins"), ("size", 96), ("relu", True)]:
        assert moved(e, name, value), name


def test_arithmetic_explorer_follows_the_formula():
    e = arithmetic_explorer(dims=2, size=7, kernel=3, padding=1, stride=2)
    assert e.controls["position"].max == 4 * 4 - 1
    assert moved(e, "position", 5)
    assert "output (1, 1) reads input indices [1, 2, 3] × [1, 2, 3]" in text(e)
    for name, value in [("size", 9), ("kernel", 2), ("padding", 0), ("stride", 1),
                        ("dilation", 2), ("dims", 1)]:
        assert moved(e, name, value), name
    assert e.controls["position"].max == conv_output_size(9, 2, 1, 0, 2) - 1
    e.controls["kernel"].value = 5
    e.controls["dilation"].value = 3
    assert "no output at all" in text(e) and e.controls["position"].max == 0


def test_pooling_explorer_grid_and_image():
    e = pooling_explorer()
    assert "⌊(7 − 3) / 2⌋ + 1 = <b>3</b>" in text(e)
    for name, value in [("position", 4), ("mode", "avg"), ("window", 2), ("stride", 1)]:
        assert moved(e, name, value), name
    assert moved(e, "source", "camera") and e.children[0].children[1].children[0].layout.display \
        == "none"
    assert moved(e, "window", 8)


def test_equivariance_explorer_reports_the_measures():
    e = equivariance_explorer(size=64)
    assert "<b>0.000</b>; of the pooled map: <b>0.000</b>" in text(e)
    for name, value in [("dx", 2), ("dy", -3), ("window", 4), ("mode", "avg"),
                        ("kernel", "Sobel y"), ("image", "moon")]:
        assert moved(e, name, value), name


def test_activation_explorer_pages_through_channels(tiny):
    e = activation_explorer(tiny, data.mnist_subset()[0][0] / np.float32(255), per_page=4)
    assert e.controls["layer"].options == ("features.0", "features.2", "features.3")
    assert e.controls["page"].max == 1
    assert moved(e, "page", 1)
    assert moved(e, "layer", "features.3") and e.controls["page"].max == 4
    with pytest.raises(ValueError, match="no convolution"):
        activation_explorer(nn.Linear(3, 2), np.zeros(3, np.float32))
