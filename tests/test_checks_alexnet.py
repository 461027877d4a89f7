"""Notebook 09 checks: right models pass, each typical mistake gets its diagnosis; AlexNet's
check stays affordable."""
import time

import numpy as np
import pytest
import torch
from torch import nn

from course.checks.adapters import feature_map_shapes
from course.checks.alexnet import (check_alexnet, check_alexnet_torchvision, check_feature_maps,
                                   check_grouped_conv_params)
from course.checks.calling import AnswerTypeError
from course.checks.fixed_weights import fixed_values
from checking import fails_with
from mutations.harness import run as run_check


def alexnet_features(channels, pad1=0, pool5=True):
    c = (3, *channels)
    layers = [nn.Conv2d(3, c[1], 11, 4, pad1), nn.ReLU(), nn.MaxPool2d(3, 2),
              nn.Conv2d(c[1], c[2], 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2)]
    for i in (2, 3, 4):
        layers += [nn.Conv2d(c[i], c[i + 1], 3, padding=1), nn.ReLU()]
    return nn.Sequential(*layers, *([nn.MaxPool2d(3, 2)] if pool5 else []))


class AlexNet(nn.Module):
    def __init__(self, num_classes=1000, channels=(96, 256, 384, 384, 256), pool5=True):
        super().__init__()
        self.features = alexnet_features(channels, pool5=pool5)
        side = 6 if pool5 else 13
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Dropout(), nn.Linear(side * side * channels[-1], 4096), nn.ReLU(),
            nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, num_classes))

    def forward(self, x):
        return self.classifier(self.features(x))


class TorchvisionAlexNet(nn.Module):
    def __init__(self, num_classes=1000, channels=(64, 192, 384, 256, 256)):
        super().__init__()
        self.features = alexnet_features(channels, pad1=2)
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = AlexNet(num_classes, channels).classifier

    def forward(self, x):
        return self.classifier(self.avgpool(self.features(x)))


def grouped_conv_params(k, c_in, c_out, groups=1):
    return k * k * (c_in // groups) * c_out + c_out


def feature_maps(model, x):
    maps, handles = [], []
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.MaxPool2d)):
            handles.append(m.register_forward_hook(
                lambda mod, inp, out: maps.append(out.detach().clone())))
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return maps


@pytest.mark.parametrize("seed", [0, 2026])
def test_right_answers_pass_visible_and_hidden(seed):
    for check, answer in ((check_grouped_conv_params, grouped_conv_params),
                          (check_feature_maps, feature_maps)):
        for hidden in (False, True):
            passed, text = run_check(check, answer, hidden, seed)
            assert passed, text


def test_alexnets_pass():  # big models: one seed, visible and hidden
    for hidden in (False, True):
        for check, answer in ((check_alexnet, AlexNet),
                              (check_alexnet_torchvision, TorchvisionAlexNet)):
            passed, text = run_check(check, answer, hidden, 1)
            assert passed, text


def test_alexnet_check_is_affordable():
    """The lecture's AlexNet has 62 million parameters and its output with fixed weights is
    computed in float64: the check must stay about a second or two on a laptop. Measured in
    CPU time of this process (a busy test machine stretches the wall clock), once the visible
    cases are built; a generous bound against a regression to many seconds."""
    run_check(check_alexnet, AlexNet)
    start = time.process_time()
    passed, text = run_check(check_alexnet, AlexNet)
    assert passed, text
    assert time.process_time() - start < 4


def test_alexnet_mistakes(capsys):
    fails_with(check_alexnet, lambda n=1000: AlexNet(n, channels=(64, 192, 384, 256, 256)),
               "torchvision's channels", capsys)
    fails_with(check_alexnet, lambda n=1000: AlexNet(n, pool5=False), "third max-pool",
               capsys)

    class Grouped(AlexNet):
        def __init__(self, num_classes=1000):
            super().__init__(num_classes)
            for i, c in ((3, (96, 256)), (8, (384, 384)), (10, (384, 256))):
                self.features[i] = nn.Conv2d(*c, self.features[i].kernel_size,
                                             padding=self.features[i].padding, groups=2)
    fails_with(check_alexnet, Grouped, "two-GPU split", capsys)
    fails_with(check_alexnet_torchvision, AlexNet, "lecture's channels", capsys)


