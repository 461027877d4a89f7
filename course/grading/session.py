"""One submission, run by the parent: one child per kind of exercise, one call at a time.

The exercises of a notebook are split by what they may use: from-scratch exercises (grouped
by their forbidden functions) run in the `scratch` zygote's children, where the forbidden
libraries do not exist; the others in the `torch` zygote's. Each child receives the cells,
runs them, then receives the cases one at a time. The parent keeps the clock: the whole
submission has `limits.timeout` seconds.
"""
from __future__ import annotations

import socket
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..checks.case import Case
from ..checks.forbid import Forbid
from .plan import Plan
from .protocol import ProtocolError, encode, receive, send
from .sandbox import Limits, SandboxError, Zygote, bubblewrap


@dataclass
class Outcome:
    """What came back for one call of a check (one per CheckCall of each exercise)."""

    results: list[tuple[Any, dict[str, np.ndarray]]] = field(default_factory=list)
    ended: str = ""  # "" while complete; "timeout", "died", "sandbox" when it stopped early


@dataclass
class Run:
    """Everything the scorer needs: per exercise, per call, the raw results; cell errors."""

    outcomes: dict[tuple[int, int], Outcome]
    cell_errors: list[dict]
    ended: dict[str, Any]


def groups(plan: Plan) -> dict[Forbid, list[int]]:
    """Exercise indices by the rules their child runs under (Forbid() = PyTorch allowed)."""
    found: dict[Forbid, list[int]] = {}
    for i, ex in enumerate(plan.exercises):
        if ex.missing or ex.forbidden or ex.unreadable:
            continue  # decided without running anything
        found.setdefault(ex.forbid if ex.forbid else Forbid(), []).append(i)
    return found


class Zygotes:
    """The zygotes of one grading worker, by the libraries they hide."""

    def __init__(self, workdir: Any) -> None:
        self.workdir = workdir
        self.by_libraries: dict[tuple[str, ...], Zygote] = {}

    def get(self, libraries: tuple[str, ...]) -> Zygote:
        if libraries not in self.by_libraries:
            self.by_libraries[libraries] = Zygote(libraries, self.workdir)
        return self.by_libraries[libraries]


def run(plan: Plan, cases: dict[tuple[int, int], list[Case]], zygotes: Zygotes,
        limits: Limits) -> Run:
    """Run the submission's children and collect their raw results."""
    deadline = time.monotonic() + limits.timeout
    outcomes: dict[tuple[int, int], Outcome] = {}
    cell_errors: list[dict] = []
    ended: dict[str, Any] = {}
    for forbid, indices in groups(plan).items():
        zygote = zygotes.get(tuple(sorted(forbid.libraries)))
        calls = [(i, j) for i in indices for j in range(len(plan.exercises[i].calls))]
        errors, how = _one_child(plan, forbid, calls, cases, zygote, limits, deadline,
                                 outcomes)
        cell_errors += errors
        ended[zygote.mode] = how
    return Run(outcomes, cell_errors, ended)


def _one_child(plan: Plan, forbid: Forbid, calls: list[tuple[int, int]],
               cases: dict[tuple[int, int], list[Case]], zygote: Zygote, limits: Limits,
               deadline: float, outcomes: dict[tuple[int, int], Outcome]
               ) -> tuple[list[dict], dict[str, Any]]:
    for key in calls:
        outcomes[key] = Outcome()
    try:
        sock, _ = zygote.spawn(limits)
    except (SandboxError, OSError, KeyError, ValueError) as exc:
        for key in calls:
            outcomes[key].ended = "sandbox"
        return [], {"error": f"the sandbox could not start a child ({exc})"}
    errors: list[dict] = []
    stopped = ""
    try:
        _talk(sock, deadline, {"setup": plan.setup, "answers": plan.answers,
                               "scratch": bool(forbid), "functions": list(forbid.functions),
                               "why": forbid.why,
                               "hide_libraries": [] if bubblewrap() else
                               list(forbid.libraries)})
        reply, _ = _read(sock, deadline)
        errors = [e for e in reply.get("cells", []) if isinstance(e, dict)] \
            if isinstance(reply, dict) else []
        for key in calls:
            i, j = key
            call = plan.exercises[i].calls[j]
            for case in cases[key]:
                arrays: dict[str, np.ndarray] = {}
                request = {"function": call.function,
                           "adapter": case.adapter.__name__ if case.adapter else None,
                           "args": encode(list(case.args), arrays),
                           "kwargs": encode(dict(case.kwargs), arrays)}
                _talk(sock, deadline, request, arrays)
                outcomes[key].results.append(_read(sock, deadline))
                if outcomes[key].results[-1][0] in ({"not_done": True}, {"missing": True}):
                    break
        _talk(sock, deadline, {"done": True})
    except socket.timeout:
        stopped = "timeout"
    except (ProtocolError, OSError):
        stopped = "died"
    finally:
        sock.close()
    how = zygote.finish(kill=bool(stopped))
    if stopped:
        unfinished = [key for key in calls if len(outcomes[key].results) < len(cases[key])
                      and not _finished(outcomes[key])]
        for n, key in enumerate(unfinished):  # the first was running; the others never ran
            outcomes[key].ended = "not reached" if stopped == "timeout" and n > 0 and \
                not outcomes[key].results else stopped
    return errors, {**how, "stopped": stopped}


def _finished(outcome: Outcome) -> bool:
    return bool(outcome.results) and outcome.results[-1][0] in ({"not_done": True},
                                                                {"missing": True})


def _talk(sock: socket.socket, deadline: float, header: dict,
          arrays: dict[str, np.ndarray] | None = None) -> None:
    sock.settimeout(max(deadline - time.monotonic(), 0.001))
    send(sock, header, arrays)


def _read(sock: socket.socket, deadline: float) -> tuple[Any, dict[str, np.ndarray]]:
    sock.settimeout(max(deadline - time.monotonic(), 0.001))
    return receive(sock)
