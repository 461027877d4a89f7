"""What to run for one submission, read from the instructor's notebook by reference.

A test cell holds calls of declared checks, `check_conv2d(conv2d)` or
`check_conv2d(conv2d, hidden=True)`. Each callee is resolved through the imports of the
instructor's own cells (`from course.checks.conv2d import check_conv2d`) to the `Check` object
it names: the grader uses that declaration (cases, forbidden calls, adapter), never a name
matched in a string. Anything else in a test cell is a source error, reported by
`python -m course check` (see `problems`), so that nothing is silently left ungraded.

The student's answer cells are matched by nbgrader `grade_id`; the student's copies of locked
cells are never run, and are compared with what the student was given (tampering).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

import nbformat

from ..authoring import Where, is_solution, is_test, nbgrader, student_cell
from ..checks.exercise import Check, DeclarationError
from ..checks.forbid import Forbid, import_aliases, resolve, static_reasons, used_helpers


class PlanError(ValueError):
    """A test cell the grader cannot plan; the message names the cell and what is wrong."""


@dataclass(frozen=True)
class CheckCall:
    """One call in a test cell: a declared check, the student's name it checks, hidden or not."""

    check: Check
    function: str
    hidden: bool


@dataclass
class Exercise:
    """One graded test cell of the instructor's notebook, and what the student did for it."""

    grade_id: str
    points: float
    calls: list[CheckCall]
    solution_id: str | None = None  # grade_id of the answer cell defining the function
    missing: bool = False  # that answer cell is absent from the submission
    forbidden: list[str] = field(default_factory=list)  # static reasons
    tampered: str = ""  # "edited" or "deleted" when the student's copy of this cell differs
    unreadable: str = ""  # the student's code could not even be parsed

    @property
    def forbid(self) -> Forbid:
        result = Forbid()
        for call in self.calls:
            result = result + call.check.forbid
        return result


@dataclass
class Plan:
    setup: list[dict[str, str]]  # the instructor's setup cells: {"id", "source"}
    answers: list[dict[str, str]]  # the student's answer cells, in the notebook's order
    exercises: list[Exercise]
    tampered_other: dict[str, str]  # locked cells that are not test cells


# ---------------------------------------------------------------------------------------------
# Test cells: calls of declared checks
# ---------------------------------------------------------------------------------------------

def checks_in(source: str, aliases: dict[str, str], where: str) -> list[CheckCall]:
    """The check calls of a test cell; PlanError for anything the grader could not plan."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise PlanError(f"{where}: the test cell does not parse ({exc.msg})") from None
    calls = []
    for stmt in tree.body:
        if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)):
            raise PlanError(f"{where}: a test cell may only call checks, one call per line; "
                            f"line {stmt.lineno} is a {type(stmt).__name__}")
        calls.append(_check_call(stmt.value, aliases, where))
    if not calls:
        raise PlanError(f"{where}: the test cell calls no check, so it would grade nothing")
    return calls


def _check_call(node: ast.Call, aliases: dict[str, str], where: str) -> CheckCall:
    callee = ast.unparse(node.func)
    target = _dotted(node.func, aliases)
    check = _resolve_check(target) if target else None
    if check is None:
        raise PlanError(f"{where}: `{callee}(...)` is not a check declared in course.checks "
                        f"and imported by name (call it as imported, e.g. "
                        f"`from course.checks.conv2d import check_conv2d`)")
    if len(node.args) != 1 or not isinstance(node.args[0], ast.Name):
        raise PlanError(f"{where}: `{callee}` must be called with the student's function or "
                        f"class, by its name: {callee}({check.function})")
    hidden = False
    for kw in node.keywords:
        if kw.arg != "hidden" or not isinstance(kw.value, ast.Constant) or \
                not isinstance(kw.value.value, bool):
            raise PlanError(f"{where}: `{callee}` takes only `hidden=True` or `hidden=False` "
                            f"here (the grader draws the hidden cases itself)")
        hidden = kw.value.value
    if node.args[0].id != check.function:
        raise PlanError(f"{where}: `{callee}` checks `{check.function}`, not "
                        f"`{node.args[0].id}`")
    return CheckCall(check, check.function, hidden)


def _dotted(node: ast.AST, aliases: dict[str, str]) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id in aliases:
        return ".".join([aliases[node.id]] + parts[::-1])
    return None


def _resolve_check(dotted: str) -> Check | None:
    if not dotted.startswith("course.checks."):
        return None
    try:
        found = resolve(dotted)
    except Exception:
        return None
    return found if isinstance(found, Check) else None


# ---------------------------------------------------------------------------------------------
# The plan of one submission
# ---------------------------------------------------------------------------------------------

def _setup_worth_running(source: str) -> bool:
    """Setup cells that bind names (imports, data, helpers). Demonstrations wrapped in
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


def python(source: str) -> str:
    """Drop IPython magics and shell escapes, which plain Python cannot run."""
    return "\n".join(line for line in source.splitlines()
                     if not line.lstrip().startswith(("%", "!")))


