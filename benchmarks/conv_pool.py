"""Benchmark: the course's vectorised NumPy convolution and pooling against PyTorch on the CPU.

Times, side by side in one run, the SOLUTION versions of notebook 06 (`conv2d_im2col`,
`max_pool2d_vec`, `avg_pool2d_vec`) and notebook 07 (`conv2d_backward`), loaded by executing
their solution cells (course/ ships no solutions), against `torch.nn.functional` on the
lecture's AlexNet layers, VGG16's first block and a CIFAR-size layer. Prints each ratio
NumPy / PyTorch, GFLOP/s, the NumPy float32 matrix-product peak, and the BLAS kernel in use.

OpenBLAS picks its kernel from the CPU, unless OPENBLAS_CORETYPE (or OPENBLAS_L2_SIZE) says
otherwise; students' machines set neither. When this machine sets one, the script also runs
itself in a subprocess with both unset and prints those figures too.

Run by hand (a few minutes, on an otherwise idle machine):
    .venv/bin/python benchmarks/conv_pool.py            # optional: pip install threadpoolctl
Targets (see benchmarks/README.md): conv2d forward within 1.5x of PyTorch on AlexNet
conv2-conv5 at batch 8 and within 2.5x on every layer; max pooling no slower than PyTorch,
average pooling within 1.5x; conv backward (input and weight gradients) within 2.5x of autograd.
"""
from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import torch
import torch.nn.functional as F

from course import bench

ROOT = Path(__file__).resolve().parent.parent
BLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")

# (name, batch, C, H=W, F, kernel, stride, padding): the lecture's AlexNet table, VGG16's first
# block, a CIFAR-size layer.
CONVS = [(f"AlexNet {name} N={n}", n, *shape) for n in (1, 8) for name, shape in [
    ("conv1", (3, 227, 96, 11, 4, 0)), ("conv2", (96, 27, 256, 5, 1, 2)),
    ("conv3", (256, 13, 384, 3, 1, 1)), ("conv4", (384, 13, 384, 3, 1, 1)),
    ("conv5", (384, 13, 256, 3, 1, 1))]] + [
    ("VGG16 conv1_1 N=1", 1, 3, 224, 64, 3, 1, 1), ("VGG16 conv1_2 N=1", 1, 64, 224, 64, 3, 1, 1),
    ("CIFAR 64->64 N=64", 64, 64, 32, 64, 3, 1, 1)]
# (name, batch, C, H=W, kernel, stride): the pooling layers that follow them.
POOLS = [("AlexNet maxpool1 N=8", 8, 96, 55, 3, 2), ("AlexNet maxpool2 N=8", 8, 256, 27, 3, 2),
         ("AlexNet maxpool5 N=8", 8, 256, 13, 3, 2), ("VGG16 pool1 N=1", 1, 64, 224, 2, 2),
         ("CIFAR 2x2 N=64", 64, 64, 32, 2, 2)]


def load_solutions() -> dict:
    """Execute notebook 06's and 07's solution cells (and the helper they need) -> namespace."""
    ns: dict = {"np": np}
    exec("from numpy.lib.stride_tricks import sliding_window_view", ns)
    for name, wanted in (("06_vectorisation_gpu", {"im2col", "conv2d_im2col", "max_pool2d_vec",
                                                   "avg_pool2d_vec"}),
                         ("07_backprop", {"conv2d_backward"})):
        nb = nbformat.read(ROOT / "solutions" / f"{name}.ipynb", as_version=4)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in wanted or cell.source.startswith("def _pair"):
                exec(cell.source, ns)
    return ns


def blas_info() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (pip install threadpoolctl to see it)"
    infos = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    return "; ".join(f"{i.get('internal_api')} {i.get('version')}, kernel "
                     f"{i.get('architecture')}, {i.get('num_threads')} threads" for i in infos)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def ratio_line(name: str, t_np: float, t_torch: float, target: float, flops: int | None) -> str:
    ratio = t_np / t_torch
    gf = (f"{flops / t_np / 1e9:7.1f} {flops / t_torch / 1e9:7.1f}" if flops else f"{'':>15}")
    ok = "ok" if ratio <= target else f"MISSED by {ratio / target:.2f}x"
    return (f"| {name:<24} | {t_np * 1e3:9.2f} | {t_torch * 1e3:9.2f} | {ratio:5.2f} | {gf} "
            f"| <= {target:<4} {ok} |")


