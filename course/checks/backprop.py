"""Checks for notebook 07: gradients of convolution and pooling, and gradient checking.

Expected gradients come from `torch.autograd` in float64. `conv2d_backward` returns a tuple
(grad_input, grad_weight, grad_bias); each part is judged as its own case (through the adapters
`tuple_item_0/1/2`), so the message says which gradient is wrong. `numerical_gradient` is called
with a test function by name (adapter `with_test_function`), since the grader's child process
receives plain data only. Some max-pooling inputs have tied maxima, visible and hidden: PyTorch
gives a window's gradient to its first maximum in row-major order.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .. import reference as ref
from ..i18n import N_, _
from ..reference import conv_output_size as out_size
from ..reference import pair
from .adapters import tuple_item_0, tuple_item_1, tuple_item_2, with_test_function
from .case import Case, Mistake, split, streams
from .exercise import Notebook
from .fixed_weights import on_one_thread
from .forbid import GRADIENTS
from .objectives import conv_loss, cubic_sum, wave
from .vectorisation_gpu import conv_configs, pool_configs, reference_im2col

NOTEBOOK = Notebook("07_backprop")


# ---------------------------------------------------------------------------------------------
# Numerical gradient
# ---------------------------------------------------------------------------------------------


def _central(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float,
             step: str = "central", restore: bool = True) -> np.ndarray:
    """The gradient a finite-difference formula gives, for every position at once: row i of
    `probe` is x moved by eps along axis i. `restore=False` reproduces the mistake of never
    putting x[i] back, so that position i sees the earlier positions moved by -eps."""
    flat = x.astype(np.float64).ravel()
    probe = np.eye(flat.size) * eps
    drift = np.tril(np.ones((flat.size, flat.size)), -1) * eps if not restore else 0.0
    values = lambda rows: np.array([f(r.reshape(x.shape)) for r in rows])  # noqa: E731
    if step == "forward":
        g = (values(flat + probe) - f(flat.reshape(x.shape))) / eps
    elif step == "backward":
        g = (f(flat.reshape(x.shape)) - values(flat - probe)) / eps
    else:
        g = (values(flat - drift + probe) - values(flat - drift - probe)) / (2 * eps)
    return g.reshape(x.shape)


def _on_integers(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float) -> np.ndarray:
    """What the central difference gives when x stays an integer array: x[i] = old + eps is
    cut back to an integer (toward zero)."""
    work, grad = x.copy(), np.zeros(x.shape)
    for i in np.ndindex(*x.shape):
        old = work[i]
        work[i] = old + eps
        up = f(work)
        work[i] = old - eps
        down = f(work)
        work[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad


def _gradient_configs(rng: np.random.Generator, hidden: bool) -> list[tuple]:
    """(label, test function, x, eps)."""
    if not hidden:
        return [(_("f(x) = sum(x³ - 2x), x of 5 values"), cubic_sum, rng.normal(size=5), 1e-3),
                (_("f(x) = sum(sin(x)·x²), x of shape (2, 3)"), wave, rng.normal(size=(2, 3)),
                 1e-3),
                (_("squared output of a 2x2 convolution, x of shape (1, 2, 3, 4)"), conv_loss,
                 rng.normal(size=(1, 2, 3, 4)), 1e-4),
                (_("f(x) = sum(x³ - 2x), a large eps (the answer depends on it)"), cubic_sum,
                 rng.normal(size=(2, 2)), 0.1),
                (_("f(x) = sum(sin(x)·x²), x an int64 array"), wave,
                 np.array([[1, -2, 0], [3, 1, -1]]), 1e-3)]
    out = []
    for i in range(3):
        shape = tuple(int(v) for v in rng.integers(1, 5, size=i + 1))
        out.append((_("random x of shape {shape}").format(shape=shape), [cubic_sum, wave][i % 2],
                    rng.normal(size=shape) * 2, float(10.0 ** -rng.integers(1, 5))))
    return out


def _gradient_case(label: str, f: Callable[[np.ndarray], float], x: np.ndarray,
                   eps: float) -> Case:
    right = _central(f, x, eps)
    integers = N_("x is an integer array: x[i] = old + eps is cut back to an integer. Work on "
                  "a float64 copy, x.astype(np.float64), and return a float64 gradient")
    mistakes = [Mistake(_central(f, x, eps, "forward"),
                        N_("forward difference (f(x + eps) - f(x)) / eps: its error is "
                           "proportional to eps; use the central difference (f(x + eps) - "
                           "f(x - eps)) / (2 eps), error in eps²")),
                Mistake(_central(f, x, eps, "backward"),
                        N_("backward difference (f(x) - f(x - eps)) / eps: its error is "
                           "proportional to eps; use the central difference (f(x + eps) - "
                           "f(x - eps)) / (2 eps), error in eps²")),
                Mistake(2 * right, N_("twice the gradient: the central difference divides by "
                                      "2·eps")),
                Mistake(right * eps ** 2, N_("(up - down) / 2 * eps multiplies by eps: divide by "
                                             "(2 * eps), with the parentheses")),
                Mistake(_central(f, x, eps, restore=False),
                        N_("x[i] is not put back after each perturbation: every later evaluation "
                           "starts from a modified x. Save the old value and restore it"))]
    if eps != 1e-6:
        mistakes.append(Mistake(_central(f, x, 1e-6), N_("the eps argument is ignored: perturb "
                                                         "x[i] by the eps you are given")))
    if x.dtype.kind in "iu":
        on_integers = _on_integers(f, x, eps)
        mistakes += [Mistake(on_integers, integers),
                     Mistake(np.trunc(on_integers).astype(np.int64), integers)]
    return Case(f"{label}, eps={eps:g}", (f.__name__, x), dict(eps=eps),
                adapter=with_test_function, arg_names=("f", "x"), expected=right,
                mistakes=mistakes, rtol=1e-6, atol=1e-8, shape_rule=_("the same shape as x"))


@on_one_thread
def numerical_gradient_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return split(seed, "numerical_gradient", _gradient_configs, _gradient_case)


# ---------------------------------------------------------------------------------------------
# Convolution
# ---------------------------------------------------------------------------------------------

def _grad_input_assigned(g: np.ndarray, x: np.ndarray, w: np.ndarray, stride: Any,
                         padding: Any, dilation: Any) -> np.ndarray:
    """col2im that assigns (=) instead of adding (+=) where windows overlap."""
    N, C, H, W = x.shape
    Fo, _, h, kw = w.shape
    (sh, sw), (ph, pw), (dh, dw) = pair(stride), pair(padding), pair(dilation)
    Ho, Wo = g.shape[2:]
    dcols = np.einsum("nfij,fcab->ncabij", g.astype(np.float64), w.astype(np.float64))
    dx = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for a in range(h):
        for b in range(kw):
            dx[:, :, a * dh:a * dh + sh * (Ho - 1) + 1:sh,
               b * dw:b * dw + sw * (Wo - 1) + 1:sw] = dcols[:, :, a, b]
    return dx[:, :, ph:ph + H, pw:pw + W]


def _assigned_in_loops(g: np.ndarray, x: np.ndarray, w: np.ndarray, stride: Any,
                       padding: Any, dilation: Any) -> np.ndarray:
    """The loops of the notebook with gx[n, :, window] = ... instead of +=: each input keeps
    the last window's (and the last kernel's) contribution only."""
    N, C, H, W = x.shape
    Fo, _, h, kw = w.shape
    (sh, sw), (ph, pw), (dh, dw) = pair(stride), pair(padding), pair(dilation)
    dx = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for n in range(N):
        for f in range(Fo):
            for i in range(g.shape[2]):
                for j in range(g.shape[3]):
                    dx[n, :, i * sh:i * sh + dh * (h - 1) + 1:dh,
                       j * sw:j * sw + dw * (kw - 1) + 1:dw] = g[n, f, i, j] * w[f]
    return dx[:, :, ph:ph + H, pw:pw + W]


def _weight_assigned_in_loops(g: np.ndarray, x: np.ndarray, w: np.ndarray, stride: Any,
                              padding: Any, dilation: Any) -> np.ndarray:
    """The loops of the notebook with gw[f] = ... instead of +=: the last window of the last
    image only."""
    Fo, _, h, kw = w.shape
    (sh, sw), (ph, pw), (dh, dw) = pair(stride), pair(padding), pair(dilation)
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    i, j = g.shape[2] - 1, g.shape[3] - 1
    window = xp[-1, :, i * sh:i * sh + dh * (h - 1) + 1:dh, j * sw:j * sw + dw * (kw - 1) + 1:dw]
    return g[-1, :, i, j, None, None, None] * window[None]


def _grads_of_matrix(g2: np.ndarray, x: np.ndarray, w: np.ndarray, stride: Any, padding: Any,
                     dilation: Any) -> tuple[np.ndarray, np.ndarray]:
    """(grad_input, grad_weight) that the vectorised backward pass computes from the matrix
    g2 (F, N·H_out·W_out) it made of grad_output."""
    N, C, H, W = x.shape
    Fo, _, h, kw = w.shape
    (sh, sw), (ph, pw), (dh, dw) = pair(stride), pair(padding), pair(dilation)
    Ho, Wo = out_size(H, h, sh, ph, dh), out_size(W, kw, sw, pw, dw)
    cols = reference_im2col(x.astype(np.float64), (h, kw), stride, padding, dilation)
    gw = (g2 @ cols.T).reshape(w.shape)
    dcols = (w.reshape(Fo, -1).T @ g2).reshape(C, h, kw, N, Ho, Wo)
    gx = np.zeros((C, N, H + 2 * ph, W + 2 * pw))
    for a in range(h):
        for b in range(kw):
            gx[:, :, a * dh:a * dh + sh * (Ho - 1) + 1:sh,
               b * dw:b * dw + sw * (Wo - 1) + 1:sw] += dcols[:, a, b]
    return gx[:, :, ph:ph + H, pw:pw + W].transpose(1, 0, 2, 3), gw


def _moved_grads(g: np.ndarray, x: np.ndarray, w: np.ndarray, stride: Any, padding: Any,
                 dilation: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """(grad_input, grad_weight) of loops that place window (i, j) with these stride and
    dilation while looping over grad_output's positions: the gradients of that convolution
    with grad_output in its top-left corner; None if a window would leave the input."""
    (sh, sw), (ph, pw), (dh, dw) = pair(stride), pair(padding), pair(dilation)
    size = [out_size(x.shape[2 + a], w.shape[2 + a], (sh, sw)[a], (ph, pw)[a], (dh, dw)[a])
            for a in (0, 1)]
    if size[0] < g.shape[2] or size[1] < g.shape[3]:
        return None
    placed = np.zeros(g.shape[:2] + tuple(size))
    placed[:, :, :g.shape[2], :g.shape[3]] = g
    gx, gw, _ = ref.conv2d_grads(placed, x, w, stride, padding, dilation)
    return gx, gw


MIXED = {"grad_input": N_("grad_input: grad_output must become (F, N·H_out·W_out) with F moved "
                          "first, grad_output.transpose(1, 0, 2, 3).reshape(F, -1); reshaping it "
                          "directly mixes images and kernels"),
         "grad_weight": N_("grad_weight: grad_output must become (F, N·H_out·W_out) with F "
                           "moved first, grad_output.transpose(1, 0, 2, 3).reshape(F, -1); "
                           "reshaping it directly mixes images and kernels")}
IGNORED = {  # (grad_input's message, grad_weight's message)
    "stride": (N_("grad_input: the stride is ignored; the window of output (i, j) starts at "
                  "(i * sh, j * sw)"),
               N_("grad_weight: the stride is ignored; the window of output (i, j) starts at "
                  "(i * sh, j * sw)")),
    "dilation": (N_("grad_input: the dilation is ignored; tap (a, b) of window (i, j) reads "
                    "(i*sh + a*dh, j*sw + b*dw)"),
                 N_("grad_weight: the dilation is ignored; tap (a, b) of window (i, j) reads "
                    "(i*sh + a*dh, j*sw + b*dw)"))}


@on_one_thread
def _conv_backward_cases(seed: int, small: bool) -> tuple[list[Case], list[Case]]:
    """Three cases per configuration: grad_input, grad_weight, grad_bias."""
    def cases(rng: np.random.Generator, hidden: bool) -> list[Case]:
        return [c for config in conv_configs(rng, hidden, small)
                for c in _conv_backward_parts(rng, *config)]
    vis, hid = streams(seed, "conv2d_backward")
    return cases(vis, False), cases(hid, True)


def _conv_backward_parts(rng: np.random.Generator, label: str, x: np.ndarray, w: np.ndarray,
                         _bias: Any, s: Any, p: Any, d: Any) -> list[Case]:
    """One case per gradient of conv2d_backward's tuple, each with its own mistakes."""
    N, C, H, W = x.shape
    Fo, h, kw = w.shape[0], w.shape[2], w.shape[3]
    (sh, sw), (ph, pw), (dh, dw) = pair(s), pair(p), pair(d)
    Ho, Wo = out_size(H, h, sh, ph, dh), out_size(W, kw, sw, pw, dw)
    g = rng.normal(size=(N, Fo, Ho, Wo)).astype(x.dtype)
    gx, gw, gb = ref.conv2d_grads(g, x, w, s, p, d)
    args, kwargs = (g, x, w), dict(stride=s, padding=p, dilation=d)
    tol = dict(rtol=1e-4, atol=1e-4) if x.dtype == np.float32 else dict(rtol=1e-8, atol=1e-9)
    names = ("grad_output", "input", "weight")
    both = _both_grads_mistakes(g, x, w, s, p, d)
    input_mistakes = _input_grad_mistakes(g, x, w, s, p, d) + [m for m, _ in both]
    weight_mistakes = (_weight_grad_mistakes(g, x, w, gw, s, p, d) + [m for _, m in both] +
                       _batch_weight_mistakes(g, x, w, gw, s, p, d))
    return [Case(f"{name}: {label}", args, kwargs, adapter=adapter,
                 expected=expected.astype(x.dtype), mistakes=mistakes, shape_rule=rule,
                 arg_names=names, spatial=spatial, **tol)
            for name, adapter, expected, mistakes, rule, spatial in [
                ("grad_input", tuple_item_0, gx, input_mistakes,
                 _("the shape of input, {shape}").format(shape=x.shape), (2, 3)),
                ("grad_weight", tuple_item_1, gw, weight_mistakes,
                 _("the shape of weight, {shape}").format(shape=w.shape), ()),
                ("grad_bias", tuple_item_2, gb, _bias_grad_mistakes(g), f"(F,) = ({Fo},)", ())]]


