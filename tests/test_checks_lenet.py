"""Notebook 08 checks: right models pass, each typical mistake gets its diagnosis; the
adapters that build and call a model report what is wrong with it, not a traceback."""
import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional as F

from course.checks.adapters import train_steps
from course.checks.calling import AnswerTypeError
from course.checks.lenet import check_count_parameters, check_lenet5, check_mlp, check_train_step
from course.checks.model_adapters import fixed_weights_forward, parameter_counts, run
from checking import fails_with
from mutations.harness import run as run_check


class LeNet5(nn.Module):
    def __init__(self, padding=2, c3=16, pool_modules=True):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=padding)
        self.pool1 = nn.MaxPool2d(2) if pool_modules else None
        self.conv2 = nn.Conv2d(6, c3, 5)
        self.pool2 = nn.MaxPool2d(2) if pool_modules else None
        side = 5 if padding == 2 else 4
        self.fc1 = nn.Linear(c3 * side * side, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        pool = self.pool1 or (lambda t: F.max_pool2d(t, 2))
        x = pool(F.relu(self.conv1(x)))
        x = (self.pool2 or pool)(F.relu(self.conv2(x)))
        x = F.relu(self.fc1(x.flatten(1)))
        return self.fc3(F.relu(self.fc2(x)))


class MLP(nn.Module):
    def __init__(self, hidden=(128, 64)):
        super().__init__()
        sizes = [784, *hidden, 10]
        self.layers = nn.ModuleList(nn.Linear(i, o) for i, o in zip(sizes[:-1], sizes[1:]))

    def forward(self, x):
        x = x.flatten(1)
        for layer in self.layers[:-1]:
            x = F.relu(layer(x))
        return self.layers[-1](x)


def count_parameters(model):
    return sum(p.numel() for p in model.parameters())


def train_step(model, x, y, optimizer):
    optimizer.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


@pytest.mark.parametrize("seed", [0, 2026])
def test_right_answers_pass_visible_and_hidden(seed):
    for check, answer in ((check_lenet5, LeNet5), (check_mlp, MLP),
                          (check_count_parameters, count_parameters),
                          (check_train_step, train_step)):
        for hidden in (False, True):
            passed, text = run_check(check, answer, hidden, seed)
            assert passed and "✓" in text, text


@pytest.mark.parametrize("kwargs, words", [
    (dict(padding=0), "conv1 needs padding=2"),
    (dict(c3=12), "got 1812 but expected 2416"),
    (dict(pool_modules=False), "pooling layers are missing"),
])
def test_lenet_mistakes(kwargs, words, capsys):
    fails_with(check_lenet5, lambda: LeNet5(**kwargs), words, capsys)


def test_lenet_without_bias_and_flatten_all(capsys):
    class NoBias(LeNet5):
        def __init__(self):
            super().__init__()
            for m in self.modules():
                if hasattr(m, "bias") and m.bias is not None:
                    m.bias = None
    fails_with(check_lenet5, NoBias, "add the 16 biases", capsys)

    class FlattenAll(LeNet5):
        def forward(self, x):
            x = self.pool2(F.relu(self.conv2(self.pool1(F.relu(self.conv1(x))))))
            return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x.flatten())))))
    out = fails_with(check_lenet5, FlattenAll, "flattened to (N, 400)", capsys)
    assert "✗ output shape for a batch of 5" in out and "the batch axis was lost" in out


def test_lenet_is_judged_by_what_it_computes(capsys):
    """A LeNet-5 without its ReLUs has every layer and shape right: only its output with fixed
    weights shows the mistake (it used to pass all 14 cases)."""
    class Linear(LeNet5):
        def forward(self, x):
            x = self.pool2(self.conv2(self.pool1(self.conv1(x))))
            return self.fc3(self.fc2(self.fc1(x.flatten(1))))
    out = fails_with(check_lenet5, Linear, "there is no ReLU", capsys, may_raise=False)
    assert out.startswith("✗ LeNet5: 2 of 16 cases fail")  # its output, in both modes


