"""Notebook 08-09 checks: right models pass, each typical mistake gets its diagnosis."""
import pytest
import torch
from torch import nn
from torch.nn import functional as F

from course.checks import (check_alexnet, check_alexnet_torchvision,
                           check_count_parameters, check_feature_maps,
                           check_grouped_conv_params, check_lenet5, check_mlp, check_train_step)
from checking import fails_with


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
def test_right_answers_pass_visible_and_hidden(seed, capsys):
    for hidden in (False, True):
        check_lenet5(LeNet5, hidden=hidden, seed=seed)
        check_mlp(MLP, hidden=hidden, seed=seed)
        check_count_parameters(count_parameters, hidden=hidden, seed=seed)
        check_train_step(train_step, hidden=hidden, seed=seed)
        check_grouped_conv_params(grouped_conv_params, hidden=hidden, seed=seed)
        check_feature_maps(feature_maps, hidden=hidden, seed=seed)
    assert "✗" not in capsys.readouterr().out


def test_alexnets_pass(capsys):  # big models: one seed, visible and hidden
    for hidden in (False, True):
        check_alexnet(AlexNet, hidden=hidden, seed=1)
        check_alexnet_torchvision(TorchvisionAlexNet, hidden=hidden, seed=1)
    assert "✗" not in capsys.readouterr().out


@pytest.mark.parametrize("kwargs, words", [
    (dict(padding=0), "Give conv1 padding=2"),
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
    assert "✓ output shape for a batch of 5" not in out


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


def test_alexnet_mistakes(capsys):
    fails_with(check_alexnet, lambda n=1000: AlexNet(n, channels=(64, 192, 384, 256, 256)),
               "torchvision's channels", capsys)
    fails_with(check_alexnet, lambda n=1000: AlexNet(n, pool5=False), "third max-pool",
               capsys)

    class Grouped(AlexNet):
        def __init__(self, num_classes=1000):
            super().__init__(num_classes)
            for i, c in ((3, (96, 256)), (10, (384, 384)), (12, (384, 256))):
                self.features[i] = nn.Conv2d(*c, self.features[i].kernel_size,
                                             padding=self.features[i].padding, groups=2)
    fails_with(check_alexnet, Grouped, "two-GPU split", capsys)
    fails_with(check_alexnet_torchvision, AlexNet, "lecture's channels", capsys)


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
        return list(kept) * 2  # as if the first call's hooks still fired
    fails_with(check_feature_maps, no_clone, "overwrote the tensors", capsys)
    fails_with(check_feature_maps, hooks_left, "hooks of the first call", capsys)