def _input_grad_mistakes(g: np.ndarray, x: np.ndarray, w: np.ndarray, s: Any, p: Any,
                         d: Any) -> list[Mistake]:
    N, C, H, W = x.shape
    ph, pw = pair(p)
    gx_flip = ref.conv2d_grads(g, x, w[:, :, ::-1, ::-1].copy(), s, p, d)[0]
    mistakes = [
        Mistake(gx_flip, N_("the kernel must be flipped when the gradient goes back to the "
                            "input (or, with col2im: weight2d.T @ grad, then add each column "
                            "back where it was read)")),
        Mistake(_grad_input_assigned(g, x, w, s, p, d),
                N_("where windows overlap the gradients must be ADDED (+=), not assigned: an input "
                   "value read by several windows gets the sum of their gradients")),
        Mistake(_assigned_in_loops(g, x, w, s, p, d),
                N_("the gradients must be ADDED (+=), not assigned: an input value read by several "
                   "windows, and by every kernel, gets the sum of all their gradients"))]
    if ph or pw:
        padded = ref.conv2d_grads(g, np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))), w,
                                  s, 0, d)[0]
        mistakes += [
            Mistake(padded, N_("this is the gradient of the PADDED input: crop the padding off, "
                               "[:, :, ph:ph + H, pw:pw + W]")),
            Mistake(padded[:, :, ph:H, pw:W], N_("the crop [ph:H, pw:W] stops short: the input's "
                                                 "rows are [ph:ph + H] of the padded gradient "
                                                 "(and its columns [pw:pw + W])"))]
    if not (ph and pw):
        empty = np.zeros((N, C, H if ph else 0, W if pw else 0), x.dtype)
        mistakes.append(Mistake(empty, N_("with padding 0, the crop [p:-p] is empty (-0 is "
                                          "0): crop with [ph:ph + H, pw:pw + W]")))
    return mistakes


