"""The feedback framework behind every check cell.

A check is a list of `Case`s: the inputs a student's function is called with, the expected
output (from PyTorch or the lecture's worked examples) and the outputs that typical mistakes
would produce, each with the explanation a teacher would give. `diagnose` compares one output
with one case using plain data only, so the grader can call it on outputs that came back from a
sandboxed child process; `run_check` calls the student's function in the notebook and prints
one line per case.
"""
from __future__ import annotations

import contextlib
import os
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np

PASS, FAIL, NOT_DONE = "pass", "fail", "not done"
_PACKAGE_DIR = str(Path(__file__).resolve().parent.parent)


class CheckFailed(AssertionError):
    """Raised by a check cell when at least one case fails (after printing the diagnosis)."""


@dataclass
class Mistake:
    """What a typical wrong implementation returns for a case, and what to tell the student."""

    output: Any
    message: str


@dataclass
class Case:
    """One call of the student's function and everything needed to judge its answer."""

    label: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    expected: Any = None
    shape_rule: str = ""  # how the expected shape follows from the inputs, for shape messages
    mistakes: list[Mistake] = field(default_factory=list)
    rtol: float = 1e-6
    atol: float = 1e-8
    check_dtype: bool = True  # float32 in, float32 out (int inputs may give any numeric dtype)
    arg_names: tuple[str, ...] = ()  # names of the positional args, for in-place messages
    call: str = ""  # name of an adapter in course.checks.adapters; "" calls fn(*args, **kwargs)


@dataclass
class Outcome:
    label: str
    status: str
    message: str = ""


# ---------------------------------------------------------------------------------------------
# Judging one output (plain data only: also used by the grader)
# ---------------------------------------------------------------------------------------------

def _fmt(v: Any) -> str:
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.6g}"
    if isinstance(v, (np.integer,)):
        return str(int(v))
    return str(v)


def _index(idx: tuple) -> str:
    return "[" + ", ".join(str(int(i)) for i in idx) + "]"


