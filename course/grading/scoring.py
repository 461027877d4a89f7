"""Scores decided in the parent, from the plain data the child wrote.

A test cell earns its points only if every case of every check call in it passes (all or
nothing, as a check cell in the notebook passes or fails as a whole). Each exercise gets one
status: graded, forbidden, missing exercise, timeout, memory, no output, error, tampered (a
graded result whose locked cell the student changed; the instructor's version was used).
Messages about hidden cases carry no numbers, so they do not reveal the hidden inputs.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..checks._core import diagnose
from . import wire
from .plan import Exercise, Plan

GRADED, ERROR, TIMEOUT, MEMORY = "graded", "error", "timeout", "memory"
FORBIDDEN, NO_OUTPUT, INVALID = "forbidden", "no output", "invalid notebook"
MISSING, TAMPERED = "missing exercise", "tampered"
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")


@dataclass
class Row:
    student: str
    notebook: str
    exercise: str
    points: float
    max: float
    status: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def redact(message: str) -> str:
    """A hidden case's message without its numbers (shapes, values, indices)."""
    return _NUMBER.sub("…", message)


def _case_problem(case: Any, result: Any, arrays: dict) -> tuple[str, str | None]:
    """(status, problem) for one case; problem None means it passed."""
    if not isinstance(result, dict):
        return NO_OUTPUT, "the child's result is malformed"
    if result.get("not_done"):
        return GRADED, "not done yet (the stub raises NotImplementedError)"
    if "error" in result:
        status = MEMORY if result.get("type") == "MemoryError" else ERROR
        return status, wire.text(result["error"])
    try:
        output = wire.rebuild_output(result.get("output"), arrays)
        after_desc = result.get("after")
        after = None
        if isinstance(after_desc, list) and len(after_desc) == len(case.args):
            after = [wire.rebuild_output(d, arrays) if d is not None else a
                     for d, a in zip(after_desc, case.args)]
    except (wire.WireError, KeyError, TypeError, ValueError) as exc:
        return NO_OUTPUT, f"the returned data could not be read ({exc})"
    return GRADED, diagnose(case, output, after)


def _exercise_row(ex: Exercise, results: list[tuple[Any, dict]], child: dict,
                  cell_errors: list[dict], reached: list[bool]) -> tuple[float, str, str]:
    if ex.missing:
        return 0, MISSING, f"the solution cell '{ex.solution_id}' is missing from the notebook"
    failures: list[tuple[str, str]] = []
    dynamic = [r.get("forbidden") for res, _ in results if isinstance(res, list)
               for r in res if isinstance(r, dict) and isinstance(r.get("forbidden"), str)]
    if ex.forbidden or dynamic:
        reasons = ex.forbidden + [f"called {wire.text(d)} while running" for d in dynamic]
        return 0, FORBIDDEN, "forbidden shortcut: " + "; ".join(dict.fromkeys(reasons))
    own_errors = [e for e in cell_errors if e.get("cell") == ex.solution_id]
    for call, (res, arrays), ok in zip(ex.calls, results, reached):
        if res is None:
            if child.get("timeout"):
                return 0, TIMEOUT, (f"stopped after {child.get('limit', '?')} s: an endless "
                                    f"loop, or far too slow" if ok else
                                    "not reached before the time limit")
            died = child.get("signal")
            return 0, NO_OUTPUT, ("the process ended before writing any result" +
                                  (f" (signal {died})" if died else "") +
                                  (": did the code call sys.exit or os._exit?" if not died else ""))
        if res == [{"missing": True}]:
            why = wire.text(own_errors[0].get("error")) if own_errors else "not defined"
            status = MEMORY if own_errors and own_errors[0].get("type") == "MemoryError" \
                else ERROR
            return 0, status, f"`{call.function}` could not be defined: {why}"
        if not isinstance(res, list) or not res:
            return 0, NO_OUTPUT, "the child's result is malformed"
        if len(res) == 1 and isinstance(res[0], dict) and res[0].get("not_done"):
            return 0, GRADED, f"{call.function} is not done yet"
        if len(res) != len(call.cases):
            return 0, NO_OUTPUT, "the child returned a different number of results"
        for number, (case, result) in enumerate(zip(call.cases, res), start=1):
            status, problem = _case_problem(case, result, arrays)
            if problem is None:
                continue
            if call.hidden:  # its label and numbers would show the hidden inputs
                label, problem = f"hidden case {number}", redact(problem)
            else:
                label = case.label
            if status in (MEMORY, NO_OUTPUT):
                return 0, status, f"{label}: {problem}"
            failures.append((status, f"{label}: {problem}"))
    if failures:
        status = ERROR if any(s == ERROR for s, _ in failures) else GRADED
        first = next(m for s, m in failures if s == status)
        n = sum(len(c.cases) for c in ex.calls)
        return 0, status, f"{len(failures)} of {n} cases failed; {first}"
    return ex.points, GRADED, f"all {sum(len(c.cases) for c in ex.calls)} cases pass"


def score(plan: Plan, job: Path, child: dict, student: str, notebook: str) -> list[Row]:
    """One row per graded test cell, plus rows for edited locked cells that are not tests."""
    raw_errors = wire.read_json(job / "cells.json")
    cell_errors = [e for e in raw_errors if isinstance(e, dict)] \
        if isinstance(raw_errors, list) else []
    running = wire.read_json(job / "running.txt")
    running = running if isinstance(running, int) else -1
    rows, k = [], 0
    for ex in plan.exercises:
        results, reached = [], []
        for _ in ex.calls:
            res = wire.read_json(job / f"ex_{k}.json")
            arrays = wire.read_npz(job / f"ex_{k}.npz") if res is not None else None
            if res is not None and arrays is None:
                res = [{"error": "the returned arrays could not be read", "type": "WireError"}]
                arrays = {}
            results.append((res, arrays or {}))
            reached.append(k == running)
            k += 1
        points, status, message = _exercise_row(ex, results, child, cell_errors, reached)
        if ex.tampered:
            note = f"the locked cell {ex.grade_id} was {ex.tampered}; the instructor's was used"
            status, message = (TAMPERED, f"{note}; {message}") if status == GRADED else \
                (status, f"{message} ({note})")
        rows.append(Row(student, notebook, ex.grade_id, points, ex.points, status, message))
    for gid, state in plan.tampered_other.items():
        rows.append(Row(student, notebook, gid, 0, 0, TAMPERED,
                        f"the locked cell {gid} was {state}; the instructor's was used"))
    return rows


def invalid(plan_exercises: list[tuple[str, float]], student: str, notebook: str,
            why: str) -> list[Row]:
    """Every exercise of a notebook that could not be read scores zero."""
    return [Row(student, notebook, gid, 0, pts, INVALID, why) for gid, pts in plan_exercises] \
        or [Row(student, notebook, "", 0, 0, INVALID, why)]
