"""Judging answers with plain data only: the notebook's check and the grader both call this.

`judge` compares one output with one case and records which declared mistakes it reproduces.
`explain` then looks at all the cases of a check together: a mistake is named only if it
explains the answer on every case where that mistake differs from the right answer, so that a
hint is never given for a coincidence on one case. Otherwise the message is generic (shape,
first differing value, ...), never a wrong specific one.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any, Sequence

import numpy as np

from ..i18n import _
from .case import Case


class Status(str, Enum):
    PASS = "pass"
    FAIL = "fail"  # a wrong answer
    ERROR = "error"  # the student's function raised
    NOT_DONE = "not done"  # the stub still raises NotImplementedError
    FORBIDDEN = "forbidden"  # a call the exercise does not allow


@dataclass(frozen=True)
class Returned:
    """An answer known only by the name of its type (the grader never unpickles what a
    student's function returned)."""

    type_name: str
    module: str


@dataclass(frozen=True)
class Verdict:
    """The judgement of one case: plain data, the same in the notebook and in the grader."""

    label: str
    status: Status
    message: str = ""
    matches: tuple[str, ...] = ()  # keys of the declared mistakes this answer reproduces
    telling: tuple[str, ...] = ()  # keys of the declared mistakes that differ from the answer


# ---------------------------------------------------------------------------------------------
# One case
# ---------------------------------------------------------------------------------------------

def _fmt(v: Any) -> str:
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.6g}"
    if isinstance(v, np.integer):
        return str(int(v))
    return str(v)


def _index(idx: tuple) -> str:
    return "[" + ", ".join(str(int(i)) for i in idx) + "]"


def same(output: Any, expected: Any, rtol: float, atol: float) -> bool:
    """Equal shapes and values within the tolerances (NaN never equals anything)."""
    output, expected = np.asarray(output), np.asarray(expected)
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
    """The student's return value as an array, or why it cannot be judged."""
    if output is None:
        return None, _("your function returned None: did you forget the `return` statement?")
    if isinstance(output, Returned):
        output_module, output_type = output.module, output.type_name
    else:
        output_module, output_type = type(output).__module__, type(output).__name__
    if output_module.startswith("torch"):
        return None, _("your function returned a torch tensor: return a NumPy array "
                       "(use `.numpy()` on a CPU tensor)")
    if expected.ndim == 0:
        if isinstance(output, (bool, np.bool_)):
            return None, _("your function returned a boolean ({value}); expected a "
                           "number").format(value=output)
        if isinstance(output, (int, float, np.number)) or (
                isinstance(output, np.ndarray) and output.ndim == 0):
            return np.asarray(output), None
        return None, _("your function returned a {type}; expected a single number like "
                       "{example}").format(type=output_type, example=_fmt(expected.item()))
    if not isinstance(output, np.ndarray):
        return None, _("your function returned a {type}; return a NumPy array (e.g. create "
                       "it with np.zeros(shape, dtype=...) and fill it)").format(type=output_type)
    if output.dtype.kind not in "biufc":
        return None, _("the output has dtype {dtype}; expected numbers").format(
            dtype=output.dtype)
    return output, None


def _modified_input(case: Case, args_after: Sequence[Any] | None) -> str | None:
    """The name of the first array input the answer changed in place, or None."""
    if args_after is None:
        return None
    for i, (before, after) in enumerate(zip(case.args, args_after)):
        if isinstance(before, np.ndarray):
            after = np.asarray(after)
            if after.shape != before.shape or not np.array_equal(after, before, equal_nan=True):
                return case.arg_names[i] if i < len(case.arg_names) else \
                    _("argument {number}").format(number=i + 1)
    return None


def _inputs_modified(case: Case, args_after: Sequence[Any] | None) -> str | None:
    name = _modified_input(case, args_after)
    if name is None:
        return None
    return _("the values are right but your function modified its input `{name}` in place: "
             "work on a copy, or write into a new output array").format(name=name)


def _right_answer_problem(case: Case, result: np.ndarray,
                          args_after: Sequence[Any] | None) -> str | None:
    """What is still wrong with right values: an input changed in place, or the dtype."""
    moved = _inputs_modified(case, args_after)
    if moved:
        return moved
    expected = np.asarray(case.expected)
    if case.check_dtype and expected.dtype.kind == "b" and result.dtype.kind != "b":
        return _("values are right but the dtype is {got}, expected bool: a mask holds True "
                 "and False (create it with dtype=bool); ~mask and indexing with a mask need "
                 "booleans").format(got=result.dtype)
    if case.check_dtype and expected.dtype.kind == "f" and result.dtype != expected.dtype:
        if not _follows_inputs(case, expected.dtype):
            return _("values are right but the dtype is {got}, expected {expected} whatever "
                     "the dtype of the inputs: convert the inputs or the result (e.g. "
                     "np.asarray(x, dtype=np.{expected}))").format(got=result.dtype,
                                                                  expected=expected.dtype)
        return _("values are right but the dtype is {got}, expected {expected}: create the "
                 "output with dtype=np.result_type(...) of the inputs (np.zeros(n) is float64 "
                 "by default)").format(got=result.dtype, expected=expected.dtype)
    if case.check_dtype and expected.ndim and expected.dtype.kind in "iu" and \
            result.dtype.kind not in "iu":
        return _("values are right but the dtype is {got}, expected {expected}: this "
                 "operation only moves values, so the output keeps the input's dtype (create it "
                 "with dtype=input.dtype)").format(got=result.dtype, expected=expected.dtype)
    return None


