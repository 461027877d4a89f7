"""What a check cell shows: one line when every case passes, the failing cases first (with a
picture of the difference) when some do not.

Plain text always says everything; in a front-end that shows HTML (JupyterLab, Notebook 7)
the passing cases fold into a `<details>` list and a failing array gets a picture. Under an
autograder (nbgrader sets NBGRADER_EXECUTION) and in a terminal there is only text: no HTML,
no picture.
"""
from __future__ import annotations

import contextlib
import html
import os
from typing import Any, Iterator, Sequence

import numpy as np

from ..i18n import _
from .case import Case
from .judge import Status, Verdict, redact


class CheckFailed(AssertionError):
    """Raised by a check cell when at least one case fails (after showing the diagnosis)."""


def strict() -> bool:
    """Autograders must not score a stub as passing, and see no pictures."""
    return bool(os.environ.get("NBGRADER_EXECUTION") or os.environ.get("COURSE_STRICT_CHECKS"))


def _shell() -> Any:
    """The IPython shell of a notebook kernel, or None (terminal, plain Python, autograder)."""
    if strict():
        return None
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    return shell if shell is not None and type(shell).__name__ == "ZMQInteractiveShell" else None


def shown_label(verdict: Verdict, index: int, hidden: bool) -> str:
    """A hidden case is only "hidden case N": its label would show its sizes. A visible case's
    label is declared as an N_() message, translated here."""
    if hidden:
        return _("hidden case {number}").format(number=index + 1)
    return _(verdict.label)


def shown_message(verdict: Verdict, hidden: bool) -> str:
    return redact(verdict.message) if hidden else verdict.message


def lines(name: str, verdicts: Sequence[Verdict], hidden: bool) -> tuple[str, list[str],
                                                                        list[str]]:
    """(summary, failing lines, passing lines) as plain text."""
    failing, passing = [], []
    for i, v in enumerate(verdicts):
        label = shown_label(v, i, hidden)
        if v.status is Status.PASS:
            passing.append(f"  ✓ {label}")
        else:
            failing.append("  ✗ " + _("{label}: {message}").format(
                label=label, message=shown_message(v, hidden)))
    if not failing:
        summary = _("✓ {name}: all {total} hidden cases pass") if hidden else \
            _("✓ {name}: all {total} cases pass")
        return summary.format(name=name, total=len(verdicts)), failing, passing
    summary = _("✗ {name}: {failing} of {total} hidden cases fail") if hidden else \
        _("✗ {name}: {failing} of {total} cases fail")
    return summary.format(name=name, failing=len(failing), total=len(verdicts)), failing, passing


def as_text(summary: str, failing: list[str], passing: list[str], verbose: bool) -> str:
    """The whole outcome as text: the failing cases first; the passing ones listed only on
    request (verbose=True), counted otherwise."""
    rows = [summary] + failing
    if verbose:
        rows += passing
    elif failing and passing:
        rows.append(f"  ✓ {_others(len(passing))}")
    return "\n".join(rows)


def _others(n: int) -> str:
    return _("{count} other case passes").format(count=n) if n == 1 else \
        _("{count} other cases pass").format(count=n)


def not_done(name: str) -> None:
    print(_("{name} is not done yet: write your code where it says {stub}, run that cell, then "
            "run this one again.").format(name=name, stub=_("YOUR CODE HERE")))
    if strict():
        raise CheckFailed(_("{name}: not done yet").format(name=name))


def show(name: str, verdicts: Sequence[Verdict], hidden: bool = False, verbose: bool = False,
         picture: tuple[Case, Any] | None = None) -> None:
    """Show the outcome of a check; raise CheckFailed if any case failed. `picture`: the first
    failing case and the answer's output, drawn where a front-end can show it."""
    if verdicts and verdicts[0].status is Status.NOT_DONE:
        not_done(name)
        return
    if verdicts and verdicts[0].status is Status.FORBIDDEN:
        print(_("✗ {name} {message}").format(name=name, message=verdicts[0].message))
        raise CheckFailed(_("{name}: a forbidden call (see above)").format(name=name))
    summary, failing, passing = lines(name, verdicts, hidden)
    if _shell() is None:
        print(as_text(summary, failing, passing, verbose))
    else:
        _display_html(summary, failing, passing, verbose)
        if failing and picture is not None:
            _display_picture(*picture)
    if failing:
        raise CheckFailed((_("{name}: {failing} of {total} hidden cases failed (see above)")
                           if hidden else _("{name}: {failing} of {total} cases failed (see "
                                            "above)")).format(name=name, failing=len(failing),
                                                              total=len(verdicts)))


def _display_html(summary: str, failing: list[str], passing: list[str], verbose: bool) -> None:
    from IPython.display import display

    text = as_text(summary, failing, passing, verbose)
    items = "".join(f"<li>{html.escape(p.strip())}</li>" for p in passing)
    fail_items = "".join(f"<li>{html.escape(f.strip())}</li>" for f in failing)
    open_attr = " open" if verbose else ""
    if failing:
        body = (f"<div><b>{html.escape(summary)}</b><ul>{fail_items}</ul>" +
                (f"<details{open_attr}><summary>{_others(len(passing))}</summary>"
                 f"<ul>{items}</ul></details>" if passing else "") + "</div>")
    else:
        body = (f"<details{open_attr}><summary>{html.escape(summary)}</summary><ul>{items}</ul>"
                f"</details>")
    display({"text/plain": text, "text/html": body}, raw=True)


def _display_picture(case: Case, output: Any) -> None:
    from IPython.display import display

    from ..viz.difference import difference_png

    png = difference_png(np.asarray(case.expected), output, case.shape_rule, case.spatial,
                         case.scores)
    if png is not None:
        display({"image/png": png, "text/plain": _("<picture: expected, got, difference>")},
                raw=True)


@contextlib.contextmanager
def skip_if_not_done() -> Iterator[None]:
    """Run a demonstration cell that uses the student's code; skip it quietly while a stub."""
    try:
        yield
    except NotImplementedError as exc:
        print(_("Skipped: {reason}. Come back to this cell when the exercise is done.").format(
            reason=exc))


def _show_check_failure(shell: Any, etype: type, value: BaseException, tb: Any,
                        tb_offset: int | None = None) -> None:
    """IPython handler: a failed check shows its one-line summary, not a traceback."""
    shell._showtraceback(etype, value, [f"{etype.__name__}: {value}"])


def install_ipython_hook() -> None:
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None and hasattr(shell, "set_custom_exc"):
        shell.set_custom_exc((CheckFailed,), _show_check_failure)
