"""Notebook 10-12 checks: right models pass, each typical mistake gets its diagnosis."""
import numpy as np
import pytest
import torch
from torch import nn

from course.checks import (check_resnet_basic_block, check_resnet_shortcut,
                           check_resnet_stage, check_unet_dice, check_unet_double_conv,
                           check_unet_iou, check_unet_up, check_vgg_features, check_vgg_model,
                           check_vgg_receptive_field, check_vgg_stack_params)
from course.checks.adapters import ADAPTERS
from checking import fails_with


# ----------------------------------------------------------------------------- right answers

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
             flat_size=None):
    side = image_size // 2 ** cfg.count("M")
    last = [v for v in cfg if v != "M"][-1]
    act = (lambda: nn.ReLU(inplace=True)) if relu else nn.Identity
    return nn.Sequential(make_vgg_features(cfg, in_channels), nn.Flatten(),
                         nn.Linear(flat_size or last * side * side, hidden), act(),
                         nn.Dropout(), nn.Linear(hidden, hidden), act(), nn.Dropout(),
                         nn.Linear(hidden, num_classes))


def shortcut(in_channels, out_channels, stride=1, bn=True, kernel=1):
    if stride == 1 and in_channels == out_channels:
        return nn.Identity()
    conv = nn.Conv2d(in_channels, out_channels, kernel, stride, kernel // 2, bias=False)
    return nn.Sequential(conv, nn.BatchNorm2d(out_channels)) if bn else conv


class BasicBlock(nn.Module):
    skip, relu_first, final_relu = True, False, True

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.shortcut = shortcut(in_channels, out_channels, stride)

    def forward(self, x):
        y = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        y = torch.relu(y) if self.relu_first else y
        y = y + self.shortcut(x) if self.skip else y
        return torch.relu(y) if self.final_relu else y


def make_stage(in_channels, out_channels, n_blocks, stride=1, block=BasicBlock):
    return nn.Sequential(block(in_channels, out_channels, stride),
                         *[block(out_channels, out_channels) for _ in range(n_blocks - 1)])


def double_conv(in_channels, out_channels, bn=True, bias=False):
    norm = (lambda: nn.BatchNorm2d(out_channels)) if bn else nn.Identity
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=bias), norm(),
                         nn.ReLU(inplace=True),
                         nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=bias), norm(),
                         nn.ReLU(inplace=True))