def _follows_inputs(case: Case, dtype: np.dtype) -> bool:
    """Whether `dtype` is the float dtype of the case's array inputs (float32 in, float32
    out), rather than a dtype the exercise asks for whatever they are (e.g. float32 from
    PyTorch)."""
    arrays = [a for a in (*case.args, *case.kwargs.values())
              if isinstance(a, np.ndarray) and a.dtype.kind in "biuf"]
    if not arrays:
        return True
    inputs = np.result_type(*arrays)
    return (inputs if inputs.kind == "f" else np.dtype(np.float64)) == dtype


def judge(case: Case, output: Any, args_after: Sequence[Any] | None = None,
          loops: bool = False) -> Verdict:
    """The verdict on one output. `loops`: the exercise asks for loops, so hints may speak of
    loop bounds."""
    expected = np.asarray(case.expected)
    telling = tuple(dict.fromkeys(m.key for m in case.mistakes
                                  if not same(m.output, expected, case.rtol, case.atol)))
    result, problem = _as_result(output, expected)
    if result is None:
        return Verdict(case.label, Status.FAIL, problem or "", telling=telling)
    if expected.ndim == 0 and expected.dtype.kind in "iu" and result.dtype.kind not in "iu":
        return Verdict(case.label, Status.FAIL, _("got {got}: the answer is a count, return an "
                                                  "int (// is integer division)").format(
                                                      got=_fmt(result.item())), telling=telling)
    if same(result, expected, case.rtol, case.atol):
        problem = _right_answer_problem(case, result, args_after)
        return Verdict(case.label, Status.FAIL if problem else Status.PASS, problem or "",
                       telling=telling)
    matches = tuple(dict.fromkeys(m.key for m in case.mistakes if m.key in telling and
                                  same(result, m.output, case.rtol, case.atol)))
    message = generic_message(case, result, loops)
    moved = _modified_input(case, args_after)
    if moved is not None:  # often the cause: a slice such as x[i:i+w] is a view of the input
        message = _("{message}. Your function also modified its input `{name}` in place (a "
                    "slice of an array is a view: changing it changes the input)").format(
                        message=message, name=moved)
    return Verdict(case.label, Status.FAIL, message, matches=matches, telling=telling)


def generic_message(case: Case, result: np.ndarray, loops: bool = False) -> str:
    """What is wrong with an output that no declared mistake explains."""
    expected = np.asarray(case.expected)
    if result.dtype.kind in "fc" and not np.isfinite(result).all():
        where = tuple(np.argwhere(~np.isfinite(result))[0]) if result.ndim else ()
        return _("the output contains NaN or inf (first at index {index}): an uninitialised "
                 "np.empty, or a division by zero?").format(index=_index(where))
    if result.shape != expected.shape:
        return shape_message(result.shape, expected.shape, case.shape_rule, loops)
    if result.dtype.kind in "biu" and expected.dtype.kind == "f" and \
            not np.allclose(expected, np.round(expected)):
        return _("the output has integer dtype {dtype}, so the values were rounded: create "
                 "the output with a float dtype, e.g. dtype=np.result_type(...) of the "
                 "inputs").format(dtype=result.dtype)
    if result.dtype == np.float32 and expected.dtype == np.float64 and \
            np.allclose(result, expected, rtol=1e-4, atol=1e-4):
        return _("the output is float32, so the values lost precision: float64 inputs give a "
                 "float64 output, create it with dtype=np.result_type(...) of the inputs")
    return value_message(result, expected, case.rtol, case.atol, case.spatial)


