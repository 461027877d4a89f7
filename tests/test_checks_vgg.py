"""Notebook 10 checks: right models pass, each typical mistake gets its diagnosis."""
import pytest
from torch import nn

from course.checks.model_adapters import leaf_output_shapes
from course.checks.vgg import (check_vgg_features, check_vgg_model, check_vgg_receptive_field,
                               check_vgg_stack_params)
from checking import fails_with
from mutations.harness import run as run_check


def make_vgg_features(cfg, in_channels=3, padding=1, relu=True, bias=True, pool_stride=2):
    layers = []
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(2, pool_stride))
        else:
            layers.append(nn.Conv2d(in_channels, v, 3, padding=padding, bias=bias))
            layers += [nn.ReLU(inplace=True)] if relu else []
            in_channels = v
    return nn.Sequential(*layers)


def make_vgg(cfg, num_classes=1000, in_channels=3, image_size=224, hidden=4096, relu=True,
             flat_size=None, dropout=True):
    side = image_size // 2 ** cfg.count("M")
    last = [v for v in cfg if v != "M"][-1]
    act = (lambda: nn.ReLU(inplace=True)) if relu else nn.Identity
    drop = nn.Dropout if dropout else nn.Identity
    return nn.Sequential(make_vgg_features(cfg, in_channels), nn.Flatten(),
                         nn.Linear(flat_size or last * side * side, hidden), act(),
                         drop(), nn.Linear(hidden, hidden), act(), drop(),
                         nn.Linear(hidden, num_classes))


@pytest.mark.parametrize("seed", [0, 2026])
def test_right_answers_pass_visible_and_hidden(seed):
    for check, answer in ((check_vgg_receptive_field, lambda n, k=3: 1 + n * (k - 1)),
                          (check_vgg_stack_params, lambda c, n, k=3: n * k * k * c * c),
                          (check_vgg_features, make_vgg_features), (check_vgg_model, make_vgg)):
        for hidden in (False, True):
            passed, text = run_check(check, answer, hidden, seed)
            assert passed, text


def test_leaf_output_shapes_adapter():
    rows = leaf_output_shapes(make_vgg_features, (2, 3, 8, 6), [4, "M"], 3)
    assert rows.tolist() == [[2, 4, 8, 6], [2, 4, 4, 3]]


@pytest.mark.parametrize("fn, words", [
    (lambda n, k=3: n * k, "overlap"),
    (lambda n, k=3: k ** n, "addition"),
    (lambda n, k=3: n * (k - 1), "start from 1"),
])
def test_receptive_field_mistakes(fn, words, capsys):
    fails_with(check_vgg_receptive_field, fn, words, capsys)


@pytest.mark.parametrize("fn, words", [
    (lambda c, n, k=3: n * (k * k * c * c + c), "no biases"),
    (lambda c, n, k=3: k * k * c * c, "one layer"),
    (lambda c, n, k=3: n * k * k * c, "all C input channels"),
])
def test_stack_params_mistakes(fn, words, capsys):
    fails_with(check_vgg_stack_params, fn, words, capsys)


@pytest.mark.parametrize("kwargs, words", [
    (dict(padding=0), "padding=1"),
    (dict(relu=False), "ReLU is missing"),
    (dict(bias=False), "has a bias"),
    (dict(pool_stride=1), "halve H and W"),
])
def test_vgg_features_mistakes(kwargs, words, capsys):
    fails_with(check_vgg_features, lambda cfg, c=3: make_vgg_features(cfg, c, **kwargs), words,
               capsys)


def test_vgg_features_ignores_in_channels(capsys):
    fails_with(check_vgg_features, lambda cfg, c=3: make_vgg_features(cfg, 3),
               "not always 3", capsys)


def test_vgg_model_flatten_size(capsys):
    def wrong(cfg, num_classes=1000, in_channels=3, image_size=224, hidden=4096):
        last = [v for v in cfg if v != "M"][-1]
        return make_vgg(cfg, num_classes, in_channels, image_size, hidden,
                        flat_size=last * image_size ** 2)
    fails_with(check_vgg_model, wrong, "flattened last maps", capsys)


def test_vgg_model_without_relu(capsys):
    fails_with(check_vgg_model, lambda cfg, **kw: make_vgg(cfg, relu=False, **kw),
               "a ReLU is missing", capsys)


def test_vgg_model_without_dropout_fails_in_training_mode_only(capsys):
    out = fails_with(check_vgg_model, lambda cfg, **kw: make_vgg(cfg, dropout=False, **kw),
                     "dropout is missing", capsys, may_raise=False)
    assert "3 of 9 cases fail" in out and out.count("in training mode (dropout on") == 3