def _weight_grad_mistakes(g: np.ndarray, x: np.ndarray, w: np.ndarray, gw: np.ndarray, s: Any,
                          p: Any, d: Any) -> list[Mistake]:
    return [Mistake(_weight_assigned_in_loops(g, x, w, s, p, d),
                    N_("grad_weight holds the last window's contribution only: every image and "
                       "position adds its part (+=), none replaces (=) the others")),
            Mistake(gw.reshape(w.shape[0], -1).T.reshape(w.shape),
                    N_("grad_weight comes out of the product as (C·h·w, F): transpose it to "
                       "(F, C·h·w) before reshaping it to the weight's shape"))]


def _both_grads_mistakes(g: np.ndarray, x: np.ndarray, w: np.ndarray, s: Any, p: Any,
                         d: Any) -> list[tuple[Mistake, Mistake]]:
    """Mistakes that make both grad_input and grad_weight wrong: (on input, on weight)."""
    both = []
    if x.shape[0] > 1:
        mixed = _grads_of_matrix(g.astype(np.float64).reshape(w.shape[0], -1), x, w, s, p, d)
        both.append((Mistake(mixed[0], MIXED["grad_input"]),
                     Mistake(mixed[1], MIXED["grad_weight"])))
    ignored = []
    if pair(s) != (1, 1):
        ignored.append((_moved_grads(g, x, w, 1, p, d), IGNORED["stride"]))
    if pair(d) != (1, 1):
        ignored.append((_moved_grads(g, x, w, s, p, 1), IGNORED["dilation"]))
    both += [(Mistake(grads[0], on_input), Mistake(grads[1], on_weight))
             for grads, (on_input, on_weight) in ignored if grads is not None]
    return both


