"""Timing helpers for notebook 06 and benchmarks/: how fast, in seconds and in GFLOP/s.

`torch.utils.benchmark.Timer` does the timing: it repeats a call until enough time has passed
(`blocked_autorange`), reports the median, and synchronises CUDA so that a GPU's asynchronous
work is counted. Timings vary from run to run and machine to machine: print them in cells that
nbval ignores.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .i18n import _


@dataclass
class Timing:
    """One measured implementation: median seconds per call and achieved GFLOP/s."""

    name: str
    seconds: float
    gflops: float | None = None


def time_call(fn: Callable[..., Any], *args: Any, min_run_time: float = 0.2,
              **kwargs: Any) -> float:
    """Median seconds of fn(*args, **kwargs) (CUDA work included: the Timer synchronises)."""
    from torch.utils import benchmark

    timer = benchmark.Timer(stmt="fn(*args, **kwargs)",
                            globals={"fn": fn, "args": args, "kwargs": kwargs})
    return float(timer.blocked_autorange(min_run_time=min_run_time).median)


def conv2d_flops(input_shape: tuple, weight_shape: tuple, output_shape: tuple) -> int:
    """Floating-point operations of a convolution: one multiply and one add per kernel entry
    and output value, 2·N·F·C·h·w·H_out·W_out. Shapes: input (N, C, H, W), weight (F, C, h, w),
    output (N, F, H_out, W_out)."""
    N, F, Ho, Wo = output_shape
    _, C, h, w = weight_shape
    return 2 * N * F * C * h * w * Ho * Wo


def compare(functions: dict[str, Callable[[], Any]], flops: int | None = None,
            min_run_time: float = 0.2) -> list[Timing]:
    """Time each zero-argument callable; GFLOP/s from `flops` when given."""
    out = []
    for name, fn in functions.items():
        s = time_call(fn, min_run_time=min_run_time)
        out.append(Timing(name, s, flops / s / 1e9 if flops else None))
    return out


def matmul_peak(backend: str = "numpy", n: int = 2048, device: str = "cpu",
                min_run_time: float = 0.5) -> float:
    """Achieved float32 GFLOP/s of an n x n matrix product: the machine's practical peak.

    backend "numpy" times np.matmul (its BLAS); "torch" times torch.mm on `device`."""
    flops = 2 * n ** 3
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    if backend == "numpy":
        return flops / time_call(np.matmul, a, a, min_run_time=min_run_time) / 1e9
    import torch

    t = torch.from_numpy(a).to(device)
    return flops / time_call(torch.mm, t, t, min_run_time=min_run_time) / 1e9


def _fmt_time(seconds: float) -> str:
    for unit, scale in (("s", 1), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def format_table(timings: list[Timing], peak_gflops: float | None = None,
                 baseline: str | None = None) -> str:
    """A text table: time, speed-up over `baseline` (default: the slowest), GFLOP/s, % of peak."""
    base = next((t.seconds for t in timings if t.name == baseline),
                max(t.seconds for t in timings))
    width = max(len(t.name) for t in timings)
    heads = (_("implementation"), _("time"), _("speed-up"), "GFLOP/s", _("% of peak"))
    # A column is as wide as its heading where a translated heading is longer.
    w_time, w_speed, w_flops, w_peak = (max(n, len(h)) for n, h in zip((9, 9, 8, 9), heads[1:]))
    lines = [f"{heads[0]:<{width}}  {heads[1]:>{w_time}}  {heads[2]:>{w_speed}}  "
             f"{heads[3]:>{w_flops}}" + (f"  {heads[4]:>{w_peak}}" if peak_gflops else "")]
    for t in timings:
        line = (f"{t.name:<{width}}  {_fmt_time(t.seconds):>{w_time}}  "
                f"{base / t.seconds:>{w_speed - 1}.3g}x")
        line += f"  {t.gflops:{w_flops}.3g}" if t.gflops is not None else f"  {'':>{w_flops}}"
        if peak_gflops and t.gflops is not None:
            line += f"  {100 * t.gflops / peak_gflops:{w_peak - 1}.2g}%"
        lines.append(line)
    return "\n".join(lines)
