"""Notebook 12 checks: right models and scores pass, each typical mistake gets its
diagnosis."""
import numpy as np
import pytest
import torch
from torch import nn

from course.checks.unet import (check_unet_dice, check_unet_double_conv, check_unet_iou,
                                check_unet_up)
from checking import fails_with
from mutations.harness import run as run_check


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


@pytest.mark.parametrize("seed", [0, 2026])
def test_right_answers_pass_visible_and_hidden(seed):
    for check, answer in ((check_unet_double_conv, double_conv), (check_unet_up, Up),
                          (check_unet_dice, dice_score), (check_unet_iou, iou_score)):
        for hidden in (False, True):
            passed, text = run_check(check, answer, hidden, seed)
            assert passed, text


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
    (lambda p, t, threshold=0.5: dice_score(p, t, threshold, hard=False),
     "threshold the probabilities"),
    (lambda p, t, threshold=0.5: dice_score(p, t, threshold, axes=(0, 1, 2, 3)), "whole batch"),
    (lambda p, t, threshold=0.5: dice_score(p, t, threshold, axes=(0,)), "wrong axes"),
    (lambda p, t, threshold=0.5: dice_score(p, t, threshold, empty=0.0), "count that image as 1"),
    (iou_score, "this is the IoU score"),
    (lambda p, t, threshold=0.5: dice_score(p, t), "use the `threshold` argument"),
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
    (lambda p, t, threshold=0.5: iou_score(p, t, threshold, hard=False),
     "threshold the probabilities"),
    (lambda p, t, threshold=0.5: iou_score(p, t, threshold, axes=(0, 1, 2, 3)), "whole batch"),
    (dice_score, "this is the Dice score"),
])
def test_iou_mistakes(fn, words, capsys):
    fails_with(check_unet_iou, fn, words, capsys)
