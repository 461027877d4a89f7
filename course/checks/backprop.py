"""Checks for notebook 07: gradients of convolution and pooling, and gradient checking.

Expected gradients come from `torch.autograd` in float64. `conv2d_backward` returns a tuple
(grad_input, grad_weight, grad_bias); each part is judged as its own case (through the adapters
`tuple_item_0/1/2`), so the message says which gradient is wrong. `numerical_gradient` is called
with a test function by name (adapter `with_test_function`), since the grader's child process
receives plain data only.
"""
from __future__ import annotations

import numpy as np

from . import oracle
from ._core import Case, Mistake, make_check
from .objectives import conv_loss, cubic_sum, wave
from .vectorised import conv_configs, out_size, pair, pool_configs


# ---------------------------------------------------------------------------------------------
# Numerical gradient
# ---------------------------------------------------------------------------------------------


def _central(f, x: np.ndarray, eps: float, step: str = "central", restore: bool = True):
    """The gradient a finite-difference formula gives, for every position at once: row i of
    `probe` is x moved by eps along axis i. `restore=False` reproduces the mistake of never
    putting x[i] back, so that position i sees the earlier positions moved by -eps."""
    flat = x.astype(np.float64).ravel()
    probe = np.eye(flat.size) * eps
    drift = np.tril(np.ones((flat.size, flat.size)), -1) * eps if not restore else 0.0
    values = lambda rows: np.array([f(r.reshape(x.shape)) for r in rows])  # noqa: E731
    if step == "forward":
        g = (values(flat + probe) - f(flat.reshape(x.shape))) / eps
    else:
        g = (values(flat - drift + probe) - values(flat - drift - probe)) / (2 * eps)
    return g.reshape(x.shape)


def numerical_gradient_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    rng = np.random.default_rng(seed)
    configs = [("f(x) = sum(x³ - 2x), x of 5 values", cubic_sum, rng.normal(size=5), 1e-3),
               ("f(x) = sum(sin(x)·x²), x of shape (2, 3)", wave, rng.normal(size=(2, 3)), 1e-3),
               ("squared output of a 2x2 convolution, x of shape (1, 2, 3, 4)", conv_loss,
                rng.normal(size=(1, 2, 3, 4)), 1e-4)]
    if hidden:
        for i in range(3):
            shape = tuple(int(v) for v in rng.integers(1, 5, size=i + 1))
            configs.append((f"hidden random x of shape {shape}", [cubic_sum, wave][i % 2],
                            rng.normal(size=shape) * 2, float(10.0 ** -rng.integers(2, 5))))
    cases = []
    for label, f, x, eps in configs:
        mistakes = [Mistake(_central(f, x, eps, "forward"),
                            "forward difference (f(x + eps) - f(x)) / eps: its error is "
                            "proportional to eps; use the central difference "
                            "(f(x + eps) - f(x - eps)) / (2 eps), error in eps²"),
                    Mistake(2 * _central(f, x, eps),
                            "twice the gradient: the central difference divides by 2·eps"),
                    Mistake(_central(f, x, eps, restore=False),
                            "x[i] is not put back after each perturbation: every later "
                            "evaluation starts from a modified x. Save the old value and restore "
                            "it")]
        cases.append(Case(f"{label}, eps={eps:g}", (f.__name__, x), dict(eps=eps),
                          call="with_test_function", arg_names=("f", "x"),
                          expected=_central(f, x, eps), mistakes=mistakes, rtol=1e-6,
                          atol=1e-8, shape_rule="the same shape as x"))
    return cases


# ---------------------------------------------------------------------------------------------
# Convolution
# ---------------------------------------------------------------------------------------------

def torch_conv_grads(grad_output, x, w, b, stride, padding, dilation):
    """(grad_input, grad_weight, grad_bias) of F.conv2d by autograd, float64."""
    torch = oracle._torch()
    xt, wt = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (x, w))
    bt = torch.zeros(w.shape[0], dtype=torch.float64, requires_grad=True)
    out = torch.nn.functional.conv2d(xt, wt, bt, stride=stride, padding=padding,
                                     dilation=dilation)
    out.backward(torch.tensor(grad_output, dtype=torch.float64))
    return tuple(t.grad.numpy() for t in (xt, wt, bt))


def _grad_input_assigned(g, x, w, stride, padding, dilation):
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