def run(min_run_time: float) -> None:
    fns = load_solutions()
    rng = np.random.default_rng(0)
    print(f"CPU: {cpu_model()}, {os.cpu_count()} logical cores; torch threads "
          f"{torch.get_num_threads()}")
    print("BLAS:", blas_info())
    print("env:", ", ".join(f"{v}={os.environ.get(v, '(unset)')}" for v in BLAS_VARS))
    peak = bench.matmul_peak("numpy", n=2048, min_run_time=1.0)
    print(f"NumPy float32 matmul peak (2048x2048): {peak:.1f} GFLOP/s; torch.mm: "
          f"{bench.matmul_peak('torch', n=2048, min_run_time=1.0):.1f} GFLOP/s")
    print("\n| layer | NumPy ms | PyTorch ms | ratio | GFLOP/s NumPy PyTorch | target |")
    print("|---|---|---|---|---|---|")
    for name, n, c, size, f, k, s, p in CONVS:
        x = rng.standard_normal((n, c, size, size), dtype=np.float32)
        w = rng.standard_normal((f, c, k, k), dtype=np.float32) * 0.01
        b = rng.standard_normal(f, dtype=np.float32)
        xt, wt, bt = (torch.from_numpy(a) for a in (x, w, b))
        ref = F.conv2d(xt, wt, bt, stride=s, padding=p)
        ours = fns["conv2d_im2col"](x, w, b, stride=s, padding=p)
        assert np.allclose(ours, ref.numpy(), rtol=1e-3, atol=1e-3), name
        t_np = bench.time_call(fns["conv2d_im2col"], x, w, b, stride=s, padding=p,
                               min_run_time=min_run_time)
        t_t = bench.time_call(F.conv2d, xt, wt, bt, stride=s, padding=p,
                              min_run_time=min_run_time)
        target = 1.5 if n == 8 and name.split()[1] in ("conv2", "conv3", "conv4", "conv5") else 2.5
        print(ratio_line(name, t_np, t_t, target, bench.conv2d_flops(x.shape, w.shape, ref.shape)))
    for kind, target in (("max", 1.0), ("avg", 1.5)):
        for name, n, c, size, k, s in POOLS:
            x = rng.standard_normal((n, c, size, size), dtype=np.float32)
            xt = torch.from_numpy(x)
            ours, theirs = fns[f"{kind}_pool2d_vec"], getattr(F, f"{kind}_pool2d")
            assert np.allclose(ours(x, k, s), theirs(xt, k, s).numpy(), atol=1e-5), name
            t_np = bench.time_call(ours, x, k, s, min_run_time=min_run_time)
            t_t = bench.time_call(theirs, xt, k, s, min_run_time=min_run_time)
            print(ratio_line(f"{kind}pool {name}", t_np, t_t, target, None))
    # Forward + backward of the CIFAR-size layer: our conv2d_backward against autograd.
    x = rng.standard_normal((64, 64, 32, 32), dtype=np.float32)
    w = rng.standard_normal((64, 64, 3, 3), dtype=np.float32) * 0.05
    g = rng.standard_normal((64, 64, 32, 32), dtype=np.float32)
    xt, wt = (torch.from_numpy(a).requires_grad_() for a in (x, w))
    gt = torch.from_numpy(g)
    out = F.conv2d(xt, wt, padding=1)
    gx, gw, _ = fns["conv2d_backward"](g, x, w, padding=1)
    tgx, tgw = torch.autograd.grad(out, (xt, wt), gt, retain_graph=True)
    assert np.allclose(gx, tgx.numpy(), rtol=1e-3, atol=1e-2)
    assert np.allclose(gw, tgw.numpy(), rtol=1e-3, atol=1e-1)
    flops = 2 * bench.conv2d_flops(x.shape, w.shape, g.shape)  # two products of the forward's size
    t_np = bench.time_call(fns["conv2d_backward"], g, x, w, padding=1, min_run_time=min_run_time)
    t_t = bench.time_call(lambda: torch.autograd.grad(out, (xt, wt), gt, retain_graph=True),
                          min_run_time=min_run_time)
    print(ratio_line("CIFAR backward (x, w)", t_np, t_t, 2.5, flops))

    def np_step():
        fns["conv2d_im2col"](x, w, padding=1)
        fns["conv2d_backward"](g, x, w, padding=1)

    def torch_step():
        torch.autograd.grad(F.conv2d(xt, wt, padding=1), (xt, wt), gt)

    t_np = bench.time_call(np_step, min_run_time=min_run_time)
    t_t = bench.time_call(torch_step, min_run_time=min_run_time)
    print(ratio_line("CIFAR forward+backward", t_np, t_t, 2.5, 3 * flops // 2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--min-run-time", type=float, default=0.5,
                        help="seconds of repeated calls per measurement (default 0.5)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    torch.set_grad_enabled(True)
    run(args.min_run_time)
    if not args.child and any(v in os.environ for v in BLAS_VARS):
        print(f"\n== again with {' and '.join(BLAS_VARS)} unset, as on students' machines ==",
              flush=True)
        env = {k: v for k, v in os.environ.items() if k not in BLAS_VARS}
        subprocess.run([sys.executable, __file__, "--child", "--min-run-time",
                        str(args.min_run_time)], env=env, check=True)
    elif not args.child:
        print(f"\n{' and '.join(BLAS_VARS)} are unset here: these figures are already the "
              f"students' configuration.")


if __name__ == "__main__":
    main()