def test_a_forward_that_depends_on_training_mode_fails(capsys):
    """LeNet-5 has no dropout nor batch norm: training mode must give the same output."""
    class Lazy(LeNet5):
        def forward(self, x):
            return torch.zeros(len(x), 10) if self.training else super().forward(x)
    out = fails_with(check_lenet5, Lazy, "in training mode", capsys, may_raise=False)
    assert out.startswith("✗ LeNet5: 1 of 16 cases fail")


def test_mlp_without_output_layer(capsys):
    class Short(MLP):
        def __init__(self, hidden=(128, 64)):
            super().__init__(hidden)
            self.layers = self.layers[:-1]
    fails_with(check_mlp, Short, "output layer", capsys)


@pytest.mark.parametrize("fn, words", [
    (lambda m: len(list(m.parameters())), "number of parameter tensors"),
    (lambda m: sum(p.numel() for n, p in m.named_parameters() if "weight" in n
                   and p.dim() > 1), "only the weights"),
])
def test_count_parameters_mistakes(fn, words, capsys):
    fails_with(check_count_parameters, fn, words, capsys)


def test_train_step_mistakes(capsys):
    def no_zero_grad(model, x, y, optimizer):
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    def no_step(model, x, y, optimizer):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        return loss.item()
    fails_with(check_train_step, no_zero_grad, "gradients add up", capsys)
    fails_with(check_train_step, no_step, "did not change", capsys)
    fails_with(check_train_step, lambda m, x, y, o: None, "returned None", capsys)


def test_train_step_returning_the_loss_tensor_is_told_to_return_a_float(capsys):
    """The next cell averages the losses with NumPy: a tensor that requires grad would crash
    it in a long traceback, so the check refuses it with the reason."""
    def tensor_loss(model, x, y, optimizer):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        return loss
    fails_with(check_train_step, tensor_loss, "returned a torch.Tensor: return loss.item()",
               capsys, may_raise=False)
    with pytest.raises(AnswerTypeError, match="Python float"):
        train_steps(tensor_loss, 0, 2, 0.1)


def test_model_adapters_report_what_is_built():
    with pytest.raises(AnswerTypeError, match="wrap them in nn.Sequential"):
        parameter_counts(lambda: [nn.Linear(2, 2)])
    with pytest.raises(AnswerTypeError, match="returned None"):
        parameter_counts(lambda: None)

    class Plain:
        def __init__(self):
            self.fc = nn.Linear(2, 2)
    with pytest.raises(AnswerTypeError, match="class Plain\\(nn.Module\\)"):
        parameter_counts(Plain)

    class Hidden(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = [nn.Linear(2, 2)]
    with pytest.raises(AnswerTypeError, match="self.layers is a plain Python list"):
        parameter_counts(Hidden)


def test_forward_failures_name_the_layer_or_keep_the_students_line():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Linear(8, 3))
    with pytest.raises(AnswerTypeError, match=r"layer 1 \(Linear\).*flattened to \(N, 8\)"):
        run(model, torch.zeros(1, 1, 4, 4))

    class Adds(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 2, 3)

        def forward(self, x):
            return self.conv(x) + x  # a shape error outside any layer
    with pytest.raises(RuntimeError):
        run(Adds(), torch.zeros(1, 1, 4, 4))


def test_forward_must_return_one_tensor():
    class Pair(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 2)

        def forward(self, x):
            return self.fc(x), x
    with pytest.raises(AnswerTypeError, match="returned a tuple; return one tensor"):
        fixed_weights_forward(Pair, [np.zeros((2, 3))])


def test_checks_leave_the_notebooks_random_state_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    for check, answer in ((check_lenet5, LeNet5), (check_train_step, train_step),
                          (check_count_parameters, count_parameters)):
        assert run_check(check, answer)[0]
    assert torch.equal(torch.rand(3), expected)
