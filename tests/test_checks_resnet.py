"""Notebook 11 checks: right models pass, each typical mistake gets its diagnosis."""
import json

import numpy as np
import pytest
import torch
from torch import nn

from course.checks.model_adapters import fixed_weights_forward
from course.checks.resnet import check_resnet_basic_block, check_resnet_shortcut, check_resnet_stage
from checking import fails_with
from mutations.harness import run as run_check


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


@pytest.mark.parametrize("seed", [0, 2026])
def test_right_answers_pass_visible_and_hidden(seed):
    for check, answer in ((check_resnet_shortcut, shortcut),
                          (check_resnet_basic_block, BasicBlock),
                          (check_resnet_stage, make_stage)):
        for hidden in (False, True):
            passed, text = run_check(check, answer, hidden, seed)
            assert passed, text


def test_fixed_weights_forward_ignores_creation_order():
    class Reversed(BasicBlock):
        def __init__(self, i, o, s=1):
            nn.Module.__init__(self)
            self.shortcut = shortcut(i, o, s)
            self.bn2, self.conv2 = nn.BatchNorm2d(o), nn.Conv2d(o, o, 3, 1, 1, bias=False)
            self.bn1, self.conv1 = nn.BatchNorm2d(o), nn.Conv2d(i, o, 3, s, 1, bias=False)
    x = [np.random.default_rng(0).normal(size=(1, 2, 5, 5))]
    a = fixed_weights_forward(BasicBlock, x, 2, 4, 2)
    b = fixed_weights_forward(Reversed, x, 2, 4, 2)
    assert np.array_equal(a, b)


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


def test_shortcut_that_ignores_the_stride_when_the_channels_match(capsys):
    """It used to pass every visible and hidden case: a stride of two with as many channels
    out as in is a visible case now, and hidden ones draw it too."""
    def wrong(i, o, s=1):
        return nn.Identity() if i == o else shortcut(i, o, s)
    fails_with(check_resnet_shortcut, wrong, "with a stride of two the shortcut must be a "
               "projection", capsys, may_raise=False)
    for seed in (1, 2, 3):
        assert not run_check(check_resnet_shortcut, wrong, True, seed)[0]


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
    out = fails_with(check_resnet_stage, lambda i, o, n, s=1: nn.Sequential(
        *[BasicBlock(i, o, s) for _ in range(n)]), "only the first block goes from in_channels",
        capsys)
    assert "the forward pass failed in layer 1.conv1 (Conv2d)" in out


def test_degradation_checkpoint_shows_the_effect(root):
    """Notebook 11 states these results from scripts/precompute_degradation.py's file."""
    saved = json.loads((root / "course" / "checkpoints" / "resnet_degradation.json").read_text())
    loss = {k: np.mean(v["train_loss"][-50:]) for k, v in saved["curves"].items()}
    acc = {k: v["test_accuracy"][-1] for k, v in saved["curves"].items()}
    assert loss["plain, 31 conv"] > 2 * loss["plain, 7 conv"]
    assert loss["residual, 31 conv"] < 1.1 * loss["plain, 7 conv"]
    assert acc["residual, 31 conv"] > acc["plain, 7 conv"] > acc["plain, 31 conv"]