def _batch_weight_mistakes(g: np.ndarray, x: np.ndarray, w: np.ndarray, gw: np.ndarray,
                           s: Any, p: Any, d: Any) -> list[Mistake]:
    """grad_weight of one image only, or averaged over the batch."""
    N = x.shape[0]
    if N == 1:
        return []
    per_image = [ref.conv2d_grads(g[n:n + 1], x[n:n + 1], w, s, p, d)[1] for n in (N - 1, 0)]
    return [Mistake(per_image[0], N_("grad_weight is the last image's only: the sum over the "
                                     "batch is missing (each image adds its part, +=; none "
                                     "replaces the others)")),
            Mistake(per_image[1], N_("grad_weight is the first image's only: the kernel is "
                                     "shared by every image of the batch, so sum over the batch")),
            Mistake(gw / N, N_("you averaged over the batch: the loss is a sum over the batch, "
                               "so grad_weight is a sum (no division by N)"))]


def _bias_grad_mistakes(g: np.ndarray) -> list[Mistake]:
    return [
        Mistake(g.sum(axis=(2, 3)), N_("grad_bias summed over the positions but not over the "
                                       "batch: sum over axes (0, 2, 3), one value per kernel")),
        Mistake(g.sum(axis=0), N_("grad_bias summed over the batch only: also sum over the "
                                  "positions, axes (0, 2, 3)")),
        Mistake(g.sum(axis=(0, 1)), N_("grad_bias summed over the wrong axes (0, 1): the bias "
                                       "has one value per kernel F, sum over axes (0, 2, 3)")),
        Mistake(g.mean(axis=(0, 2, 3)), N_("grad_bias is a mean: every output position adds "
                                           "the bias, so its gradient is the SUM over (0, 2, 3)"))]