class Up(nn.Module):
    skip_first = True

    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.up = nn.ConvTranspose2d(in_channels, in_channels // 2, 2, stride=2)
        self.conv = double_conv(in_channels, out_channels)

    def forward(self, x, skip):
        x = self.up(x)
        return self.conv(torch.cat([skip, x] if self.skip_first else [x, skip], dim=1))


def dice_score(pred, target, threshold=0.5, axes=(1, 2, 3), hard=True, empty=1.0):
    p = (pred > threshold).astype(np.float64) if hard else pred.astype(np.float64)
    t = target.astype(np.float64)
    inter, total = (p * t).sum(axis=axes), p.sum(axis=axes) + t.sum(axis=axes)
    return float(np.mean(np.where(total > 0, 2 * inter / np.maximum(total, 1e-12), empty)))


def iou_score(pred, target, threshold=0.5, axes=(1, 2, 3), hard=True):
    p = (pred > threshold).astype(np.float64) if hard else pred.astype(np.float64)
    t = target.astype(np.float64)
    inter = (p * t).sum(axis=axes)
    union = p.sum(axis=axes) + t.sum(axis=axes) - inter
    return float(np.mean(np.where(union > 0, inter / np.maximum(union, 1e-12), 1.0)))


@pytest.fixture(autouse=True)
def _one_thread():
    """These tensors are tiny: threads only add overhead (and stall on a busy machine)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.parametrize("seed", [0, 2026])
def test_right_answers_pass_visible_and_hidden(seed, capsys):
    for hidden in (False, True):
        check_vgg_receptive_field(lambda n, k=3: 1 + n * (k - 1), hidden=hidden, seed=seed)
        check_vgg_stack_params(lambda c, n, k=3: n * k * k * c * c, hidden=hidden, seed=seed)
        check_vgg_features(make_vgg_features, hidden=hidden, seed=seed)
        check_vgg_model(make_vgg, hidden=hidden, seed=seed)
        check_resnet_shortcut(shortcut, hidden=hidden, seed=seed)
        check_resnet_basic_block(BasicBlock, hidden=hidden, seed=seed)
        check_resnet_stage(make_stage, hidden=hidden, seed=seed)
        check_unet_double_conv(double_conv, hidden=hidden, seed=seed)
        check_unet_up(Up, hidden=hidden, seed=seed)
        check_unet_dice(dice_score, hidden=hidden, seed=seed)
        check_unet_iou(iou_score, hidden=hidden, seed=seed)
    assert "✗" not in capsys.readouterr().out


def test_leaf_output_shapes_adapter():
    rows = ADAPTERS["leaf_output_shapes"](make_vgg_features, (2, 3, 8, 6), [4, "M"], 3)
    assert rows.tolist() == [[2, 4, 8, 6], [2, 4, 4, 3]]


def test_fixed_weights_forward_ignores_creation_order():
    class Reversed(BasicBlock):
        def __init__(self, i, o, s=1):
            nn.Module.__init__(self)
            self.shortcut = shortcut(i, o, s)
            self.bn2, self.conv2 = nn.BatchNorm2d(o), nn.Conv2d(o, o, 3, 1, 1, bias=False)
            self.bn1, self.conv1 = nn.BatchNorm2d(o), nn.Conv2d(i, o, 3, s, 1, bias=False)
    x = [np.random.default_rng(0).normal(size=(1, 2, 5, 5))]
    a = ADAPTERS["fixed_weights_forward"](BasicBlock, x, 2, 4, 2)
    b = ADAPTERS["fixed_weights_forward"](Reversed, x, 2, 4, 2)
    assert np.array_equal(a, b)


# ----------------------------------------------------------------------------- VGG mistakes

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


# ----------------------------------------------------------------------------- ResNet mistakes

@pytest.mark.parametrize("kwargs, words", [
    (dict(bn=False), "batch norm"),
    (dict(kernel=3), "1x1 kernel"),
])
def test_shortcut_mistakes(kwargs, words, capsys):
    fails_with(check_resnet_shortcut, lambda i, o, s=1: shortcut(i, o, s, **kwargs), words,
               capsys)


def test_shortcut_without_stride(capsys):
    fails_with(check_resnet_shortcut, lambda i, o, s=1: shortcut(i, o, 1) if (i, s) != (o, 1)
               else nn.Identity(), "the block's stride", capsys)


@pytest.mark.parametrize("attr, value, words", [
    ("skip", False, "skip connection is missing"),
    ("relu_first", True, "ReLU before the addition"),
    ("final_relu", False, "after the addition is missing"),
])
def test_basic_block_forward_mistakes(attr, value, words, capsys):
    wrong = type("Wrong", (BasicBlock,), {attr: value})
    fails_with(check_resnet_basic_block, wrong, words, capsys)


def test_basic_block_shortcut_created_first(capsys):
    class Early(BasicBlock):
        def __init__(self, i, o, s=1):
            nn.Module.__init__(self)
            self.shortcut = shortcut(i, o, s)
            self.conv1 = nn.Conv2d(i, o, 3, s, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(o)
            self.conv2 = nn.Conv2d(o, o, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(o)
    fails_with(check_resnet_basic_block, Early, "another order", capsys)


def test_stage_stride_on_every_block(capsys):
    def wrong(i, o, n, s=1):
        return nn.Sequential(BasicBlock(i, o, s), *[BasicBlock(o, o, s) for _ in range(n - 1)])
    fails_with(check_resnet_stage, wrong, "only the first block of a stage has the stride",
               capsys)


def test_stage_every_block_from_in_channels(capsys):
    fails_with(check_resnet_stage, lambda i, o, n, s=1: nn.Sequential(
        *[BasicBlock(i, o, s) for _ in range(n)]), "raised RuntimeError", capsys)


# ----------------------------------------------------------------------------- U-Net mistakes

@pytest.mark.parametrize("kwargs, words", [
    (dict(bn=False), "batch norm is missing"),
    (dict(bias=True), "bias=False"),
])
def test_double_conv_mistakes(kwargs, words, capsys):
    fails_with(check_unet_double_conv, lambda i, o: double_conv(i, o, **kwargs), words, capsys)


def test_up_concatenation_order(capsys):
    fails_with(check_unet_up, type("Wrong", (Up,), {"skip_first": False}), "skip's channels",
               capsys)


def test_up_without_learned_upsampling(capsys):
    class Interp(nn.Module):
        def __init__(self, i, o):
            super().__init__()
            self.conv = double_conv(i + i // 2, o)

        def forward(self, x, skip):
            return self.conv(torch.cat([skip, nn.functional.interpolate(x, scale_factor=2)], 1))
    fails_with(check_unet_up, Interp, "ConvTranspose2d", capsys)


@pytest.mark.parametrize("fn, words", [
    (lambda p, t, threshold=0.5: dice_score(p, t, hard=False), "threshold the probabilities"),
    (lambda p, t, threshold=0.5: dice_score(p, t, axes=(0, 1, 2, 3)), "whole batch"),
    (lambda p, t, threshold=0.5: dice_score(p, t, axes=(0,)), "wrong axes"),
    (lambda p, t, threshold=0.5: dice_score(p, t, empty=0.0), "count that image as 1"),
    (iou_score, "this is the IoU score"),
])
def test_dice_mistakes(fn, words, capsys):
    fails_with(check_unet_dice, fn, words, capsys)


def test_dice_nan_for_empty_masks(capsys):
    def nan_dice(p, t, threshold=0.5):
        p = (p > threshold).astype(float)
        with np.errstate(invalid="ignore"):
            total = p.sum((1, 2, 3)) + t.sum((1, 2, 3))
            return float(np.mean(2 * (p * t).sum((1, 2, 3)) / total))
    fails_with(check_unet_dice, nan_dice, "NaN", capsys)


@pytest.mark.parametrize("fn, words", [
    (lambda p, t, threshold=0.5: iou_score(p, t, hard=False), "threshold the probabilities"),
    (lambda p, t, threshold=0.5: iou_score(p, t, axes=(0, 1, 2, 3)), "whole batch"),
    (dice_score, "this is the Dice score"),
])
def test_iou_mistakes(fn, words, capsys):
    fails_with(check_unet_iou, fn, words, capsys)


def test_degradation_checkpoint_shows_the_effect(root):
    """Notebook 11 states these results from scripts/precompute_degradation.py's file."""
    import json

    saved = json.loads((root / "course" / "checkpoints" / "resnet_degradation.json").read_text())
    loss = {k: np.mean(v["train_loss"][-50:]) for k, v in saved["curves"].items()}
    acc = {k: v["test_accuracy"][-1] for k, v in saved["curves"].items()}
    assert loss["plain, 31 conv"] > 2 * loss["plain, 7 conv"]
    assert loss["residual, 31 conv"] < 1.1 * loss["plain, 7 conv"]
    assert acc["residual, 31 conv"] > acc["plain, 7 conv"] > acc["plain, 31 conv"]
