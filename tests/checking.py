"""Helpers shared by the check tests (tests/test_checks_*.py)."""
from __future__ import annotations

from typing import Any, Callable

import pytest

from course.checks import CheckFailed


def fails_with(check: Callable, fn: Any, words: str, capsys: Any, may_raise: bool = True) -> str:
    """Run `check(fn)`, expect it to fail, and expect `words` in what it printed.

    may_raise=False also requires that the wrong answer itself ran without an exception, so
    that the diagnosis under test is the one that fired."""
    with pytest.raises(CheckFailed):
        check(fn)
    out = capsys.readouterr().out
    assert words in out, out
    assert may_raise or " raised " not in out, out
    return out