def conv2d_backward_loops_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return _conv_backward_cases(seed, small=True)


def conv2d_backward_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return _conv_backward_cases(seed, small=False)


# ---------------------------------------------------------------------------------------------
# Pooling
# ---------------------------------------------------------------------------------------------

def _spread(g: np.ndarray, x: np.ndarray, k: Any, s: Any, divide: bool,
            assign: bool = False) -> np.ndarray:
    """Every window element gets the window's gradient (divided by h·w when `divide`)."""
    kh, kw = pair(k)
    sh, sw = pair(s, k)
    Ho, Wo = g.shape[2:]
    gx = np.zeros(x.shape)
    for a in range(kh):
        for b in range(kw):
            sl = (slice(None), slice(None), slice(a, a + sh * (Ho - 1) + 1, sh),
                  slice(b, b + sw * (Wo - 1) + 1, sw))
            gx[sl] = g / (kh * kw if divide else 1) + (0 if assign else gx[sl])
    return gx


def _with_ties(x: np.ndarray, how: str) -> np.ndarray:
    """x made to have tied maxima: through a ReLU after a shift (mostly zeros) or rounded to
    integers."""
    return (np.maximum(x - 1, 0) if how == "relu" else np.round(x)).astype(x.dtype)


@on_one_thread
def _tied(rng: np.random.Generator) -> np.ndarray:
    """Small integers (many ties), the first 2x2 windows chosen so that the first maximum in
    row-major order, the first in column-major order and the last one all differ."""
    x = rng.integers(0, 3, size=(2, 2, 6, 6)).astype(np.float64)
    x[0, 0, :2, :6] = [[0, 2, 1, 1, 0, 1],
                       [2, 1, 1, 1, 0, 1]]
    return x


