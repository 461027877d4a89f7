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
    """A hidden case is only "hidden case N": its label would show its sizes."""
    return f"hidden case {index + 1}" if hidden else verdict.label


def shown_message(verdict: Verdict, hidden: bool) -> str:
    return redact(verdict.message) if hidden else verdict.message


def lines(name: str, verdicts: Sequence[Verdict], hidden: bool) -> tuple[str, list[str],
                                                                        list[str]]:
    """(summary, failing lines, passing lines) as plain text."""
    kind = "hidden cases" if hidden else "cases"
    failing, passing = [], []
    for i, v in enumerate(verdicts):
        label = shown_label(v, i, hidden)
        if v.status is Status.PASS:
            passing.append(f"  ✓ {label}")
        else:
            failing.append(f"  ✗ {label}: {shown_message(v, hidden)}")
    if not failing:
        return f"✓ {name}: all {len(verdicts)} {kind} pass", failing, passing
    return (f"✗ {name}: {len(failing)} of {len(verdicts)} {kind} fail", failing, passing)


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
    return f"{n} other case passes" if n == 1 else f"{n} other cases pass"


def not_done(name: str) -> None:
    print(f"{name} is not done yet: write your code where it says YOUR CODE HERE, run that "
          f"cell, then run this one again.")
    if strict():
        raise CheckFailed(f"{name}: not done yet")


def show(name: str, verdicts: Sequence[Verdict], hidden: bool = False, verbose: bool = False,
         picture: tuple[Case, Any] | None = None) -> None:
    """Show the outcome of a check; raise CheckFailed if any case failed. `picture`: the first
    failing case and the answer's output, drawn where a front-end can show it."""
    if verdicts and verdicts[0].status is Status.NOT_DONE:
        not_done(name)
        return
    if verdicts and verdicts[0].status is Status.FORBIDDEN:
        print(f"✗ {name} {verdicts[0].message}")
        raise CheckFailed(f"{name}: a forbidden call (see above)")
    summary, failing, passing = lines(name, verdicts, hidden)
    if _shell() is None:
        print(as_text(summary, failing, passing, verbose))
    else:
        _display_html(summary, failing, passing, verbose)
        if failing and picture is not None:
            _display_picture(*picture)
    if failing:
        raise CheckFailed(f"{name}: {len(failing)} of {len(verdicts)} "
                          f"{'hidden cases' if hidden else 'cases'} failed (see above)")


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
        display({"image/png": png, "text/plain": "<picture: expected, got, difference>"},
                raw=True)


@contextlib.contextmanager
def skip_if_not_done() -> Iterator[None]:
    """Run a demonstration cell that uses the student's code; skip it quietly while a stub."""
    try:
        yield
    except NotImplementedError as exc:
        print(f"Skipped: {exc}. Come back to this cell when the exercise is done.")


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
