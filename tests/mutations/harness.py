"""The mutation suite's harness: answers written as students would write them, as source text.

A `Wrong` answer must fail its check; where it reproduces a mistake the check knows, the
printed diagnosis must contain `says` (and never a wrong specific hint). A `Right` answer,
written differently from the solution, must pass the visible cases and the hidden ones for
several seeds. Sources are compiled under a file name registered in `linecache`, so that the
check can read them as it reads a notebook cell (`inspect.getsource`), forbidden calls included.
"""
from __future__ import annotations

import contextlib
import io
import itertools
import linecache
import os
import textwrap
from dataclasses import dataclass, field
from typing import Any

from course.checks import Check, CheckFailed

PRELUDE = """\
import math
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from numpy.lib.stride_tricks import sliding_window_view
from course.examples import *
"""
HIDDEN_SEEDS = (11, 22, 33)
_counter = itertools.count()


@dataclass(frozen=True)
class Wrong:
    """A wrong answer: `source` defines the function (or class) the check tests."""

    name: str
    source: str
    says: str | None = None  # words the diagnosis must contain; None: any failure will do
    setup: str = ""  # helpers the answer uses (another cell of the notebook)


@dataclass(frozen=True)
class Right:
    """A correct answer written differently from the solution."""

    name: str
    source: str
    setup: str = ""


def define(source: str, function: str, setup: str = "", prelude: str = PRELUDE) -> Any:
    """Execute a cell's source in a fresh namespace, as a notebook would; return `function`."""
    ns: dict[str, Any] = {"__name__": "__main__"}
    for part in (prelude, textwrap.dedent(setup), textwrap.dedent(source)):
        if not part.strip():
            continue
        filename = f"<mutant-{next(_counter)}>"
        linecache.cache[filename] = (len(part), None, part.splitlines(True), filename)
        exec(compile(part, filename, "exec"), ns)
    return ns[function]


def run(check: Check, answer: Any, hidden: bool = False, seed: int | None = None) -> tuple[bool, str]:
    """(passed, printed text) of one check call on an answer."""
    if seed is not None:
        os.environ["COURSE_HIDDEN_SEED"] = str(seed)
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            check(answer, hidden=hidden)
        return True, out.getvalue()
    except CheckFailed:
        return False, out.getvalue()
    finally:
        os.environ.pop("COURSE_HIDDEN_SEED", None)


def assert_wrong(check: Check, mutant: Wrong) -> str:
    """The wrong answer fails the visible check (the hint, if any, is the expected one)."""
    answer = define(mutant.source, check.function, mutant.setup)
    passed, text = run(check, answer)
    assert not passed, f"{mutant.name}: a wrong answer passed the visible check:\n{text}"
    if mutant.says is not None:
        assert mutant.says in text, f"{mutant.name}: expected {mutant.says!r} in:\n{text}"
    return text


def assert_right(check: Check, alternative: Right) -> None:
    """The correct alternative passes the visible cases and hidden ones for several seeds."""
    answer = define(alternative.source, check.function, alternative.setup)
    for hidden, seed in [(False, None)] + [(True, s) for s in HIDDEN_SEEDS]:
        passed, text = run(check, answer, hidden, seed)
        assert passed, f"{alternative.name}: a correct answer failed ({hidden=}, {seed=}):\n{text}"


@dataclass
class Tally:
    """Counts for the closing note: wrong answers, how many got a specific diagnosis."""

    wrong: int = 0
    specific: int = 0
    right: int = 0
    by_notebook: dict[str, list[int]] = field(default_factory=dict)


def suite(notebook_name: str, wrong: dict, right: dict, least_specific: float = 0.85) -> dict:
    """The tests of a notebook's suite, for its module's globals: every wrong answer fails
    with its diagnosis, every alternative passes, every exercise has both, and the counts
    (printed for the record) have at least `least_specific` of wrong answers with a named
    diagnosis. `wrong` and `right` are keyed by a Check or by the exercise's function name."""
    import pytest

    from course.checks.exercise import notebook

    checks = {c.function: c for c in notebook(notebook_name).checks}

    def check_of(key: Any) -> Check:
        return key if isinstance(key, Check) else checks[key]

    wrong_cases = [(check_of(k), m) for k, ms in wrong.items() for m in ms]
    right_cases = [(check_of(k), r) for k, rs in right.items() for r in rs]

    def name(value: Any) -> str:
        return getattr(value, "name", None) or getattr(value, "function", "")

    @pytest.mark.parametrize("check, mutant", wrong_cases, ids=name)
    def test_wrong_answer_fails_with_its_diagnosis(check: Check, mutant: Wrong) -> None:
        assert_wrong(check, mutant)

    @pytest.mark.parametrize("check, alternative", right_cases, ids=name)
    def test_correct_alternative_passes(check: Check, alternative: Right) -> None:
        assert_right(check, alternative)

    def test_every_exercise_has_wrong_and_right_answers() -> None:
        assert set(checks) == {c.function for c, _ in wrong_cases} == \
            {c.function for c, _ in right_cases}

    def test_tally(capsys: Any) -> None:
        """The suite's counts, printed for the record: wrong answers, those with a specific
        diagnosis (its `says` is asserted above), correct alternatives."""
        tally = Tally(wrong=len(wrong_cases), right=len(right_cases),
                      specific=sum(m.says is not None for _, m in wrong_cases))
        with capsys.disabled():
            print(f"\n{notebook_name}: {tally.wrong} wrong answers, {tally.specific} with a "
                  f"specific diagnosis, {tally.right} correct alternatives")
        assert tally.specific >= least_specific * tally.wrong

    return {f.__name__: f for f in (test_wrong_answer_fails_with_its_diagnosis,
                                    test_correct_alternative_passes,
                                    test_every_exercise_has_wrong_and_right_answers,
                                    test_tally)}


def edit(source: str, *changes: tuple[str, str]) -> str:
    """The source with each (old, new) replaced, as a student's edit would; `old` must be there."""
    for old, new in changes:
        assert old in source, old
        source = source.replace(old, new)
    return source
