"""Checks for notebook 08: LeNet-5, a dense network, a training step (the lecture's RÉSEAU DE
NEURONES CONVOLUTIF).

Model classes are judged through adapters (`model_adapters`): the parameters of each layer that
has any, in the order the layers are created; the output shape (H, W, C) of each layer of
`course.summary`'s table (`layer_tables`); and what the network computes when every parameter
is set to fixed values, against `torch.nn.functional` on the same values (`fixed_weights`), so
that a missing ReLU or a wrong pooling is seen, and named.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..i18n import N_, _
from . import probes
from .adapters import train_steps
from .case import Case, Mistake, split, streams
from .exercise import Notebook
from .fixed_weights import as_array, conv, linear, on_one_thread, relu, tensor
from .layer_tables import POOL_MODULES, conv as conv_params, counts, dense, no_bias, \
    table_cases
from .model_adapters import (fixed_weights_forward, fixed_weights_train_forward, on_model,
                             output_shape, parameter_counts)

NOTEBOOK = Notebook("08_lenet")

# ---------------------------------------------------------------------------------------------
# What a network computes, and what the usual wrong ones compute
# ---------------------------------------------------------------------------------------------

NO_RELU_AT_ALL = N_("there is no ReLU in forward: without a non-linearity the layers collapse "
                    "into one linear map. Apply F.relu after every layer but the last")
OTHER_ACTIVATION = N_("the activation is not ReLU (tanh? sigmoid?): this network uses F.relu "
                      "(or nn.ReLU) after every layer but the last")
RELU_ON_SCORES = N_("the class scores go through a ReLU: the last layer's output is returned "
                    "as it is (scores may be negative; F.cross_entropy takes them raw)")
SOFTMAX_ON_SCORES = N_("forward returns probabilities (a softmax): return the raw scores of the "
                       "last layer; F.cross_entropy applies the softmax itself")
NO_BIASES = N_("the layers have no bias: keep PyTorch's default bias=True")
NO_PAD = N_("conv1 needs padding=2: without it the 28x28 digit shrinks to 24x24 and fc1 "
            "receives 16 maps of 4x4 instead of 5x5 (the paper's input was 32x32, i.e. 28x28 "
            "with a border of 2)")
SCORES_RULE = N_("(batch, 10 class scores)")


def _activation(kind: str) -> Callable[[Any], Any]:
    import torch

    return {"relu": relu, "none": lambda t: t, "tanh": torch.tanh,
            "sigmoid": torch.sigmoid}[kind]


def _last(kind: str) -> Callable[[Any], Any]:
    import torch

    return {"none": lambda t: t, "relu": relu, "softmax": lambda t: torch.softmax(t, 1),
            "log_softmax": lambda t: torch.log_softmax(t, 1)}[kind]


def _head(x: Any, sizes: list[int], hidden_act: str = "relu", last: str = "none",
          bias: bool = True) -> Any:
    """Dense layers to `sizes`, the activation after each but the last."""
    act = _activation(hidden_act)
    for n in sizes[:-1]:
        x = act(linear(x, n, bias))
    return _last(last)(linear(x, sizes[-1], bias))


def _lenet_ref(x: Any, conv_act: str = "relu", fc_act: str = "relu", last: str = "none",
               pool: str = "max", padding: int = 2, bias: bool = True) -> Any:
    import torch.nn.functional as F

    pooled = F.max_pool2d if pool == "max" else F.avg_pool2d
    act = _activation(conv_act)
    x = pooled(act(conv(x, 6, 5, padding=padding, bias=bias)), 2)
    x = pooled(act(conv(x, 16, 5, bias=bias)), 2)
    return _head(x.flatten(1), [120, 84, 10], fc_act, last, bias)


def _forward_case(label: str, model_args: tuple, x: np.ndarray,
                  network: Callable[..., Any], mistakes: list[tuple[dict, str]],
                  rule: str) -> Case:
    """The network's output with fixed weights on the input x, and the output of each
    mistake (keyword arguments of `network`)."""
    right = as_array(network(tensor(x)))
    return Case(label, ([x],) + model_args, adapter=fixed_weights_forward, expected=right,
                rtol=1e-7, atol=1e-9, check_dtype=False, scores=True, shape_rule=rule,
                mistakes=[Mistake(as_array(network(tensor(x), **kw)), message)
                          for kw, message in mistakes])


def _training_mode_case(label: str, model_args: tuple, x: np.ndarray,
                        network: Callable[..., Any]) -> Case:
    """The output in training mode: with no dropout nor batch norm, the same as in evaluation
    mode (a forward that looks at `self.training` to behave differently fails here)."""
    return Case(label, ([x], 0) + model_args, adapter=fixed_weights_train_forward,
                expected=as_array(network(tensor(x))), rtol=1e-7, atol=1e-9,
                check_dtype=False, scores=True, shape_rule=SCORES_RULE)


LENET_MISTAKES = [
    (dict(conv_act="none", fc_act="none"), NO_RELU_AT_ALL),
    (dict(conv_act="none"), N_("conv1 and conv2 are not followed by a ReLU: apply F.relu to "
                               "their outputs (before or after the pooling, it is the same)")),
    (dict(fc_act="none"), N_("fc1 and fc2 are not followed by a ReLU: apply F.relu to their "
                             "outputs")),
    (dict(conv_act="tanh", fc_act="tanh"), OTHER_ACTIVATION),
    (dict(conv_act="sigmoid", fc_act="sigmoid"), OTHER_ACTIVATION),
    (dict(last="relu"), RELU_ON_SCORES),
    (dict(last="softmax"), SOFTMAX_ON_SCORES),
    (dict(last="log_softmax"), SOFTMAX_ON_SCORES),
    (dict(pool="avg"), N_("this is average pooling: the network uses max-pooling "
                          "(nn.MaxPool2d)")),
    (dict(padding=0), NO_PAD),
    (dict(bias=False), NO_BIASES),
]


def _lenet_table() -> list[Case]:
    params = [
        ("conv1", "5x5x1x6 + 6", 156, {**no_bias(150, 6), conv_params(5, 3, 6): N_(
            "456 parameters: the digits are grey-level, 1 input channel")}),
        ("conv2", "5x5x6x16 + 16", 2416, {**no_bias(2400, 16), 1516: N_(
            "1,516 is the paper's partial connection table: here every kernel of conv2 "
            "spans all 6 input maps")}),
        ("fc1", "400x120 + 120", 48120, {**no_bias(48000, 120), dense(256, 120): NO_PAD}),
        ("fc2", "120x84 + 84", 10164, no_bias(10080, 84)),
        ("fc3", "84x10 + 10", 850, no_bias(840, 10)),
    ]
    # without pooling modules the table's rows are conv1, conv2, fc1, fc2, fc3
    layers = [("conv1", (28, 28, 6), {(24, 24, 6): NO_PAD}),
              ("pool1", (14, 14, 6), {(12, 12, 6): NO_PAD, (10, 10, 16): POOL_MODULES}),
              ("conv2", (10, 10, 16), {(8, 8, 16): NO_PAD, (1, 1, 120): POOL_MODULES}),
              ("pool2", (5, 5, 16), {(4, 4, 16): NO_PAD, (1, 1, 84): POOL_MODULES}),
              ("fc1", (1, 1, 120), {(1, 1, 10): POOL_MODULES}), ("fc2", (1, 1, 84), {}),
              ("fc3", (1, 1, 10), {})]
    return table_cases((), (1, 1, 28, 28), params, layers, "")


def _batch_case(n: int) -> Case:
    return Case(_("output shape for a batch of {count} digits").format(count=n),
                ((n, 1, 28, 28),), adapter=output_shape, expected=np.array([n, 10]),
                shape_rule=SCORES_RULE)


def _lenet_forward(x: np.ndarray) -> Case:
    return _forward_case(_("output for {count} digits with fixed weights").format(count=len(x)),
                         (), x, _lenet_ref, LENET_MISTAKES, SCORES_RULE)


@on_one_thread
def lenet5_cases(seed: int) -> tuple[list[Case], list[Case]]:
    vis, hid = streams(seed, "LeNet5")
    n = int(hid.integers(2, 9))
    x = vis.normal(size=(3, 1, 28, 28))
    training = _training_mode_case(_("output for {count} digits in training mode (the same as "
                                     "in evaluation mode: no dropout, no batch norm)").format(
                                         count=len(x)), (), x, _lenet_ref)
    return (_lenet_table() + [_batch_case(5), _lenet_forward(x), training],
            [_batch_case(1), _batch_case(int(hid.integers(2, 65))),
             _lenet_forward(hid.normal(size=(n, 1, 28, 28)))])


# ---------------------------------------------------------------------------------------------
# MLP
# ---------------------------------------------------------------------------------------------

def _mlp_ref(x: Any, sizes: list[int], act: str = "relu", last: str = "none",
             bias: bool = True) -> Any:
    return _head(x.flatten(1), sizes, act, last, bias)


HIDDEN_IGNORED = N_("the hidden layers must follow `hidden`: one nn.Linear per size in "
                    "hidden, not always (128, 64)")


def _mlp_counts(args: tuple) -> Case:
    hidden_sizes = args[0] if args else (128, 64)
    sizes = [784, *hidden_sizes, 10]
    pairs = list(zip(sizes[:-1], sizes[1:]))
    label = f"MLP({args[0]})" if args else _("MLP() (default hidden=(128, 64))")
    mistakes = [Mistake(counts([dense(i, o, False) for i, o in pairs]), NO_BIASES),
                Mistake(counts([dense(i, o) for i, o in pairs[:-1]]),
                        N_("the output layer (last hidden size -> 10 classes) is missing"))]
    if tuple(hidden_sizes) != (128, 64):
        mistakes.append(Mistake(counts([dense(784, 128), dense(128, 64), dense(64, 10)]),
                                HIDDEN_IGNORED))
    return Case(_("{model}: parameters per layer").format(model=label), args,
                adapter=parameter_counts, expected=counts([dense(i, o) for i, o in pairs]),
                shape_rule=_("one dense layer per pair of sizes in {sizes}").format(sizes=sizes),
                mistakes=mistakes)


def _mlp_forward(args: tuple, x: np.ndarray) -> Case:
    sizes = [*(args[0] if args else (128, 64)), 10]
    label = f"MLP({args[0]})" if args else "MLP()"

    def network(t: Any, **kw: Any) -> Any:
        return _mlp_ref(t, kw.pop("sizes", sizes), **kw)
    return _forward_case(_("{model}: output for {count} digits with fixed weights").format(
                             model=label, count=len(x)), args, x,
                         network, [(dict(act="none"), NO_RELU_AT_ALL),
                                    (dict(bias=False), NO_BIASES),
                                    (dict(sizes=[128, 64, 10]), HIDDEN_IGNORED),
                                    (dict(act="tanh"), OTHER_ACTIVATION),
                                    (dict(act="sigmoid"), OTHER_ACTIVATION),
                                    (dict(last="relu"), RELU_ON_SCORES),
                                    (dict(last="softmax"), SOFTMAX_ON_SCORES),
                                    (dict(last="log_softmax"), SOFTMAX_ON_SCORES)],
                         SCORES_RULE)


@on_one_thread
def mlp_cases(seed: int) -> tuple[list[Case], list[Case]]:
    vis, hid = streams(seed, "MLP")
    shape = Case(_("MLP(): output shape for a batch of 5 digits (5, 1, 28, 28)"),
                 ((5, 1, 28, 28),), adapter=output_shape, expected=np.array([5, 10]),
                 shape_rule=SCORES_RULE)
    x = vis.normal(size=(3, 1, 28, 28))
    training = _training_mode_case(_("MLP(): output for {count} digits in training mode (the "
                                     "same as in evaluation mode: no dropout)").format(
                                         count=len(x)), (), x,
                                   lambda t: _mlp_ref(t, [128, 64, 10]))
    visible = [shape] + [_mlp_counts(a) for a in [(), ((128, 64),), ((32,),)]] + [
        _mlp_forward((), x), _mlp_forward(((16, 8, 12),), vis.normal(size=(2, 1, 28, 28))),
        training]
    hidden = []
    for k in (1, 3):
        args = (tuple(int(h) for h in hid.integers(5, 300, size=k)),)
        hidden += [_mlp_counts(args),
                   _mlp_forward(args, hid.normal(size=(int(hid.integers(1, 6)), 1, 28, 28)))]
    return visible, hidden


# ---------------------------------------------------------------------------------------------
# count_parameters
# ---------------------------------------------------------------------------------------------

def _specs(rng: np.random.Generator, hidden: bool) -> list[tuple[str, list]]:
    """(label, layer spec for probes.layers)."""
    if hidden:
        c, f, n, m = (int(v) for v in rng.integers(1, 40, size=4))
        return [(_("random conv {c_in} -> {c_out} and dense {n_in} -> 3").format(
                    c_in=c, c_out=f, n_in=n),
                 [("conv", c, f, 3, bool(rng.integers(2))), ("linear", n, 3, True)]),
                (_("random conv {c_in} -> {c_out} without bias, batch norm, dense {n_in} -> "
                   "{n_out}").format(c_in=c, c_out=f, n_in=n, n_out=m),
                 [("conv", c, f, int(rng.integers(1, 6)), False), ("bn", f), ("relu",),
                  ("flatten",), ("linear", n, m, True)]),
                (_("random dense {n_in} -> {n_out} without bias, dense {n_out} -> 2").format(
                    n_in=n, n_out=m),
                 [("linear", n, m, False), ("relu",), ("linear", m, 2, True)])]
    return [
        ("Linear(3, 2)", [("linear", 3, 2, True)]),
        (_("Linear(3, 2) without bias"), [("linear", 3, 2, False)]),
        (_("conv 5x5 1 -> 6, ReLU, pool, conv 5x5 6 -> 16"),
         [("conv", 1, 6, 5, True), ("relu",), ("pool", 2), ("conv", 6, 16, 5, True)]),
        (_("conv, batch norm, flatten, dense"), [("conv", 3, 8, 3, True), ("bn", 8),
                                                 ("flatten",), ("linear", 200, 10, True)]),
    ]


def count_parameters_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return split(seed, "count_parameters", _specs, _count_case)


def _count_case(label: str, spec: list) -> Case:
    right, weights_only, tensors, first_axes, buffers = 0, 0, 0, 0, 0
    for kind, *rest in spec:
        if kind == "conv":
            c, f, k, b = rest
            right += conv_params(k, c, f, b)
            weights_only += k * k * c * f
            tensors, first_axes = tensors + 1 + b, first_axes + f * (1 + b)
        elif kind == "linear":
            i, o, b = rest
            right, weights_only = right + dense(i, o, b), weights_only + i * o
            tensors, first_axes = tensors + 1 + b, first_axes + o * (1 + b)
        elif kind == "bn":
            right, tensors, first_axes = right + 2 * rest[0], tensors + 2, first_axes + 2 * rest[0]
            buffers += 2 * rest[0] + 1  # running mean, running variance, batches seen
    mistakes = [Mistake(tensors, N_("that is the number of parameter tensors: add up "
                                    "p.numel() for each of them")),
                Mistake(first_axes, N_("len(p) is the size of the first axis only: p.numel() "
                                       "counts every number of the tensor"))]
    if weights_only != right:
        mistakes.append(Mistake(weights_only, N_("only the weights: biases (and batch-norm "
                                                 "scales and shifts) are parameters too")))
    if buffers:
        mistakes.append(Mistake(right + buffers, N_("model.state_dict() also holds batch "
                                                    "norm's running statistics, which are not "
                                                    "learned: count model.parameters() only")))
    return Case(label, (spec,), adapter=on_model, expected=right, check_dtype=False,
                mistakes=[m for m in mistakes if m.output != right])


# ---------------------------------------------------------------------------------------------
# train_step
# ---------------------------------------------------------------------------------------------

def _softmax_steps(seed: int, steps: int, lr: float) -> np.ndarray:
    """What `train_steps` should return, computed by hand on the same probe and batches:
    cross-entropy gradients of the Linear(4, 3) (softmax - one-hot, averaged over the batch)
    and plain SGD."""
    layer = probes.linear_probe(seed)
    W, b = layer.weight.detach().double().numpy(), layer.bias.detach().double().numpy()
    losses = []
    for xt, yt in probes.probe_batches(seed, steps):
        x, y = xt.double().numpy(), yt.numpy()
        z = x @ W.T + b
        z = z - z.max(1, keepdims=True)
        p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
        losses.append(-np.log(p[np.arange(len(y)), y]).mean())
        d = (p - np.eye(probes.N_CLASSES)[y]) / len(y)
        W, b = W - lr * d.T @ x, b - lr * d.sum(0)
    return np.concatenate([losses, W.ravel(), b])


def _wrong_steps(seed: int, steps: int, lr: float, zero_grad: bool = True, step: bool = True,
                 loss: str = "cross_entropy") -> np.ndarray:
    """What a wrong training step returns on the same probe (computed by PyTorch)."""
    import torch
    import torch.nn.functional as F

    losses = {"cross_entropy": F.cross_entropy,
              "softmax_first": lambda z, y: F.cross_entropy(torch.softmax(z, 1), y),
              "nll": F.nll_loss}
    model = probes.linear_probe(seed).double()
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    values = []
    for x, y in probes.probe_batches(seed, steps):
        if zero_grad:
            opt.zero_grad()
        value = losses[loss](model(x.double()), y)
        value.backward()
        if step:
            opt.step()
        values.append(value.item())
    weights = torch.cat([p.detach().reshape(-1) for p in model.parameters()]).numpy()
    return np.concatenate([values, weights])


def _runs(rng: np.random.Generator, hidden: bool) -> list[tuple[int, int, float]]:
    """(batch seed, steps, learning rate)."""
    if hidden:
        return [(int(rng.integers(100, 10**6)), int(rng.integers(2, 6)), lr)
                for lr in (0.1, float(rng.choice([0.05, 0.2, 0.3])))]
    return [(0, 1, 0.5), (1, 3, 0.5)]


def _train_case(s: int, steps: int, lr: float) -> Case:
    mistakes = [Mistake(_wrong_steps(s, steps, lr, step=False),
                        N_("the weights did not change: call loss.backward() then "
                           "optimizer.step() (and optimizer.zero_grad() before, not between)")),
                Mistake(_wrong_steps(s, steps, lr, loss="softmax_first"),
                        N_("F.cross_entropy applies the softmax itself: give it the raw scores "
                           "model(x), not probabilities")),
                Mistake(_wrong_steps(s, steps, lr, loss="nll"),
                        N_("F.nll_loss expects log-probabilities: use F.cross_entropy on the "
                           "raw scores model(x)"))]
    if steps > 1:
        mistakes.append(Mistake(_wrong_steps(s, steps, lr, zero_grad=False),
                                N_("the first step is right, the next ones are not: gradients "
                                   "add up across steps unless you call optimizer.zero_grad() "
                                   "at the start of each step")))
    return Case(_("{steps} step(s) of SGD (lr={lr}) on a Linear(4, 3), batch seed {seed}").format(
                    steps=steps, lr=lr, seed=s),
                (s, steps, lr), adapter=train_steps, expected=_softmax_steps(s, steps, lr),
                rtol=1e-4, atol=1e-5, check_dtype=False, mistakes=mistakes,
                shape_rule=_("{steps} losses, then 12 weights and 3 biases").format(steps=steps))


@on_one_thread
def train_step_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return split(seed, "train_step", _runs, _train_case)


check_count_parameters = NOTEBOOK.check("count_parameters", count_parameters_cases,
                                        N_("count_parameters(model) on small networks."))
check_lenet5 = NOTEBOOK.check("LeNet5", lenet5_cases,
                              N_("The LeNet5 class: parameters and output shape of each layer, "
                                 "and its output with fixed weights."),
                              widget="activation_explorer")
check_train_step = NOTEBOOK.check("train_step", train_step_cases,
                                  N_("train_step(model, x, y, optimizer) against SGD by hand."))
check_mlp = NOTEBOOK.check("MLP", mlp_cases, N_("The MLP class: parameters of each dense "
                                                "layer, and its output with fixed weights."))