@on_one_thread
def _pool_backward_cases(kind: str, seed: int) -> tuple[list[Case], list[Case]]:
    """The pooling configurations of notebook 06; some inputs have tied maxima, where
    PyTorch sends the gradient to the first maximum of the window in row-major order."""
    def cases(rng: np.random.Generator, hidden: bool) -> list[tuple]:
        configs = pool_configs(rng, hidden)
        if hidden:
            return [(label, _with_ties(x, "relu" if i == 1 else "round") if i in (1, 3) else x,
                     k, s) for i, (label, x, k, s) in enumerate(configs)]
        return configs + [
            (_("ties: integer values, 2x2 windows"), _tied(rng), 2, None),
            (_("ties: ReLU output (many zeros), 3x3 windows, stride 2 (overlapping)"),
             _with_ties(rng.normal(size=(1, 3, 7, 7)).astype(np.float32), "relu"), 3, 2)]
    vis, hid = streams(seed, "pool_backward")
    return ([_pool_backward_case(kind, vis, *c) for c in cases(vis, False)],
            [_pool_backward_case(kind, hid, *c) for c in cases(hid, True)])


def _windows(x: np.ndarray, k: Any, s: Any, size: tuple[int, int]) -> np.ndarray:
    """Every pooling window of x: (N, C, H_out, W_out, h, w)."""
    (kh, kw), (sh, sw) = pair(k), pair(s, k)
    win = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(2, 3))
    return win[:, :, ::sh, ::sw][:, :, :size[0], :size[1]]


