"""Calling an answer on a case: the notebook's check, the progress report and the grader's
sandboxed child all call a student's function this way."""
from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Any

import numpy as np

from ..i18n import _
from .case import Case

_PACKAGE_DIR = str(Path(__file__).resolve().parent.parent)


class AnswerTypeError(TypeError):
    """An adapter found that the answer returned the wrong kind of value: a wrong answer with
    this message, not a crash of the student's code."""


def call_answer(answer: Any, case: Case) -> tuple[Any, list[Any]]:
    """`answer` called on copies of the case's inputs (through the case's adapter, if any);
    returns its output and the inputs afterwards (to see whether it changed them)."""
    args = [a.copy() if isinstance(a, np.ndarray) else a for a in case.args]
    kwargs = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in case.kwargs.items()}
    if case.adapter is not None:
        return case.adapter(answer, *args, **kwargs), args
    return answer(*args, **kwargs), args


def _student_line(tb: traceback.StackSummary) -> str:
    """The last line of the traceback that is the student's code rather than ours or NumPy's."""
    for frame in reversed(tb):
        f = frame.filename
        if f.startswith(_PACKAGE_DIR) or "site-packages" in f or f.startswith(sys.prefix) or \
                f.startswith(sys.base_prefix):
            continue
        return _(" (line {number}: `{code}`)").format(number=frame.lineno,
                                                    code=(frame.line or "").strip())
    return ""


def describe_exception(name: str, exc: BaseException) -> str:
    """`your conv1d raised IndexError: ... (line 5: `out[i] = ...`)`."""
    try:
        line = _student_line(traceback.extract_tb(exc.__traceback__))
        text = str(exc)
    except Exception:  # a hostile exception whose __str__ raises
        line, text = "", _("(its message could not be read)")
    return _("your {name} raised {error}: {message}{line}").format(
        name=name, error=type(exc).__name__, message=text[:300], line=line)
