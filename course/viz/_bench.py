"""Picture of a timing comparison (course.bench): one bar per implementation, log scale."""
from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt

from ..i18n import _


def timing_bars(timings: list[Any], title: str = "", peak_gflops: float | None = None) -> Any:
    """Horizontal bars of seconds per call (log scale), labelled with GFLOP/s when known.

    `timings` are course.bench.Timing objects. Returns the Figure."""
    fig, ax = plt.subplots(figsize=(8, 0.5 + 0.55 * len(timings)))
    names = [t.name for t in timings][::-1]
    secs = [t.seconds for t in timings][::-1]
    bars = ax.barh(names, secs, color="tab:blue")
    ax.set_xscale("log")
    ax.set_xlabel(_("seconds per call (log scale; shorter is faster)"))
    for bar, t in zip(bars, timings[::-1]):
        label = f" {t.gflops:.3g} GFLOP/s" if t.gflops is not None else ""
        if label and peak_gflops:
            label += " " + _("({percent}% of peak)").format(
                percent=f"{100 * t.gflops / peak_gflops:.2g}")
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, label, va="center",
                fontsize=9)
    ax.set_xlim(min(secs) / 3, max(secs) * 30)
    ax.set_title(_(title) if title else title)
    fig.tight_layout()
    return fig