def _defined_names(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def student_cells(nb: Any) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for cell in nb.cells:
        gid = nbgrader(cell).get("grade_id")
        if isinstance(gid, str) and gid not in found:
            found[gid] = cell
    return found


def setup_aliases(solution: nbformat.NotebookNode) -> dict[str, str]:
    """The names the instructor's non-graded code cells import."""
    return import_aliases(c.source for c in solution.cells
                          if c.cell_type == "code" and not nbgrader(c))


def make_plan(solution: nbformat.NotebookNode, submission: nbformat.NotebookNode,
              name: str) -> Plan:
    theirs = student_cells(submission)
    aliases = setup_aliases(solution)
    setup, answers, exercises, tampered_other = [], [], [], {}
    defines: dict[str, str] = {}
    for i, cell in enumerate(solution.cells, start=1):
        meta = nbgrader(cell)
        gid, state = meta.get("grade_id"), ""
        if gid and (meta.get("locked") or is_test(cell)):
            given = {student_cell(cell, Where(name, i)).source.strip(), cell.source.strip()}
            mine = theirs.get(gid)
            state = "deleted" if mine is None else (
                "edited" if str(mine.get("source", "")).strip() not in given else "")
            if state and not is_test(cell):
                tampered_other[gid] = state
        if cell.cell_type != "code":
            continue
        if is_solution(cell):
            for fn in _defined_names(cell.source):
                defines[fn] = gid
            mine = theirs.get(gid)
            if mine is not None and mine.get("cell_type") == "code":
                answers.append({"id": gid, "source": python(str(mine.get("source", "")))})
        elif is_test(cell):
            calls = checks_in(cell.source, aliases, str(Where(name, i)))
            exercises.append(Exercise(gid, float(meta.get("points", 0)), calls, tampered=state))
        elif _setup_worth_running(cell.source):
            setup.append({"id": f"cell {i}", "source": python(cell.source)})
    sources = {a["id"]: a["source"] for a in answers}
    for ex in exercises:
        ex.solution_id = next((defines[c.function] for c in ex.calls if c.function in defines),
                              None)
        ex.missing = ex.solution_id is not None and ex.solution_id not in sources
        if ex.solution_id in sources and ex.forbid:
            _read_statically(ex, sources, aliases)
    return Plan(setup, answers, exercises, tampered_other)


def _read_statically(ex: Exercise, sources: dict[str, str], aliases: dict[str, str]) -> None:
    """Static reasons why the answer, or a helper it uses from another answer cell, reaches
    something the exercise forbids."""
    assert ex.solution_id is not None
    try:
        cells = used_helpers(sources, ex.solution_id)
    except RecursionError:
        ex.unreadable = "the code is nested too deeply to be read"
        return
    combined = "\n\n".join(sources[c] for c in cells)
    try:
        ast.parse(combined)
    except (SyntaxError, ValueError, MemoryError):
        return  # it cannot run either: the child reports the error, nothing is earned
    except RecursionError:
        ex.unreadable = "the code is nested too deeply to be read"
        return
    ex.forbidden = static_reasons(combined, ex.forbid, aliases)


# ---------------------------------------------------------------------------------------------
# `python -m course check`: every test cell of every solution notebook can be planned
# ---------------------------------------------------------------------------------------------

def problems(solution: nbformat.NotebookNode, name: str) -> list[str]:
    """Why the grader could not grade this solution notebook as written ([] if it can)."""
    from ..checks.exercise import module_name, notebook

    found = []
    aliases = setup_aliases(solution)
    defined: set[str] = set()
    used: list[Check] = []
    for i, cell in enumerate(solution.cells, start=1):
        if cell.cell_type == "code" and is_solution(cell):
            defined |= _defined_names(cell.source)
        if cell.cell_type != "code" or not is_test(cell):
            continue
        try:
            calls = checks_in(cell.source, aliases, str(Where(name, i)))
        except PlanError as exc:
            found.append(str(exc))
            continue
        for call in calls:
            used.append(call.check)
            if call.function not in defined:
                found.append(f"{Where(name, i)}: {call.function} is not defined by an answer "
                             f"cell before this test cell")
            try:
                call.check.build(0)
            except DeclarationError as exc:
                found.append(f"{Where(name, i)}: {exc}")
            except Exception as exc:  # a case builder that fails is a declaration error too
                found.append(f"{Where(name, i)}: the cases of {call.check.key} cannot be "
                             f"built ({type(exc).__name__}: {exc})")
    try:
        declared = notebook(name.removesuffix(".ipynb")).checks
    except (ImportError, DeclarationError) as exc:
        return found + [f"{name}: no module of checks for this notebook ({exc})"]
    for check in declared:
        if check not in used:
            found.append(f"{name}: the exercise {check.function} is declared in "
                         f"{module_name(check.notebook)} but no test cell calls its check")
    for check in dict.fromkeys(used):
        if check not in declared:
            found.append(f"{name}: a test cell calls the check of {check.key}, which belongs "
                         f"to another notebook")
    return found
