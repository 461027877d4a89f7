"""Checks for notebooks 08-09: LeNet-5, a dense network, a training step, AlexNet.

Model classes are judged through adapters (course/checks/adapters.py): the parameters of each
layer that has any, in the order the layers are created, and the output shape (H, W, C) of
each layer of `course.summary`'s table. Expected values are the lecture's numbers and the
layer arithmetic, never a reference model (this package ships to students).
"""
from __future__ import annotations

import numpy as np

from ._core import Case, Mistake, make_check


def _dense(n_in: int, n_out: int, bias: bool = True) -> int:
    return n_in * n_out + n_out * bias


def _conv(k: int, c_in: int, c_out: int, bias: bool = True, groups: int = 1) -> int:
    return k * k * (c_in // groups) * c_out + c_out * bias


def _counts(values: list[int]) -> np.ndarray:
    return np.array(values, dtype=np.int64)


NO_BIAS = ("every count is short by the number of outputs: the layers have no bias "
           "(keep PyTorch's default bias=True)")
POOL_MODULES = ("the pooling layers are missing from the table: create them in __init__ "
                "(nn.MaxPool2d(2)) instead of calling F.max_pool2d in forward, so that the "
                "summary and the checks can see them")


# ---------------------------------------------------------------------------------------------
# 08 · LeNet-5
# ---------------------------------------------------------------------------------------------

def _table_cases(args: tuple, input_size: tuple, params: list[tuple[str, str, int, dict]],
                 layers: list[tuple[str, tuple[int, int, int], dict]], label: str) -> list[Case]:
    """Layer-by-layer cases: one per layer with parameters (name, formula, count, {wrong count:
    message}), the number of rows of the table, then one per row (name, (H, W, C), {wrong
    shape: message}), so that a message names the first layer that differs."""
    cases = []
    for i, (name, formula, count, wrong) in enumerate(params):
        cases.append(Case(f"{label}{name}: {formula} = {count:,} parameters", (i,) + args,
                          call="layer_params", expected=count, check_dtype=False,
                          mistakes=[Mistake(v, m) for v, m in wrong.items()]))
    names = ", ".join(name for name, _, _ in layers)
    cases.append(Case(f"{label}{len(layers)} layers in the table ({names})",
                      (input_size,) + args, call="layer_count", expected=len(layers),
                      mistakes=[Mistake(len(layers) - sum(n.startswith(("pool", "maxpool"))
                                                          for n, _, _ in layers),
                                        POOL_MODULES)]))
    for i, (name, shape, wrong) in enumerate(layers):
        cases.append(Case(f"{label}{name} output: H W C = {' '.join(map(str, shape))}",
                          (input_size, i) + args, call="layer_output_shape",
                          expected=np.array(shape), check_dtype=False,
                          mistakes=[Mistake(np.array(v), m) for v, m in wrong.items()]))
    return cases


def _no_bias(weights: int, biases: int) -> dict:
    return {weights: f"{weights:,} is the weights only: add the {biases} biases "
                     f"(keep PyTorch's default bias=True)"}


def lenet5_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    params = [
        ("conv1", "5x5x1x6 + 6", 156, {**_no_bias(150, 6), _conv(5, 3, 6): (
            "456 parameters: the digits are grey-level, 1 input channel")}),
        ("conv2", "5x5x6x16 + 16", 2416, {**_no_bias(2400, 16), 1516: (
            "1,516 is the paper's partial connection table: here every kernel of conv2 "
            "spans all 6 input maps")}),
        ("fc1", "400x120 + 120", 48120, {**_no_bias(48000, 120), _dense(256, 120): (
            "fc1 receives 16 maps of 4x4: conv1 shrank the 28x28 digit to 24x24. Give conv1 "
            "padding=2 (the paper's input was 32x32, i.e. 28x28 with a border of 2)")}),
        ("fc2", "120x84 + 84", 10164, _no_bias(10080, 84)),
        ("fc3", "84x10 + 10", 850, _no_bias(840, 10)),
    ]
    no_pad = "conv1 needs padding=2 so that the 28x28 digit keeps its size"
    layers = [("conv1", (28, 28, 6), {(24, 24, 6): no_pad}),
              ("pool1", (14, 14, 6), {(12, 12, 6): no_pad}),
              ("conv2", (10, 10, 16), {(14, 14, 6): POOL_MODULES}),
              ("pool2", (5, 5, 16), {}), ("fc1", (1, 1, 120), {}), ("fc2", (1, 1, 84), {}),
              ("fc3", (1, 1, 10), {})]
    cases = _table_cases((), (1, 1, 28, 28), params, layers, "")
    for n in ([5] + ([1, int(np.random.default_rng(seed).integers(2, 65))] if hidden else [])):
        cases.append(Case(f"output shape for a batch of {n} digits", ((n, 1, 28, 28),),
                          call="output_shape", expected=np.array([n, 10]),
                          shape_rule="(batch, 10 class scores)"))
    return cases


def mlp_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    configs = [(), ((128, 64),), ((32,),)]
    if hidden:
        rng = np.random.default_rng(seed)
        configs += [(tuple(int(h) for h in rng.integers(5, 300, size=k)),) for k in (1, 3)]
    cases = [Case("MLP(): output shape for a batch of 5 digits (5, 1, 28, 28)",
                  ((5, 1, 28, 28),), call="output_shape", expected=np.array([5, 10]),
                  shape_rule="(batch, 10 class scores)")]
    for args in configs:
        hidden_sizes = args[0] if args else (128, 64)
        sizes = [784, *hidden_sizes, 10]
        pairs = list(zip(sizes[:-1], sizes[1:]))
        label = f"MLP({args[0]})" if args else "MLP() (default hidden=(128, 64))"
        cases.append(Case(
            f"{label}: parameters per layer", args, call="parameter_counts",
            expected=_counts([_dense(i, o) for i, o in pairs]),
            shape_rule=f"one dense layer per pair of sizes in {sizes}",
            mistakes=[Mistake(_counts([_dense(i, o, False) for i, o in pairs]), NO_BIAS),
                      Mistake(_counts([_dense(i, o) for i, o in pairs[:-1]]),
                              "the output layer (last hidden size -> 10 classes) is missing")]))
    return cases


def count_parameters_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    specs = [
        ("Linear(3, 2)", [("linear", 3, 2, True)]),
        ("Linear(3, 2) without bias", [("linear", 3, 2, False)]),
        ("conv 5x5 1 -> 6, ReLU, pool, conv 5x5 6 -> 16",
         [("conv", 1, 6, 5, True), ("relu",), ("pool", 2), ("conv", 6, 16, 5, True)]),
        ("conv, batch norm, flatten, dense", [("conv", 3, 8, 3, True), ("bn", 8), ("flatten",),
                                              ("linear", 200, 10, True)]),
    ]
    if hidden:
        rng = np.random.default_rng(seed)
        c, f, n = (int(v) for v in rng.integers(1, 40, size=3))
        specs.append((f"random conv {c} -> {f} and dense {n} -> 3",
                      [("conv", c, f, 3, bool(rng.integers(2))), ("linear", n, 3, True)]))
    cases = []
    for label, spec in specs:
        right, weights_only, tensors = 0, 0, 0
        for kind, *rest in spec:
            if kind == "conv":
                c, f, k, b = rest
                right, weights_only, tensors = (right + _conv(k, c, f, b),
                                                weights_only + k * k * c * f, tensors + 1 + b)
            elif kind == "linear":
                i, o, b = rest
                right, weights_only, tensors = (right + _dense(i, o, b), weights_only + i * o,
                                                tensors + 1 + b)
            elif kind == "bn":
                right, tensors = right + 2 * rest[0], tensors + 2
        mistakes = [Mistake(tensors, "that is the number of parameter tensors: add up "
                                     "p.numel() for each of them")]
        if weights_only != right:
            mistakes.append(Mistake(weights_only, "only the weights: biases (and batch-norm "
                                                  "scales and shifts) are parameters too"))
        cases.append(Case(label, (spec,), call="on_model", expected=right, check_dtype=False,
                          mistakes=mistakes))
    return cases


def _softmax_steps(seed: int, steps: int, lr: float, zero_grad: bool = True,
                   step: bool = True) -> np.ndarray:
    """What `train_steps` should return, computed by hand: cross-entropy gradients of a
    Linear(4, 3) (softmax - one-hot, averaged over the batch) and plain SGD."""
    import torch

    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    layer = torch.nn.Linear(4, 3)
    W, b = layer.weight.detach().double().numpy(), layer.bias.detach().double().numpy()
    gW, gb, losses = np.zeros_like(W), np.zeros_like(b), []
    for _ in range(steps):
        x = torch.randn(8, 4, generator=g).double().numpy()
        y = torch.randint(0, 3, (8,), generator=g).numpy()
        z = x @ W.T + b
        z = z - z.max(1, keepdims=True)
        p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
        losses.append(-np.log(p[np.arange(8), y]).mean())
        d = (p - np.eye(3)[y]) / 8
        gW, gb = (gW if not zero_grad else 0) + d.T @ x, (gb if not zero_grad else 0) + d.sum(0)
        if step:
            W, b = W - lr * gW, b - lr * gb
    return np.concatenate([losses, W.ravel(), b])


def train_step_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    runs = [(0, 1, 0.5), (1, 3, 0.5)]
    if hidden:
        rng = np.random.default_rng(seed)
        runs += [(int(rng.integers(100, 10**6)), int(rng.integers(2, 6)), 0.1)]
    cases = []
    for s, steps, lr in runs:
        mistakes = [Mistake(_softmax_steps(s, steps, lr, step=False),
                            "the weights did not change: call optimizer.step() after "
                            "loss.backward() (and optimizer.zero_grad() before, not between)")]
        if steps > 1:
            mistakes.append(Mistake(_softmax_steps(s, steps, lr, zero_grad=False),
                                    "the first step is right, the next ones are not: gradients "
                                    "add up across steps unless you call optimizer.zero_grad() "
                                    "at the start of each step"))
        cases.append(Case(f"{steps} step(s) of SGD (lr={lr}) on a Linear(4, 3), batch seed {s}",
                          (s, steps, lr), call="train_steps",
                          expected=_softmax_steps(s, steps, lr), rtol=1e-4, atol=1e-5,
                          check_dtype=False, shape_rule=f"{steps} losses, then 12 weights "
                                                        f"and 3 biases", mistakes=mistakes))
    return cases


# ---------------------------------------------------------------------------------------------
# 09 · AlexNet
# ---------------------------------------------------------------------------------------------

def _alexnet_params(channels: tuple[int, ...], first: tuple[int, int], classes: int) -> list:
    """Parameters of conv1..conv5 (kernels 11, 5, 3, 3, 3) and fc6..fc8 on 6x6 maps."""
    c = (3, *channels)
    kernels = (first[0], 5, 3, 3, 3)
    convs = [_conv(k, c[i], c[i + 1]) for i, k in enumerate(kernels)]
    return convs + [_dense(6 * 6 * c[-1], 4096), _dense(4096, 4096), _dense(4096, classes)]


LECTURE_CHANNELS = (96, 256, 384, 384, 256)
TORCHVISION_CHANNELS = (64, 192, 384, 256, 256)
LECTURE_LAYERS = [("conv1", (55, 55, 96)), ("maxpool1", (27, 27, 96)),
                  ("conv2", (27, 27, 256)), ("maxpool2", (13, 13, 256)),
                  ("conv3", (13, 13, 384)), ("conv4", (13, 13, 384)), ("conv5", (13, 13, 256)),
                  ("maxpool5", (6, 6, 256)), ("fc6", (1, 1, 4096)), ("fc7", (1, 1, 4096))]


def alexnet_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    classes = [1000] + ([int(np.random.default_rng(seed).integers(2, 200))] if hidden else [])
    cases = []
    for k in classes:
        args, label = ((), "") if k == 1000 else ((k,), f"AlexNet({k}): ")
        right = _alexnet_params(LECTURE_CHANNELS, (11, 4), k)
        tv = _alexnet_params(TORCHVISION_CHANNELS, (11, 4), k)
        c, kernels = (3, *LECTURE_CHANNELS), (11, 5, 3, 3, 3)
        params = []
        for i in range(5):
            kk, c_in, c_out = kernels[i], c[i], c[i + 1]
            wrong = {**_no_bias(right[i] - c_out, c_out),
                     tv[i]: "these are torchvision's channels (64, 192, 384, 256, 256); the "
                            "lecture's are 96, 256, 384, 384, 256"}
            if i in (1, 3, 4):  # split across the paper's two GPUs
                wrong[_conv(kk, c_in, c_out, groups=2)] = (
                    "half the lecture's count: that is the paper's two-GPU split (groups=2); "
                    "the lecture's table uses ordinary convolutions")
            params.append((f"conv{i + 1}", f"{kk}x{kk}x{c_in}x{c_out} + {c_out}", right[i],
                           wrong))
        for i, (n_in, n_out) in enumerate(((9216, 4096), (4096, 4096), (4096, k))):
            wrong = _no_bias(n_in * n_out, n_out)
            if i == 0:
                wrong[_dense(13 * 13 * 256, 4096)] = (
                    "fc6 takes 13x13x256 inputs: the third max-pool (after conv5, 13x13 -> "
                    "6x6) is missing")
            params.append((f"fc{i + 6}", f"{n_in}x{n_out} + {n_out}", right[5 + i], wrong))
        layers = [(name, shape, {}) for name, shape in LECTURE_LAYERS] + \
                 [("fc8", (1, 1, k), {})]
        layers[0][2][(56, 56, 96)] = ("conv1 gives 56x56: it has padding; the lecture's "
                                      "conv1 has none, (227 - 11) / 4 + 1 = 55")
        cases += _table_cases(args, (1, 3, 227, 227), params, layers, label)
    return cases


def alexnet_torchvision_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    cases = [Case("TorchvisionAlexNet(): parameters per layer (61,100,840 in all)", (),
                  call="parameter_counts",
                  expected=_counts(_alexnet_params(TORCHVISION_CHANNELS, (11, 4), 1000)),
                  shape_rule="8 layers with parameters: 5 convolutions, 3 dense layers",
                  mistakes=[Mistake(_counts(_alexnet_params(LECTURE_CHANNELS, (11, 4), 1000)),
                                    "these are the lecture's channels (96, 256, 384, 384, "
                                    "256); torchvision's are 64, 192, 384, 256, 256")])]
    sizes = [(224, 1000), (227, 1000), (160, 1000)]
    if hidden:
        rng = np.random.default_rng(seed)
        sizes += [(int(rng.integers(64, 300)), int(rng.integers(2, 50)))]
    for size, k in sizes:
        args = () if k == 1000 else (k,)
        cases.append(Case(
            f"TorchvisionAlexNet({', '.join(map(str, args))}): output shape for a "
            f"{size}x{size} RGB image", ((1, 3, size, size),) + args, call="output_shape",
            expected=np.array([1, k]), shape_rule="(batch, classes)"))
    return cases


def grouped_conv_params_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    configs = [(5, 96, 256, 1), (5, 96, 256, 2), (3, 384, 384, 2), (3, 256, 384, 1),
               (11, 3, 96, 1)]
    if hidden:
        rng = np.random.default_rng(seed)
        for _ in range(4):
            g = int(rng.choice([1, 2, 4]))
            configs.append((int(rng.integers(1, 8)), g * int(rng.integers(1, 40)),
                            g * int(rng.integers(1, 40)), g))
    cases = []
    for k, c_in, c_out, g in configs:
        right = _conv(k, c_in, c_out, groups=g)
        mistakes = [] if g == 1 else [
            Mistake(_conv(k, c_in, c_out) // g,
                    "you divided the biases too: each of the c_out kernels keeps its bias, "
                    "only the input channels are split"),
            Mistake(_conv(k, c_in, c_out),
                    "groups split the input channels: each kernel only sees c_in / groups "
                    "of them"),
            Mistake(k * k * (c_in // g) * (c_out // g) + c_out,
                    "divide by the groups once: there are still c_out kernels, each spanning "
                    "c_in / groups channels")]
        cases.append(Case(f"kernel {k}x{k}, {c_in} -> {c_out} channels, groups={g}",
                          (k, c_in, c_out, g), expected=right, mistakes=mistakes,
                          check_dtype=False))
    return cases


def _reference_maps(seed: int, size: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The outputs of each Conv2d and MaxPool2d of adapters._maps_net, computed layer by
    layer (that net is a plain nn.Sequential), before the in-place ReLU touches them."""
    import torch
    from torch import nn

    from .adapters import _maps_net

    model = _maps_net()
    x = torch.randn(2, 3, size, size, generator=torch.Generator().manual_seed(seed))
    maps, after_relu = [], []
    with torch.no_grad():
        for layer in model:
            x = layer(x)
            if isinstance(layer, (nn.Conv2d, nn.MaxPool2d)):
                maps.append(x.clone().double().numpy())
                after_relu.append(x)
    return maps, [m.double().numpy() for m in after_relu]


def feature_maps_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    sizes = [(0, 14), (1, 20)]
    if hidden:
        rng = np.random.default_rng(seed)
        sizes += [(int(rng.integers(10**6)), int(rng.integers(8, 40)))]
    cases = []
    for s, size in sizes:
        maps, overwritten = _reference_maps(s, size)
        shapes = np.array([m.shape for m in maps], dtype=np.int64)
        label = f"conv, ReLU, pool, conv, ReLU, pool on 2 images of {size}x{size}"
        cases.append(Case(f"{label}: shapes", (s, size), call="feature_map_shapes",
                          expected=shapes, shape_rule="one map per Conv2d and MaxPool2d: 4",
                          mistakes=[Mistake(np.concatenate([shapes, shapes]),
                                            "8 maps instead of 4 on the second call: the hooks "
                                            "of the first call are still there. Remove each "
                                            "one (handle.remove()) after the forward pass")]))
        cases.append(Case(f"{label}: values", (s, size), call="feature_map_values",
                          expected=np.concatenate([m.ravel() for m in maps]),
                          rtol=1e-5, atol=1e-6, check_dtype=False,
                          mistakes=[Mistake(np.concatenate([m.ravel() for m in overwritten]),
                                            "the convolution maps have no negative values: the "
                                            "network's ReLU works in place and overwrote the "
                                            "tensors you kept. Keep output.detach().clone()")]))
    return cases


check_lenet5 = make_check("lenet5", lenet5_cases,
                          "Check the LeNet5 class: parameters and output shape of each layer.")
check_mlp = make_check("mlp", mlp_cases, "Check the MLP class: parameters of each dense layer.")
check_count_parameters = make_check("count_parameters", count_parameters_cases,
                                    "Check count_parameters(model) on small networks.")
check_train_step = make_check("train_step", train_step_cases,
                              "Check train_step(model, x, y, optimizer) against SGD by hand.")
check_alexnet = make_check("alexnet", alexnet_cases,
                           "Check the AlexNet class against the lecture's table.")
check_alexnet_torchvision = make_check(
    "alexnet_torchvision", alexnet_torchvision_cases,
    "Check TorchvisionAlexNet: torchvision's channels and its adaptive average pooling.")
check_grouped_conv_params = make_check("grouped_conv_params", grouped_conv_params_cases,
                                       "Check grouped_conv_params(k, c_in, c_out, groups).")
check_feature_maps = make_check("feature_maps", feature_maps_cases,
                                "Check feature_maps(model, x): conv and pooling outputs by hooks.")
