"""What to run for one submission: cells, check calls and cases, from the instructor's notebook.

The instructor's solution notebook decides everything: which cells run (its setup cells, and
for each solution cell the student's cell with the same nbgrader `grade_id`), which check
calls grade each test cell (parsed with `ast`, never executed), and the cases (rebuilt from
`course.checks.REGISTRY` with this run's seed). The student's copies of locked cells are never
run; if they differ from what the student was given, the submission is flagged as tampered.
"""
from __future__ import annotations

import ast
import functools
from dataclasses import dataclass, field
from typing import Any

import nbformat

from ..authoring import Where, is_solution, is_test, nbgrader, student_cell
from ..checks import FORBIDDEN, REGISTRY
from ..checks._core import Case
from .forbidden import import_aliases, static_violations


@dataclass
class CheckCall:
    """`check_NAME(function, hidden=..., seed=...)` in a test cell (the seed is ignored)."""

    registry: str
    function: str
    hidden: bool
    cases: list[Case] = field(default_factory=list)


@dataclass
class Exercise:
    """One graded test cell of the instructor's notebook, and what the student did for it."""

    grade_id: str
    points: float
    calls: list[CheckCall]
    solution_id: str | None = None  # grade_id of the solution cell defining the function
    missing: bool = False  # that solution cell is absent from the submission
    forbidden: list[str] = field(default_factory=list)  # static reasons
    tampered: str = ""  # "edited" or "deleted" when the student's copy of this cell differs


@dataclass
class Plan:
    cells: list[dict[str, str]]  # what the child executes, in order
    exercises: list[Exercise]
    tampered_other: dict[str, str]  # locked cells that are not test cells


def parse_checks(source: str) -> list[tuple[str, str, bool]]:
    """(registry name, student function, hidden) for every check call in a test cell."""
    calls = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id.startswith("check_") and node.args and \
                isinstance(node.args[0], ast.Name):
            hidden = any(k.arg == "hidden" and isinstance(k.value, ast.Constant)
                         and bool(k.value.value) for k in node.keywords)
            calls.append((node.func.id[len("check_"):], node.args[0].id, hidden))
    return calls


def defined_names(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def _setup_worth_running(source: str) -> bool:
    """Setup cells that bind names (imports, data). Demonstrations wrapped in
    skip_if_not_done and cells that only draw or print are skipped: nothing depends on them."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.With) and any(
                isinstance(item.context_expr, ast.Call) and
                getattr(item.context_expr.func, "id", "") == "skip_if_not_done"
                for item in node.items):
            return False
    return any(isinstance(n, (ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign,
                              ast.FunctionDef, ast.ClassDef, ast.AugAssign)) for n in tree.body)


def _python(source: str) -> str:
    """Drop IPython magics and shell escapes, which plain Python cannot run."""
    return "\n".join(line for line in source.splitlines()
                     if not line.lstrip().startswith(("%", "!")))


def student_cells(nb: nbformat.NotebookNode) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for cell in nb.cells:
        gid = nbgrader(cell).get("grade_id")
        if isinstance(gid, str) and gid not in found:
            found[gid] = cell
    return found


def make_plan(solution: nbformat.NotebookNode, submission: nbformat.NotebookNode,
              name: str, seed: int) -> Plan:
    theirs = student_cells(submission)
    cells, exercises, tampered_other = [], [], {}
    setup_sources, defines = [], {}
    for i, cell in enumerate(solution.cells, start=1):
        meta = nbgrader(cell)
        gid, state = meta.get("grade_id"), ""
        if gid and (meta.get("locked") or is_test(cell)):
            # The copy handed out, or the instructor's own (hidden tests included).
            given = {student_cell(cell, Where(name, i)).source.strip(), cell.source.strip()}
            mine = theirs.get(gid)
            state = "deleted" if mine is None else (
                "edited" if str(mine.get("source", "")).strip() not in given else "")
            if state and not is_test(cell):
                tampered_other[gid] = state
        if cell.cell_type != "code":
            continue
        if is_solution(cell):
            for fn in defined_names(cell.source):
                defines[fn] = gid
            mine = theirs.get(gid)
            if mine is not None and mine.get("cell_type") == "code":
                cells.append({"id": gid, "kind": "solution", "source": _python(mine.source)})
        elif is_test(cell):
            calls = [CheckCall(r, f, h) for r, f, h in parse_checks(cell.source) if r in REGISTRY]
            exercises.append(Exercise(gid, float(meta.get("points", 0)), calls, tampered=state))
        else:
            setup_sources.append(cell.source)
            if _setup_worth_running(cell.source):
                cells.append({"id": f"cell {i}", "kind": "setup", "source": _python(cell.source)})
    sources = {c["id"]: c["source"] for c in cells if c["kind"] == "solution"}
    aliases = import_aliases(setup_sources + list(sources.values()))
    for ex in exercises:
        for call in ex.calls:
            ex.solution_id = ex.solution_id or defines.get(call.function)
            call.cases = _cases(call.registry, call.hidden, seed)
        ex.missing = ex.solution_id is not None and ex.solution_id not in sources
        forbid = tuple(dict.fromkeys(n for c in ex.calls for n in FORBIDDEN.get(c.registry, ())))
        if ex.solution_id in sources:
            ex.forbidden = static_violations(sources[ex.solution_id], forbid, aliases)
    return Plan(cells, exercises, tampered_other)


@functools.lru_cache(maxsize=256)
def _cases(registry: str, hidden: bool, seed: int) -> list[Case]:
    """The same for every submission of a run (cached: the oracle is PyTorch). Read only."""
    build = REGISTRY[registry]
    cases = build(hidden=hidden, seed=seed)
    return cases[len(build(hidden=False, seed=seed)):] if hidden else cases


def warm_cases(calls: list[tuple[str, str, bool]], seed: int) -> None:
    for registry, _, hidden in calls:
        if registry in REGISTRY:
            _cases(registry, hidden, seed)


def job_spec(plan: Plan, encode: Any) -> tuple[dict, dict]:
    """The child's job.json and inputs.npz contents: code and case inputs, nothing else."""
    arrays: dict = {}
    exercises = []
    for ex in plan.exercises:
        forbid = list(dict.fromkeys(n for c in ex.calls for n in FORBIDDEN.get(c.registry, ())))
        for call in ex.calls:
            exercises.append({"function": call.function, "forbid": forbid, "cases": [
                {"args": encode(list(c.args), arrays, f"a{len(exercises)}"),
                 "kwargs": encode(dict(c.kwargs), arrays, f"k{len(exercises)}"),
                 "call": c.call} for c in call.cases]})
    return {"cells": plan.cells, "exercises": exercises}, arrays