def _same(output: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> bool:
    if output.shape != expected.shape:
        return False
    if output.size == 0:
        return True
    try:
        return bool(np.allclose(output.astype(np.float64), expected.astype(np.float64),
                                rtol=rtol, atol=atol))
    except (TypeError, ValueError):
        return False


def _as_result(output: Any, expected: np.ndarray) -> tuple[np.ndarray | None, str | None]:
    """Turn the student's return value into an array, or explain why it cannot be judged."""
    if output is None:
        return None, ("your function returned None: did you forget the `return` statement?")
    if type(output).__module__.startswith("torch"):
        return None, ("your function returned a torch tensor: return a NumPy array "
                      "(use `.numpy()` on a CPU tensor)")
    if expected.ndim == 0:
        if isinstance(output, (bool, np.bool_)):
            return None, f"your function returned a boolean ({output}); expected a number"
        if isinstance(output, (int, float, np.number)) or (
                isinstance(output, np.ndarray) and output.ndim == 0):
            return np.asarray(output), None
        return None, (f"your function returned a {type(output).__name__}; expected a single "
                      f"number like {_fmt(expected.item())}")
    if not isinstance(output, np.ndarray):
        return None, (f"your function returned a {type(output).__name__}; return a NumPy array "
                      f"(e.g. create it with np.zeros(shape, dtype=...) and fill it)")
    if output.dtype.kind not in "biufc":
        return None, f"the output has dtype {output.dtype}; expected numbers"
    return output, None


def _shape_message(got: tuple, want: tuple, rule: str) -> str:
    msg = f"output shape is {got} but expected {want}"
    if rule:
        msg += f" ({rule})"
    if len(got) == len(want):
        diffs = [g - w for g, w in zip(got, want)]
        if any(d == -1 for d in diffs) and all(d in (0, -1) for d in diffs):
            msg += (". One value too few along an axis: off by one at the border? The last "
                    "window starts at index W - w, so the loop needs range(W - w + 1)")
        elif any(d == 1 for d in diffs) and all(d in (0, 1) for d in diffs):
            msg += ". One value too many: off by one at the border?"
    elif len(got) != len(want):
        msg += f": {len(got)} dimensions instead of {len(want)}"
    return msg


def _value_message(output: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> str:
    o, e = output.astype(np.float64), expected.astype(np.float64)
    if o.ndim == 0:
        return f"got {_fmt(output.item())} but expected {_fmt(expected.item())}"
    bad = ~np.isclose(o, e, rtol=rtol, atol=atol)
    first = tuple(np.argwhere(bad)[0])
    err = np.abs(o - e)
    worst = tuple(np.unravel_index(np.argmax(err), err.shape))
    msg = (f"{int(bad.sum())} of {bad.size} values differ; first at index {_index(first)}: "
           f"got {_fmt(output[first])}, expected {_fmt(expected[first])}; "
           f"largest error {_fmt(err[worst])} at {_index(worst)}")
    idx = np.argwhere(bad)
    at_border = np.zeros(len(idx), dtype=bool)
    for axis, n in enumerate(o.shape):
        at_border |= (idx[:, axis] == 0) | (idx[:, axis] == n - 1)
    if at_border.all() and bad.sum() < bad.size:
        msg += ". Only values at the border are wrong: check the first and last windows"
    if np.all(o[bad] == 0):
        msg += ". The wrong values are all 0: were they ever computed?"
    return msg


def diagnose(case: Case, output: Any, args_after: Sequence[Any] | None = None) -> str | None:
    """Return None when `output` is right for `case`, else a one-line diagnosis."""
    expected = np.asarray(case.expected)
    result, problem = _as_result(output, expected)
    if problem:
        return problem
    assert result is not None
    if expected.ndim == 0 and expected.dtype.kind in "iu" and result.dtype.kind not in "iu":
        return (f"got {_fmt(result.item())}: the answer is a count, return an int "
                f"(// is integer division)")
    if _same(result, expected, case.rtol, case.atol):
        moved = _inputs_modified(case, args_after)
        if moved:
            return moved
        if case.check_dtype and expected.dtype.kind == "f" and result.dtype != expected.dtype:
            return (f"values are right but the dtype is {result.dtype}, expected {expected.dtype}: "
                    f"create the output with dtype=np.result_type(...) of the inputs "
                    f"(np.zeros(n) is float64 by default)")
        return None
    for mistake in case.mistakes:
        m = np.asarray(mistake.output)
        if _same(result, m, case.rtol, case.atol):
            return mistake.message
    if result.dtype.kind in "fc" and not np.isfinite(result).all():
        where = tuple(np.argwhere(~np.isfinite(result))[0]) if result.ndim else ()
        return (f"the output contains NaN or inf (first at index {_index(where)}): "
                f"an uninitialised np.empty, or a division by zero?")
    if result.shape != expected.shape:
        return _shape_message(result.shape, expected.shape, case.shape_rule)
    if result.dtype.kind in "biu" and expected.dtype.kind == "f" and \
            not np.allclose(expected, np.round(expected)):
        return (f"the output has integer dtype {result.dtype}, so the values were rounded: "
                f"create the output with a float dtype, e.g. dtype=np.result_type(...) of the "
                f"inputs")
    return _value_message(result, expected, case.rtol, case.atol)


def _inputs_modified(case: Case, args_after: Sequence[Any] | None) -> str | None:
    if args_after is None:
        return None
    for i, (before, after) in enumerate(zip(case.args, args_after)):
        if isinstance(before, np.ndarray):
            after = np.asarray(after)
            if after.shape != before.shape or not np.array_equal(after, before, equal_nan=True):
                name = case.arg_names[i] if i < len(case.arg_names) else f"argument {i + 1}"
                return (f"the values are right but your function modified its input `{name}` in "
                        f"place: work on a copy, or write into a new output array")
    return None


# ---------------------------------------------------------------------------------------------
# Calling the student's function
# ---------------------------------------------------------------------------------------------

def _student_line(tb: traceback.StackSummary) -> str:
    """The last line of the traceback that is the student's code rather than ours or NumPy's."""
    for frame in reversed(tb):
        f = frame.filename
        if f.startswith(_PACKAGE_DIR) or "site-packages" in f or f.startswith(sys.prefix):
            continue
        return f" (line {frame.lineno}: `{(frame.line or '').strip()}`)"
    return ""


def describe_exception(name: str, exc: BaseException) -> str:
    line = _student_line(traceback.extract_tb(exc.__traceback__))
    return f"your {name} raised {type(exc).__name__}: {exc}{line}"


def call_student(fn: Callable, case: Case) -> tuple[Any, list[Any]]:
    """Call `fn` on copies of the case's inputs; return its output and the inputs afterwards."""
    args = [a.copy() if isinstance(a, np.ndarray) else a for a in case.args]
    kwargs = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in case.kwargs.items()}
    if case.call:
        from .adapters import ADAPTERS

        return ADAPTERS[case.call](fn, *args, **kwargs), args
    return fn(*args, **kwargs), args


def evaluate(name: str, fn: Any, cases: Sequence[Case]) -> list[Outcome]:
    """Run every case; a stub gives a single NOT_DONE outcome."""
    if not callable(fn):
        return [Outcome("setup", FAIL, f"`{name}` is a {type(fn).__name__}, not a function: "
                                       f"did you overwrite it? Run its cell again")]
    outcomes = []
    for case in cases:
        try:
            output, after = call_student(fn, case)
        except NotImplementedError:
            return [Outcome(case.label, NOT_DONE)]
        except Exception as exc:  # the student's bug becomes a diagnosis, not a traceback
            outcomes.append(Outcome(case.label, FAIL, describe_exception(name, exc)))
            continue
        problem = diagnose(case, output, after)
        outcomes.append(Outcome(case.label, FAIL if problem else PASS, problem or ""))
    return outcomes


# ---------------------------------------------------------------------------------------------
# What the student sees
# ---------------------------------------------------------------------------------------------

def _strict() -> bool:
    """Autograders (nbgrader sets NBGRADER_EXECUTION) must not score a stub as passing."""
    return bool(os.environ.get("NBGRADER_EXECUTION") or os.environ.get("COURSE_STRICT_CHECKS"))


def report(name: str, outcomes: Sequence[Outcome]) -> None:
    """Print one line per case; raise CheckFailed if any failed."""
    if outcomes and outcomes[0].status == NOT_DONE:
        print(f"{name} is not done yet: write your code where it says YOUR CODE HERE, run that "
              f"cell, then run this one again.")
        if _strict():
            raise CheckFailed(f"{name}: not done yet")
        return
    failed = [o for o in outcomes if o.status != PASS]
    for o in outcomes:
        mark = "✓" if o.status == PASS else "✗"
        print(f"  {mark} {o.label}" + (f": {o.message}" if o.message else ""))
    if failed:
        raise CheckFailed(f"{name}: {len(failed)} of {len(outcomes)} cases failed (see above)")
    print(f"{name}: all {len(outcomes)} cases pass.")


def run_check(name: str, fn: Any, cases: Sequence[Case]) -> None:
    """Evaluate and report: what a check cell calls."""
    print(f"Checking {name}:")
    report(name, evaluate(name, fn, cases))


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


# ---------------------------------------------------------------------------------------------
# Registry: every check, by exercise name (the grader finds cases here)
# ---------------------------------------------------------------------------------------------

CaseBuilder = Callable[..., list]
REGISTRY: dict[str, CaseBuilder] = {}
FORBIDDEN: dict[str, tuple[str, ...]] = {}


def make_check(name: str, cases: CaseBuilder, doc: str,
               forbid: tuple[str, ...] = ()) -> Callable[..., None]:
    """Register `cases(hidden, seed)` under `name` and return the check a notebook calls.

    `forbid` lists the library functions or modules (dotted names, e.g. "numpy.convolve",
    "torch") that a from-scratch answer may not use; the grader scores such answers zero."""
    REGISTRY[name] = cases
    FORBIDDEN[name] = tuple(forbid)

    def check(fn: Any, hidden: bool = False, seed: int = 0) -> None:
        """hidden=True runs only the extra cases that the visible check does not show."""
        chosen = cases(hidden=hidden, seed=seed)
        if hidden:
            chosen = chosen[len(cases(hidden=False, seed=seed)):]
        run_check(name + (" (hidden tests)" if hidden else ""), fn, chosen)

    check.__name__ = check.__qualname__ = f"check_{name}"
    check.__doc__ = doc
    return check
