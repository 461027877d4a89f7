"""Notebook 13 checks: right blocks pass, each typical mistake gets its diagnosis, and the cases
are built as the framework requires."""
import math

import numpy as np
import pytest
import torch
from torch import nn

from course.checks import beyond_resnet as br
from course.checks.beyond_resnet import (NOTEBOOK, check_conv_cost, check_dense_block,
                                         check_inception, check_preact_block, check_transition)
from checking import fails_with
from mutations.harness import run as run_check


class Inception(nn.Module):
    """The block, or (with a flag) one of its usual wrong versions."""
    dim, order, k5, reduce3, pool = 1, (0, 1, 2, 3), 5, True, nn.MaxPool2d

    def __init__(self, c_in, c1, c3r, c3, c5r, c5, pp):
        super().__init__()
        self.branch1 = nn.Sequential(nn.Conv2d(c_in, c1, 1), nn.ReLU())
        self.branch2 = nn.Sequential(nn.Conv2d(c_in, c3r, 1), nn.ReLU(),
                                     nn.Conv2d(c3r, c3, 3, padding=1), nn.ReLU()) \
            if self.reduce3 else nn.Sequential(nn.Conv2d(c_in, c3, 3, padding=1), nn.ReLU())
        self.branch3 = nn.Sequential(nn.Conv2d(c_in, c5r, 1), nn.ReLU(),
                                     nn.Conv2d(c5r, c5, self.k5, padding=self.k5 // 2), nn.ReLU())
        self.branch4 = nn.Sequential(self.pool(3, 1, 1), nn.Conv2d(c_in, pp, 1), nn.ReLU())

    def forward(self, x):
        out = [self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)]
        return torch.cat([out[i] for i in self.order], dim=self.dim)


def conv_cost(c_in, c_out, k, h, w):
    return k * k * c_in * c_out + c_out, h * w * k * k * c_in * c_out


class PreActBlock(nn.Module):
    relu_after_add = False

    def __init__(self, c):
        super().__init__()
        self.bn1, self.conv1 = nn.BatchNorm2d(c), nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2, self.conv2 = nn.BatchNorm2d(c), nn.Conv2d(c, c, 3, padding=1, bias=False)

    def forward(self, x):
        y = x + self.conv2(torch.relu(self.bn2(self.conv1(torch.relu(self.bn1(x))))))
        return torch.relu(y) if self.relu_after_add else y


class DenseBlock(nn.Module):
    new_first, width = False, 4

    def __init__(self, c0, n, k):
        super().__init__()
        self.layers = nn.ModuleList(nn.Sequential(
            nn.BatchNorm2d(c0 + i * k), nn.ReLU(),
            nn.Conv2d(c0 + i * k, self.width * k, 1, bias=False),
            nn.BatchNorm2d(self.width * k), nn.ReLU(),
            nn.Conv2d(self.width * k, k, 3, padding=1, bias=False)) for i in range(n))

    def forward(self, x):
        for layer in self.layers:
            x = torch.cat([layer(x), x] if self.new_first else [x, layer(x)], dim=1)
        return x


def transition(c, theta=0.5, rounding=int, pool=nn.AvgPool2d):
    return nn.Sequential(nn.BatchNorm2d(c), nn.ReLU(),
                         nn.Conv2d(c, rounding(theta * c), 1, bias=False), pool(2))


ANSWERS = [(check_inception, Inception), (check_conv_cost, conv_cost),
           (check_preact_block, PreActBlock), (check_dense_block, DenseBlock),
           (check_transition, transition)]


@pytest.mark.parametrize("seed", [0, 2026])
def test_right_answers_pass_visible_and_hidden(seed):
    for check, answer in ANSWERS:
        for hidden in (False, True):
            passed, text = run_check(check, answer, hidden, seed)
            assert passed, text


def test_every_exercise_is_declared_once_in_notebook_order():
    assert [c.function for c in NOTEBOOK.checks] == ["Inception", "conv_cost", "PreActBlock",
                                                     "DenseBlock", "transition"]


@pytest.mark.parametrize("check", NOTEBOOK.checks, ids=lambda c: c.function)
def test_cases_are_visible_fixed_and_hidden_drawn(check):
    visible, hidden = check.build(1)
    again, other = check.build(2)
    assert visible and hidden and len(hidden) == len(other)
    assert [c.label for c in visible] == [c.label for c in again]
    assert [c.label for c in hidden] != [c.label for c in other]


@pytest.mark.parametrize("check", NOTEBOOK.checks, ids=lambda c: c.function)
def test_no_declared_mistake_equals_the_right_answer(check):
    from course.checks.judge import same

    for case in sum(check.build(3), []):
        for mistake in case.mistakes:
            assert not same(mistake.output, case.expected, case.rtol, case.atol), \
                (case.label, mistake.message)


def test_hidden_inception_cases_can_name_a_concatenation_on_the_wrong_axis():
    """One hidden configuration has four branches of one width, whatever the seed."""
    for seed in range(5):
        hidden = br.inception_cases(seed)[1]
        assert any(m.message == br.WRONG_AXIS for c in hidden for m in c.mistakes)


def test_inception_counts_give_the_paper_and_torchvision_blocks():
    widths = (64, 96, 128, 16, 32, 32)  # inception (3a)
    assert sum(br._inception_counts(192, widths)) == 163_696
    assert sum(br._inception_counts(192, widths, k5=3)) == 163_696 - 16 * 16 * 32


@pytest.mark.parametrize("flags, words", [
    (dict(dim=0), "along the channels"),
    (dict(order=(0, 2, 1, 3)), "in order: 1x1, 3x3, 5x5"),
    (dict(k5=3), "known bug"),
    (dict(reduce3=False), "3x3 branch starts with its 1x1 reduction"),
    (dict(pool=nn.AvgPool2d), "uses max pooling"),
])
def test_inception_mistakes(flags, words, capsys):
    fails_with(check_inception, type("Wrong", (Inception,), flags), words, capsys)


def test_inception_branch_left_out(capsys):
    fails_with(check_inception, type("Wrong", (Inception,), dict(order=(0, 1, 2))),
               "fourth branch", capsys)


def test_conv_cost_mistakes(capsys):
    fails_with(check_conv_cost, lambda c_in, c_out, k, h, w: (k * k * c_in * c_out,
                                                              h * w * k * k * c_in * c_out),
               "count the biases", capsys)
    fails_with(check_conv_cost, lambda c_in, c_out, k, h, w: (k * k * c_in * c_out + c_out,
                                                              k * k * c_in * c_out),
               "times h * w", capsys)


def test_preact_relu_after_the_addition(capsys):
    fails_with(check_preact_block, type("Wrong", (PreActBlock,), dict(relu_after_add=True)),
               "no ReLU after the addition", capsys)


@pytest.mark.parametrize("flags, words", [(dict(new_first=True), "the input first"),
                                          (dict(width=1), "4 * growth_rate output channels")])
def test_dense_block_mistakes(flags, words, capsys):
    fails_with(check_dense_block, type("Wrong", (DenseBlock,), flags), words, capsys)


@pytest.mark.parametrize("kwargs, words", [(dict(rounding=math.ceil), "floor(theta"),
                                           (dict(pool=nn.MaxPool2d), "average pooling")])
def test_transition_mistakes(kwargs, words, capsys):
    fails_with(check_transition, lambda c, theta=0.5: transition(c, theta, **kwargs), words,
               capsys)


def test_transition_reference_pools_after_the_convolution():
    """Average pooling and a 1x1 convolution without bias commute: the reference's order is
    the paper's, and the other order is a correct answer too (see the mutation suite)."""
    x = br.tensor(np.random.default_rng(0).normal(size=(2, 6, 4, 4)))
    right = br._transition_ref(x, 3, train=False)
    swapped = br.conv(torch.nn.functional.avg_pool2d(
        torch.relu(br.batch_norm(x)), 2), 3, 1, bias=False)
    assert torch.allclose(right, swapped)