def _max_routed(g: np.ndarray, x: np.ndarray, k: Any, s: Any, rule: str) -> np.ndarray:
    """max_pool2d's input gradient when each window's gradient goes to its maxima by `rule`:
    "first" or "last" in row-major order, "first by columns" (column-major), "all" of them,
    or "split" equally between them."""
    (kh, kw), (sh, sw) = pair(k), pair(s, k)
    Ho, Wo = g.shape[2:]
    win = _windows(x, k, s, (Ho, Wo))
    ties = win == win.max(axis=(4, 5), keepdims=True)
    if rule in ("first", "last", "first by columns"):
        order = ties.swapaxes(4, 5) if rule == "first by columns" else ties
        flat = order.reshape(order.shape[:4] + (-1,))
        pick = flat.argmax(axis=4) if rule != "last" else flat.shape[4] - 1 - \
            flat[..., ::-1].argmax(axis=4)
        chosen = np.zeros(flat.shape)
        np.put_along_axis(chosen, pick[..., None], 1.0, axis=4)
        chosen = chosen.reshape(order.shape)
        weights = chosen.swapaxes(4, 5) if rule == "first by columns" else chosen
    else:
        weights = ties / (ties.sum(axis=(4, 5), keepdims=True) if rule == "split" else 1)
    gx = np.zeros(x.shape)
    for a in range(kh):
        for b in range(kw):
            gx[:, :, a:a + sh * (Ho - 1) + 1:sh, b:b + sw * (Wo - 1) + 1:sw] += \
                weights[..., a, b] * g
    return gx


def _pool_backward_case(kind: str, rng: np.random.Generator, label: str, x: np.ndarray,
                        k: Any, s: Any) -> Case:
    kh, kw = pair(k)
    sh, sw = pair(s, k)
    N, C, H, W = x.shape
    g = rng.normal(size=(N, C, out_size(H, kh, sh), out_size(W, kw, sw))).astype(x.dtype)
    expected = ref.pool2d_grad(kind, g, x, k, s)
    mistakes = (_max_backward_mistakes(g, x, k, s) if kind == "max" else
                _avg_backward_mistakes(g, x, k, s)) + _stride_backward_mistakes(kind, g, x, k, s)
    tol = dict(rtol=1e-4, atol=1e-5) if x.dtype == np.float32 else dict(rtol=1e-9,
                                                                         atol=1e-12)
    return Case(label, (g, x, k), dict(stride=s), expected=expected.astype(x.dtype),
                arg_names=("grad_output", "input", "kernel_size"), mistakes=mistakes,
                shape_rule=_("the shape of input, {shape}").format(shape=x.shape), spatial=(2, 3),
                **tol)


def _max_backward_mistakes(g: np.ndarray, x: np.ndarray, k: Any, s: Any) -> list[Mistake]:
    """Gradients sent to the wrong elements: all of the window, the wrong one of tied maxima,
    or assigned where windows overlap."""
    N, C = x.shape[:2]
    mistakes = [
        Mistake(_spread(g, x, k, s, False),
                N_("the gradient went to every element of the window: only the maximum (the "
                   "argmax) influenced the output, so only it gets the gradient; the others "
                   "get 0")),
        Mistake(_spread(g, x, k, s, True),
                N_("this is average pooling's gradient: max pooling sends the whole gradient "
                   "to the window's argmax")),
        Mistake(_max_routed(g, x, k, s, "all"),
                N_("where several elements tie for the maximum, each got the gradient: "
                   "PyTorch gives it to the first maximum only (row-major order)")),
        Mistake(_max_routed(g, x, k, s, "split"),
                N_("where several elements tie for the maximum, you split the gradient "
                   "between them: PyTorch gives all of it to the first maximum (row-major "
                   "order)")),
        Mistake(_max_routed(g, x, k, s, "last"),
                N_("where several elements tie for the maximum, the gradient went to the "
                   "last one: PyTorch gives it to the first (row-major order: keep a "
                   "maximum unless a later value is strictly larger)")),
        Mistake(_max_routed(g, x, k, s, "first by columns"),
                N_("where several elements tie for the maximum, the gradient went to the "
                   "first one column by column: PyTorch takes the first in row-major order "
                   "(row by row)"))]
    flat = np.zeros(x.shape).reshape(N, C, -1)
    np.put_along_axis(flat, ref.max_pool2d_argmax(x, k, s).reshape(N, C, -1),
                      g.reshape(N, C, -1), axis=2)
    mistakes.append(Mistake(flat.reshape(x.shape),
                            N_("where windows overlap, an element that is the maximum of two "
                               "windows gets BOTH their gradients: add (+=), do not assign")))
    return mistakes


