"""Figures that depend on the machine: training results, timings, float32 sums.

Floating-point kernels differ between processors (AVX2, AVX-512, Apple, CUDA) and thread
counts, and training amplifies the last-bit differences. A notebook therefore shows such a
figure with the sign ≈ ("about") and states what it is expected to be as a range:

    >>> expect("test accuracy after 2 epochs", 0.947, at_least=0.90)
    test accuracy after 2 epochs ≈ 94.7%: as expected (at least 90%)

The tests compare notebook outputs exactly, except the number after ≈ (see
tests/nbval_sanitize.cfg); the range is the claim that is tested, on every machine.
"""
from __future__ import annotations

from .checks.feedback import CheckFailed
from .i18n import _

APPROX = "≈"


def approx(value: float, fmt: str = "{:.1%}") -> str:
    """`value` as a measured figure, e.g. '≈ 94.7%'."""
    return f"{APPROX} {fmt.format(value)}"


def expect(label: str, value: float, at_least: float | None = None,
           at_most: float | None = None, fmt: str = "{:.1%}") -> float:
    """Print `label ≈ value: as expected (range)` and return `value`; raise CheckFailed when
    the value is outside the range (a run that did not learn, a broken kernel). The sentence is
    in the notebook's language; so is `label` when the catalog has it."""
    if at_least is None and at_most is None:
        raise ValueError("expect needs at_least, at_most or both")
    if at_most is None:
        bounds = _("at least {low}").format(low=_bound(at_least, fmt))
    elif at_least is None:
        bounds = _("at most {high}").format(high=_bound(at_most, fmt))
    else:
        bounds = _("at least {low} and at most {high}").format(low=_bound(at_least, fmt),
                                                              high=_bound(at_most, fmt))
    shown = f"{_(label) if label else label} {approx(value, fmt)}"  # gettext("") is the header
    ok = (at_least is None or value >= at_least) and (at_most is None or value <= at_most)
    if not ok:
        raise CheckFailed(_("{figure}: expected {bounds}").format(figure=shown, bounds=bounds))
    print(_("{figure}: as expected ({bounds})").format(figure=shown, bounds=bounds))
    return value


def _bound(value: float, fmt: str) -> str:
    """A bound without trailing zeros: 0.9 with '{:.1%}' shows as 90%, not 90.0%."""
    text = fmt.format(value)
    if "." in text:
        head, _, tail = text.partition(".")
        digits = tail.rstrip("%").rstrip("0")
        unit = "%" if tail.endswith("%") else ""
        text = f"{head}.{digits}{unit}" if digits else f"{head}{unit}"
    return text