def shape_message(got: tuple, want: tuple, rule: str, loops: bool = False) -> str:
    """The shapes, the case's rule (a declared N_() message, translated here) and, for one
    value too few or too many, the likely window mistake."""
    if rule:
        msg = _("output shape is {got} but expected {expected} ({rule})").format(
            got=got, expected=want, rule=_(rule))
    else:
        msg = _("output shape is {got} but expected {expected}").format(got=got, expected=want)
    if len(got) != len(want):
        return _("{message}: {got} dimensions instead of {expected}").format(
            message=msg, got=len(got), expected=len(want))
    diffs = [g - w for g, w in zip(got, want)]
    if any(d == -1 for d in diffs) and all(d in (0, -1) for d in diffs):
        msg = _("{message}. One value too few along an axis: is the last window "
                "missing?").format(message=msg)
        if loops:
            msg = _("{message} The last window starts at index W - w, so the loop needs "
                    "range(W - w + 1)").format(message=msg)
    elif any(d == 1 for d in diffs) and all(d in (0, 1) for d in diffs):
        msg = _("{message}. One value too many along an axis: a window that does not fit was "
                "kept?").format(message=msg)
    return msg


def value_message(output: np.ndarray, expected: np.ndarray, rtol: float, atol: float,
                  spatial: tuple[int, ...] = ()) -> str:
    """Where the values differ: count, first index, largest error; a border hint when every
    wrong value lies on the image border (the first or last row or column of a spatial
    axis)."""
    o, e = output.astype(np.float64), expected.astype(np.float64)
    if o.ndim == 0:
        return _("got {got} but expected {expected}").format(got=_fmt(output.item()),
                                                             expected=_fmt(expected.item()))
    bad = ~np.isclose(o, e, rtol=rtol, atol=atol)
    first = tuple(np.argwhere(bad)[0])
    err = np.abs(o - e)
    worst = tuple(np.unravel_index(np.argmax(err), err.shape))
    msg = _("{count} of {size} values differ; first at index {index}: got {got}, expected "
            "{expected}; largest error {error} at {where}").format(
                count=int(bad.sum()), size=bad.size, index=_index(first),
                got=_fmt(output[first]), expected=_fmt(expected[first]), error=_fmt(err[worst]),
                where=_index(worst))
    if spatial and bad.sum() < bad.size and _on_border(np.argwhere(bad), o.shape, spatial):
        msg = _("{message}. Only values at the border are wrong: check the first and last "
                "windows").format(message=msg)
    if np.all(o[bad] == 0):
        msg = _("{message}. The wrong values are all 0: were they ever computed?").format(
            message=msg)
    return msg


def _on_border(idx: np.ndarray, shape: tuple[int, ...], spatial: tuple[int, ...]) -> bool:
    """Every index lies on the first or last position of some spatial axis (of length > 2,
    where a border and an inside exist)."""
    axes = [a % len(shape) for a in spatial if shape[a % len(shape)] > 2]
    if not axes:
        return False
    border = np.zeros(len(idx), dtype=bool)
    for a in axes:
        border |= (idx[:, a] == 0) | (idx[:, a] == shape[a] - 1)
    return bool(border.all())


# ---------------------------------------------------------------------------------------------
# All the cases of a check together
# ---------------------------------------------------------------------------------------------

def explain(verdicts: Sequence[Verdict], cases: Sequence[Case]) -> list[Verdict]:
    """Name the mistake that explains the answers, on the cases where it does.

    A mistake is a candidate if the answer reproduces it on every case where it differs from
    the right answer (at least one), and never passes such a case. The candidates seen on the
    most cases win; a failing case they explain gets their message, the other failing cases
    keep their generic message. The mistakes' messages (N_() constants of the notebooks'
    modules, keyed by their English text) are translated here, when shown."""
    messages = {m.key: _(m.message) for case in cases for m in case.mistakes}
    evidence: Counter[str] = Counter()
    ruled_out: set[str] = set()
    for v in verdicts:
        if v.status not in (Status.PASS, Status.FAIL):
            continue  # an exception says nothing about which mistake it is
        for key in v.telling:
            if key in v.matches:
                evidence[key] += 1
            else:
                ruled_out.add(key)
    candidates = {k: n for k, n in evidence.items() if k not in ruled_out}
    if not candidates:
        return list(verdicts)
    most = max(candidates.values())
    best = [k for k, n in candidates.items() if n == most]
    out = []
    for v in verdicts:
        named = [k for k in best if k in v.matches]
        if v.status is Status.FAIL and named:
            # TRANSLATORS: "either A; or B; or C": the separator between the mistakes
            others = _("; or ").join(messages[k] for k in named[1:])
            text = messages[named[0]] if len(named) == 1 else \
                _("either {first}; or {others}").format(first=messages[named[0]], others=others)
            v = replace(v, message=text)
        out.append(v)
    return out


_NUMBER = re.compile(r"(?<![\w.])-?\d+(\.\d+)?([eE][-+]?\d+)?(?![\w])")


def redact(message: str) -> str:
    """A hidden case's message without its numbers (shapes, values, indices), so that feedback
    never shows the hidden inputs. It reads digits only, never words: it works the same on
    every language's messages."""
    return _NUMBER.sub("…", message)