def _conv_backward_cases(hidden: bool, seed: int, small: bool) -> list[Case]:
    rng = np.random.default_rng(seed + 7)
    cases = []
    for label, x, w, _, s, p, d in conv_configs(hidden, seed, small=small):
        N, C, H, W = x.shape
        Fo, _, h, kw = w.shape
        (sh, sw), (ph, pw), (dh, dw) = pair(s), pair(p), pair(d)
        Ho, Wo = out_size(H, h, sh, ph, dh), out_size(W, kw, sw, pw, dw)
        g = rng.normal(size=(N, Fo, Ho, Wo)).astype(x.dtype)
        gx, gw, gb = torch_conv_grads(g, x, w, None, s, p, d)
        args, kwargs = (g, x, w), dict(stride=s, padding=p, dilation=d)
        tol = dict(rtol=1e-4, atol=1e-4) if x.dtype == np.float32 else dict(rtol=1e-8, atol=1e-9)
        names = ("grad_output", "input", "weight")
        per_image = [torch_conv_grads(g[n:n + 1], x[n:n + 1], w, None, s, p, d)[1]
                     for n in range(N)]
        gx_flip = torch_conv_grads(g, x, w[:, :, ::-1, ::-1].copy(), None, s, p, d)[0]
        input_mistakes = [Mistake(gx_flip, "the kernel must be flipped when the gradient goes "
                                           "back to the input (or, with col2im: weight2d.T @ "
                                           "grad, then add each column back where it was read)")]
        if (sh < h or sw < kw or dh > 1 or dw > 1) and h * kw > 1:
            input_mistakes.append(Mistake(_grad_input_assigned(g, x, w, s, p, d),
                                          "where windows overlap the gradients must be ADDED "
                                          "(+=), not assigned: an input value read by several "
                                          "windows gets the sum of their gradients"))
        if ph or pw:
            padded = torch_conv_grads(g, np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))), w,
                                      None, s, 0, d)[0]
            input_mistakes.append(Mistake(padded, "this is the gradient of the PADDED input: "
                                                  "crop the padding off, "
                                                  "[:, :, p:p + H, p:p + W]"))
        weight_mistakes = []
        if N > 1:
            weight_mistakes += [
                Mistake(per_image[-1], "grad_weight is the last image's only: the sum over the "
                                       "batch is missing (did you assign instead of adding, "
                                       "+=, inside the loop over images?)"),
                Mistake(per_image[0], "grad_weight is the first image's only: the kernel is "
                                      "shared by every image of the batch, so sum over the batch"),
                Mistake(gw / N, "you averaged over the batch: the loss is a sum over the batch, "
                                "so grad_weight is a sum (no division by N)")]
        bias_mistakes = [
            Mistake(g.sum(axis=(2, 3)), "grad_bias summed over the positions but not over the "
                                        "batch: sum over axes (0, 2, 3), one value per kernel"),
            Mistake(g.sum(axis=0), "grad_bias summed over the batch only: also sum over the "
                                   "positions, axes (0, 2, 3)"),
            Mistake(g.sum(axis=(0, 1)), "grad_bias summed over the wrong axes (0, 1): the bias "
                                        "has one value per kernel F, sum over axes (0, 2, 3)"),
            Mistake(g.mean(axis=(0, 2, 3)), "grad_bias is a mean: every output position adds "
                                            "the bias, so its gradient is the SUM over (0, 2, 3)")]
        for part, (name, expected, mistakes, rule) in enumerate([
                ("grad_input", gx, input_mistakes, f"the shape of input, {x.shape}"),
                ("grad_weight", gw, weight_mistakes, f"the shape of weight, {w.shape}"),
                ("grad_bias", gb, bias_mistakes, f"(F,) = ({Fo},)")]):
            cases.append(Case(f"{name}: {label}", args, kwargs, call=f"tuple_item_{part}",
                              expected=expected.astype(x.dtype), mistakes=mistakes,
                              shape_rule=rule, arg_names=names, **tol))
    return cases


def conv2d_backward_loops_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    return _conv_backward_cases(hidden, seed, small=True)


def conv2d_backward_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    return _conv_backward_cases(hidden, seed, small=False)


# ---------------------------------------------------------------------------------------------
# Pooling
# ---------------------------------------------------------------------------------------------

