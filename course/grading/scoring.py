"""Scores, decided in the parent from the plain data the children returned.

A test cell earns its points only if every case of every check call in it passes (all or
nothing, as a check cell passes or fails as a whole in the notebook). The cases are judged by
the same `judge` and `explain` as the notebook's check; hidden cases are shown as "hidden case
N" with their numbers removed. Each exercise gets one status (`Status`).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum
from typing import Any

from ..checks.case import Case
from ..checks.judge import Status as CaseStatus
from ..checks.judge import Verdict, explain, judge, redact
from ..checks.forbid import matches
from .plan import CheckCall, Exercise, Plan
from .protocol import ProtocolError, rebuild, text
from .session import Outcome, Run


class Status(str, Enum):
    GRADED = "graded"
    ERROR = "error"
    TIMEOUT = "timeout"
    MEMORY = "memory"
    FORBIDDEN = "forbidden"
    NO_OUTPUT = "no output"
    INVALID = "invalid notebook"
    MISSING = "missing exercise"
    TAMPERED = "tampered"
    DUPLICATE = "duplicate"
    REFUSED = "refused"


@dataclass
class Row:
    student: str
    notebook: str
    exercise: str
    points: float
    max: float
    status: Status
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.status.value}


def _verdict(case: Case, result: Any, arrays: dict, function: str,
             forbid_libraries: tuple[str, ...]) -> tuple[Status, Verdict]:
    """(exercise status this case implies, its verdict)."""
    fail = lambda status, message: (status, Verdict(case.label, CaseStatus.FAIL,  # noqa: E731
                                                    message))
    if not isinstance(result, dict):
        return fail(Status.NO_OUTPUT, "the child's result is malformed")
    if result.get("not_done"):
        return fail(Status.GRADED, "not done yet (the stub raises NotImplementedError)")
    if "wrong_type" in result:
        return fail(Status.GRADED, text(result["wrong_type"]))
    if "error" in result:
        kind, message = text(result.get("type")), text(result["error"])
        if kind == "MemoryError":
            return fail(Status.MEMORY, message)
        if kind == "ForbiddenCall" or (kind in ("ModuleNotFoundError", "ImportError") and
                                       any(matches(w.strip("'\"."), forbid_libraries)
                                           for w in message.split())):
            return fail(Status.FORBIDDEN, message)
        return (Status.ERROR, Verdict(case.label, CaseStatus.ERROR, message))
    try:
        output = rebuild(result.get("output"), arrays)
        after_desc = result.get("after")
        after = None
        if isinstance(after_desc, list) and len(after_desc) == len(case.args):
            after = [rebuild(d, arrays) if d is not None else a
                     for d, a in zip(after_desc, case.args)]
    except (ProtocolError, KeyError, TypeError, ValueError) as exc:
        return fail(Status.NO_OUTPUT, f"the returned data could not be read ({exc})")
    return Status.GRADED, judge(case, output, after)


def _call_verdicts(call: CheckCall, outcome: Outcome, cases: list[Case],
                   forbid_libraries: tuple[str, ...]) -> tuple[Status | None, str, list]:
    """(status when the call decides the exercise alone, its message, verdicts)."""
    if not outcome.results:
        return None, "", []
    first = outcome.results[0][0]
    if first == {"missing": True}:
        return Status.ERROR, f"`{call.function}` is not defined", []
    if first == {"not_done": True}:
        return Status.GRADED, f"{call.function} is not done yet", []
    found = [_verdict(c, res, arrays, call.function, forbid_libraries)
             for c, (res, arrays) in zip(cases, outcome.results)]
    for special in (Status.FORBIDDEN, Status.MEMORY, Status.NO_OUTPUT):
        hit = next((v for s, v in found if s is special), None)
        if hit is not None:
            return special, hit.message, []
    verdicts = explain([v for _, v in found], cases[:len(found)])
    return None, "", verdicts


def exercise_row(ex: Exercise, run: Run, cases: dict[tuple[int, int], list[Case]],
                 index: int, limit: float) -> tuple[float, Status, str]:
    """Points, status and message of one graded test cell."""
    if ex.missing:
        return 0, Status.MISSING, f"the answer cell '{ex.solution_id}' is missing"
    if ex.unreadable:
        return 0, Status.ERROR, ex.unreadable
    if ex.forbidden:
        return 0, Status.FORBIDDEN, "forbidden shortcut: " + "; ".join(ex.forbidden)
    own = [e for e in run.cell_errors if e.get("cell") == ex.solution_id]
    failures, total = [], 0
    for j, call in enumerate(ex.calls):
        outcome = run.outcomes.get((index, j), Outcome(ended="died"))
        mine = cases[(index, j)]
        total += len(mine)
        status, message, verdicts = _call_verdicts(call, outcome, mine, ex.forbid.libraries)
        if status is Status.ERROR and own:  # not defined: say why its cell failed
            status, message = _undefined(call.function, own[0])
        if status is not None:
            return 0, status, message
        if len(verdicts) != len(mine):  # an answer for every case, or no points
            return 0, *_stopped(outcome.ended or "died", limit)
        for number, v in enumerate(verdicts, start=1):
            if v.status is not CaseStatus.PASS:
                label = f"hidden case {number}" if call.hidden else v.label
                message = redact(v.message) if call.hidden else v.message
                failures.append((Status.ERROR if v.status is CaseStatus.ERROR else
                                 Status.GRADED, f"{label}: {message}"))
    if failures:
        status = Status.ERROR if any(s is Status.ERROR for s, _ in failures) else Status.GRADED
        first = next(m for s, m in failures if s is status)
        return 0, status, f"{len(failures)} of {total} cases failed; {first}"
    if total == 0:  # never happens with a declared check; never scores if it does
        return 0, Status.ERROR, "grader failure: no cases to grade"
    return ex.points, Status.GRADED, f"all {total} cases pass"


def _undefined(function: str, error: dict) -> tuple[Status, str]:
    """Why an answer's cell failed: out of memory, an import of a course module the sandbox
    leaves out (the checks and their reference answers), or any other error."""
    said = text(error.get("error"))
    if error.get("type") == "MemoryError":
        return Status.MEMORY, f"`{function}` could not be defined: {said}"
    if error.get("type") in ("ModuleNotFoundError", "ImportError") and \
            "No module named 'course." in said:
        module = said.split("'")[1]
        return Status.FORBIDDEN, (f"forbidden shortcut: the cell of `{function}` imports "
                                  f"{module}, the course's checks and reference answers")
    return Status.ERROR, f"`{function}` could not be defined: {said}"


def _stopped(how: str, limit: float) -> tuple[Status, str]:
    if how == "timeout":
        return Status.TIMEOUT, (f"stopped after {limit:g} s: an endless loop, or far too "
                                f"slow")
    if how == "not reached":
        return Status.TIMEOUT, "not reached before the time limit (another exercise ran out " \
                               "of time)"
    if how == "sandbox":
        return Status.ERROR, "grader failure: the sandbox could not start"
    return Status.NO_OUTPUT, ("the process ended before answering (did the code call "
                              "sys.exit or os._exit, or crash?)")


def score(plan: Plan, run: Run, cases: dict[tuple[int, int], list[Case]], student: str,
          notebook: str, limit: float) -> list[Row]:
    """One row per graded test cell, plus rows for edited locked cells that are not tests."""
    rows = []
    for i, ex in enumerate(plan.exercises):
        points, status, message = exercise_row(ex, run, cases, i, limit)
        if ex.tampered:
            note = f"the locked cell {ex.grade_id} was {ex.tampered}; the instructor's was used"
            status, message = (Status.TAMPERED, f"{note}; {message}") \
                if status is Status.GRADED else (status, f"{message} ({note})")
        rows.append(Row(student, notebook, ex.grade_id, points, ex.points, status, message))
    for gid, state in plan.tampered_other.items():
        rows.append(Row(student, notebook, gid, 0, 0, Status.TAMPERED,
                        f"the locked cell {gid} was {state}; the instructor's was used"))
    return rows


def failed(exercises: list[tuple[str, float]], student: str, notebook: str, status: Status,
           why: str) -> list[Row]:
    """Every exercise of a notebook that could not be graded scores zero, with the reason."""
    return [Row(student, notebook, gid, 0, pts, status, why) for gid, pts in exercises] \
        or [Row(student, notebook, "", 0, 0, status, why)]