def test_alexnet_is_judged_by_what_it_computes(capsys):
    """Every count and shape of these is right: only the output with fixed weights, in
    evaluation and in training mode, tells them apart."""
    class NoDropout(AlexNet):
        def __init__(self, num_classes=1000):
            super().__init__(num_classes)
            self.classifier = nn.Sequential(*[m for m in self.classifier
                                              if not isinstance(m, nn.Dropout)])
    out = fails_with(check_alexnet, NoDropout, "dropout is missing", capsys, may_raise=False)
    assert "1 of 23 cases fail" in out and "training mode" in out

    class SmallPools(AlexNet):
        def __init__(self, num_classes=1000):
            super().__init__(num_classes)
            for i in (2, 5, 12):
                self.features[i] = nn.MaxPool2d(2)
    fails_with(check_alexnet, SmallPools, "3x3 with a stride of two", capsys, may_raise=False)


@pytest.mark.parametrize("fn, words", [
    (lambda k, c, f, g=1: (k * k * c * f + f) // g, "divided the biases too"),
    (lambda k, c, f, g=1: k * k * c * f + f, "groups split the input channels"),
    (lambda k, c, f, g=1: k * k * (c // g) * (f // g) + f, "divide by the groups once"),
])
def test_grouped_conv_params_mistakes(fn, words, capsys):
    fails_with(check_grouped_conv_params, fn, words, capsys)


def test_feature_maps_mistakes(capsys):
    def no_clone(model, x):
        maps, handles = [], []
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.MaxPool2d)):
                handles.append(m.register_forward_hook(lambda mod, i, o: maps.append(o)))
        with torch.no_grad():
            model(x)
        for h in handles:
            h.remove()
        return maps

    kept: list = []

    def hooks_left(model, x):
        kept.clear()
        if not getattr(model, "_hooked", False):
            model._hooked = True
            for m in model.modules():
                if isinstance(m, (nn.Conv2d, nn.MaxPool2d)):
                    m.register_forward_hook(lambda mod, i, o: kept.append(o.detach().clone()))
        with torch.no_grad():
            model(x)
        return list(kept)

    def one_list(model, x, maps=[]):  # noqa: B006  (the mistake under test)
        handles = [m.register_forward_hook(lambda mod, i, o: maps.append(o.detach().clone()))
                   for m in model.modules() if isinstance(m, (nn.Conv2d, nn.MaxPool2d))]
        with torch.no_grad():
            model(x)
        for h in handles:
            h.remove()
        return maps
    fails_with(check_feature_maps, no_clone, "overwrote the tensors", capsys)
    fails_with(check_feature_maps, hooks_left, "hooks are still on the model", capsys)
    fails_with(check_feature_maps, one_list, "the maps (or the hooks) of earlier calls", capsys)


def test_feature_map_shapes_of_every_module_are_padded():
    """An answer that hooks every module returns maps of 4 and 2 dimensions: their shapes are
    compared as rows of 4 (padded), not a crash of the check."""
    def every_module(model, x):
        maps = []
        handles = [m.register_forward_hook(lambda mod, i, o: maps.append(o.detach().clone()))
                   for m in model.modules()]
        with torch.no_grad():
            model(x)
        for h in handles:
            h.remove()
        return maps
    shapes = feature_map_shapes(every_module, 0, 14)
    assert shapes.shape == (8, 4) and shapes[-1].tolist() == [2, 45, 0, 0]
    with pytest.raises(AnswerTypeError, match="return a list"):
        feature_map_shapes(lambda model, x: model(x), 0, 14)


def test_fixed_values_are_deterministic_and_full_rank():
    """Weights that follow a pattern (a cosine of the index) make each layer's output a
    sinusoid across its channels, which hides mistakes; these are random-like."""
    w = fixed_values((64, 27))
    assert np.array_equal(w, fixed_values((64, 27)))
    assert np.linalg.matrix_rank(w) == 27
    big = fixed_values((300, 9216))  # longer than the period: rows are distinct shifts
    assert np.linalg.matrix_rank(big) == 300
    assert abs(big.std() * np.sqrt(9216 / 2) - 1) < 0.01  # variance 2 / fan-in