def _avg_backward_mistakes(g: np.ndarray, x: np.ndarray, k: Any, s: Any) -> list[Mistake]:
    """The mean's 1/(h·w) missing or half applied, or gradients assigned where windows overlap."""
    kh, kw = pair(k)
    sides = [(kh, "h"), (kw, "w")][:1 + (kh != kw)]
    one_side = N_("you divided by one side of the window only: each element counts for "
                  "1/(h·w) of the mean")
    mistakes = [Mistake(_spread(g, x, k, s, False) / side, one_side, f"divided by {name}")
                for side, name in sides]
    return mistakes + [Mistake(_spread(g, x, k, s, False),
                               N_("the gradient is not divided by the window size: each element "
                                  "counts for 1/(h·w) of the mean")),
                       Mistake(_spread(g, x, k, s, True, assign=True),
                               N_("where windows overlap the gradients must be ADDED (+=), not "
                                  "assigned"))]


def _stride_backward_mistakes(kind: str, g: np.ndarray, x: np.ndarray, k: Any,
                              s: Any) -> list[Mistake]:
    """Windows placed as if the stride were 1."""
    (kh, kw), (sh, sw) = pair(k), pair(s, k)
    if (sh, sw) == (1, 1):
        return []
    N, C, H, W = x.shape
    dense = np.zeros((N, C, H - kh + 1, W - kw + 1))
    dense[:, :, :g.shape[2], :g.shape[3]] = g
    unstrided = ref.pool2d_grad(kind, dense, x, k, 1)
    mistakes = [Mistake(unstrided, N_("the windows' positions ignore the stride: window "
                                      "(i, j) starts at (i * sh, j * sw), and stride=None "
                                      "means stride = kernel_size"))]
    if s is None:
        mistakes.append(Mistake(unstrided, N_("stride=None means stride = kernel_size "
                                              "(PyTorch's default: windows side by side), "
                                              "not 1")))
    return mistakes


def max_pool2d_backward_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return _pool_backward_cases("max", seed)


def avg_pool2d_backward_cases(seed: int) -> tuple[list[Case], list[Case]]:
    return _pool_backward_cases("avg", seed)


check_numerical_gradient = NOTEBOOK.check("numerical_gradient", numerical_gradient_cases,
                                          N_("numerical_gradient(f, x, eps): central differences."),
                                          forbid=GRADIENTS, loops=True)
check_conv2d_backward_loops = NOTEBOOK.check("conv2d_backward_loops",
                                             conv2d_backward_loops_cases,
                                             N_("conv2d_backward_loops against autograd."),
                                             forbid=GRADIENTS, loops=True)
check_conv2d_backward = NOTEBOOK.check("conv2d_backward", conv2d_backward_cases,
                                       N_("conv2d_backward (vectorised) against autograd."),
                                       forbid=GRADIENTS)
check_max_pool2d_backward = NOTEBOOK.check("max_pool2d_backward", max_pool2d_backward_cases,
                                           N_("max_pool2d_backward against autograd."),
                                           forbid=GRADIENTS)
check_avg_pool2d_backward = NOTEBOOK.check("avg_pool2d_backward", avg_pool2d_backward_cases,
                                           N_("avg_pool2d_backward against autograd."),
                                           forbid=GRADIENTS)