def torch_pool_grad(kind: str, grad_output, x, k, s) -> np.ndarray:
    torch = oracle._torch()
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    getattr(torch.nn.functional, f"{kind}_pool2d")(xt, k, s).backward(
        torch.tensor(grad_output, dtype=torch.float64))
    return xt.grad.numpy()


def _spread(g, x, k, s, divide: bool, assign: bool = False) -> np.ndarray:
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


def _pool_backward_cases(kind: str, hidden: bool, seed: int) -> list[Case]:
    rng = np.random.default_rng(seed + 11)
    cases = []
    for label, x, k, s in pool_configs(hidden, seed):
        kh, kw = pair(k)
        sh, sw = pair(s, k)
        N, C, H, W = x.shape
        Ho, Wo = out_size(H, kh, sh), out_size(W, kw, sw)
        g = rng.normal(size=(N, C, Ho, Wo)).astype(x.dtype)
        expected = torch_pool_grad(kind, g, x, k, s)
        mistakes = []
        overlap = sh < kh or sw < kw
        if kind == "max":
            if kh * kw > 1:
                mistakes += [Mistake(_spread(g, x, k, s, False),
                                     "the gradient went to every element of the window: only "
                                     "the maximum (the argmax) influenced the output, so only "
                                     "it gets the gradient; the others get 0"),
                             Mistake(_spread(g, x, k, s, True),
                                     "this is average pooling's gradient: max pooling sends "
                                     "the whole gradient to the window's argmax")]
            if overlap:
                gx = np.zeros(x.shape)
                mask_out = oracle._torch().nn.functional.max_pool2d(
                    oracle._torch().tensor(x, dtype=oracle._torch().float64), k, s,
                    return_indices=True)[1].numpy()
                flat = gx.reshape(N, C, -1)
                np.put_along_axis(flat, mask_out.reshape(N, C, -1), g.reshape(N, C, -1), axis=2)
                assigned = flat.reshape(x.shape)
                mistakes.append(Mistake(assigned, "where windows overlap, an element that is "
                                                  "the maximum of two windows gets BOTH their "
                                                  "gradients: add (+=), do not assign"))
        else:
            if kh * kw > 1:
                mistakes.append(Mistake(_spread(g, x, k, s, False),
                                        "the gradient is not divided by the window size: each "
                                        "element counts for 1/(h·w) of the mean"))
            if overlap:
                mistakes.append(Mistake(_spread(g, x, k, s, True, assign=True),
                                        "where windows overlap the gradients must be ADDED "
                                        "(+=), not assigned"))
        tol = dict(rtol=1e-4, atol=1e-5) if x.dtype == np.float32 else dict(rtol=1e-9,
                                                                             atol=1e-12)
        cases.append(Case(label, (g, x, k), dict(stride=s), expected=expected.astype(x.dtype),
                          arg_names=("grad_output", "input", "kernel_size"), mistakes=mistakes,
                          shape_rule=f"the shape of input, {x.shape}", **tol))
    return cases


def max_pool2d_backward_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    return _pool_backward_cases("max", hidden, seed)


def avg_pool2d_backward_cases(hidden: bool = False, seed: int = 0) -> list[Case]:
    return _pool_backward_cases("avg", hidden, seed)


FROM_SCRATCH = ("torch", "scipy", "jax", "autograd")

check_numerical_gradient = make_check("numerical_gradient", numerical_gradient_cases,
                                      "Check numerical_gradient(f, x, eps) (central "
                                      "differences).", forbid=FROM_SCRATCH)
check_conv2d_backward_loops = make_check("conv2d_backward_loops", conv2d_backward_loops_cases,
                                         "Check conv2d_backward_loops against autograd.",
                                         forbid=FROM_SCRATCH)
check_conv2d_backward = make_check("conv2d_backward", conv2d_backward_cases,
                                   "Check conv2d_backward against autograd.",
                                   forbid=FROM_SCRATCH)
check_max_pool2d_backward = make_check("max_pool2d_backward", max_pool2d_backward_cases,
                                       "Check max_pool2d_backward against autograd.",
                                       forbid=FROM_SCRATCH)
check_avg_pool2d_backward = make_check("avg_pool2d_backward", avg_pool2d_backward_cases,
                                       "Check avg_pool2d_backward against autograd.",
                                       forbid=FROM_SCRATCH)
