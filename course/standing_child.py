"""The child of `python -m course progress`: checks one notebook in its own process.

`python -m course.standing_child NOTEBOOK` reads the notebook (it never writes it), runs the
code cells the answers need (imports, helpers; the rules of `course.grading.plan`, then only
the cells that define a name the answers use, so that no training or benchmark runs), then the
answer cells, then the visible cases of each check the test cells call, exactly as the check
cell would. It reports one JSON line per exercise on stdout ({"grade_id", "status",
"message"}, or {"error"} when the test cells cannot be checked), so that a child that crashes
or runs out of time still reports the exercises it finished. The student's own output goes
nowhere. The parent, which starts one such child per notebook, is `course.standing`.
"""
from __future__ import annotations

import json
import os
import symtable
import sys
import types
from pathlib import Path
from typing import IO, Any

from .i18n import _
from .standing import DONE, FAILING, NOT_CHECKED, NOT_DONE, one_line


def _names(source: str) -> tuple[set[str], set[str]]:
    """(names the cell binds in the notebook's namespace, global names it reads), from the
    compiler's symbol tables: a function's parameters and locals are neither."""
    try:
        top = symtable.symtable(source, "<cell>", "exec")
    except (SyntaxError, ValueError):
        return set(), set()
    bound = {s.get_name() for s in top.get_symbols() if s.is_assigned() or s.is_imported()}
    used = {s.get_name() for s in top.get_symbols() if s.is_referenced()}
    todo = top.get_children()
    while todo:
        table = todo.pop()
        for s in table.get_symbols():
            if s.is_declared_global() and s.is_assigned():
                bound.add(s.get_name())
            if s.is_global() and s.is_referenced():
                used.add(s.get_name())
        todo += table.get_children()
    return bound, used


def needed_setup(setup: list[dict[str, str]], answers: list[dict[str, str]]) -> list[dict]:
    """The setup cells that bind a name the answers use, directly or through another such
    cell, in the notebook's order: helpers and imports run, training and benchmarks do not."""
    names = [_names(cell["source"]) for cell in setup]
    needed = set().union(*(_names(a["source"])[1] for a in answers))
    kept: set[int] = set()
    grew = True
    while grew:  # a helper's body may use a name bound by a later cell: repeat until stable
        grew = False
        for i, (bound, used) in enumerate(names):
            if i not in kept and bound & needed:
                kept.add(i)
                needed |= used
                grew = True
    return [cell for i, cell in enumerate(setup) if i in kept]


def _run_cell(cell: dict[str, str], ns: dict[str, Any]) -> BaseException | None:
    """Run one cell; its source goes to linecache so that the checks can read the answers'
    source (for forbidden calls) as they do in a notebook."""
    import linecache

    filename = f"<{cell['id']}>"
    source = cell["source"]
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    try:
        exec(compile(source, filename, "exec"), ns)
    except BaseException as exc:  # SystemExit and KeyboardInterrupt too: a row, not an exit
        return exc
    finally:
        plt = sys.modules.get("matplotlib.pyplot")
        if plt is not None:
            plt.close("all")
    return None


def _call_status(call: Any, ns: dict[str, Any]) -> tuple[str, str]:
    """Status of one visible check call, as its check cell would show it."""
    from .checks.judge import Status

    answer = ns.get(call.function)
    if answer is None:
        return FAILING, _("`{name}` is not defined by any cell").format(name=call.function)
    visible, _hidden = call.check.build(0)
    results = call.check.run(answer, visible)
    first = next((r.verdict for r in results if r.verdict.status is not Status.PASS), None)
    if first is None:
        return DONE, ""
    if first.status is Status.NOT_DONE:
        return NOT_DONE, ""
    if first.status is Status.FORBIDDEN:
        return FAILING, one_line(first.message)
    return FAILING, one_line(_("{label}: {message}").format(label=_(first.label),
                                                              message=first.message))


def exercise_status(exercise: Any, ns: dict[str, Any],
                    errors: dict[str, BaseException]) -> tuple[str, str]:
    """Status of one test cell: failing if its answer cell raised or a call fails, not done
    yet if a call meets a stub, done if every visible case of every call passes."""
    if exercise.missing:
        return FAILING, _("its answer cell '{cell}' is missing").format(cell=exercise.solution_id)
    error = errors.get(exercise.solution_id)
    if error is not None and not isinstance(error, NotImplementedError):
        return FAILING, _("the cell raised {error}").format(error=one_line(error))
    calls = [c for c in exercise.calls if not c.hidden]
    if not calls:
        return NOT_CHECKED, _("its test cell has no visible check")
    statuses = []
    for call in calls:
        try:
            statuses.append(_call_status(call, ns))
        except Exception as exc:  # a check that breaks is reported, the others still run
            return NOT_CHECKED, _("the check of {name} could not run ({error})").format(
                name=call.function, error=one_line(exc))
    for wanted in (FAILING, NOT_DONE):
        found = next((s for s in statuses if s[0] == wanted), None)
        if found is not None:
            return found
    return DONE, ""


def _private_stdout() -> IO[str]:
    """The JSON channel: the real stdout. File descriptor 1 then points to /dev/null, so that
    what the notebook's code prints (from Python or from C) goes nowhere."""
    channel = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    return channel


def _fresh_main() -> dict[str, Any]:
    """A module `__main__` of its own for the notebook's names, as a kernel has (classes and
    dataclasses defined in cells find their module)."""
    main = types.ModuleType("__main__")
    sys.modules["__main__"] = main
    return main.__dict__


def child(path: Path) -> int:
    """Check one notebook in this process: JSON lines on stdout, one per exercise."""
    channel = _private_stdout()
    # jsonschema, under nbformat, builds a URI grammar at import (2 s) for a format check that
    # reading a notebook never makes: without it, the import is that much faster.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    import nbformat

    from .authoring import SourceError
    from .grading.plan import PlanError, make_plan

    nb = nbformat.read(path, as_version=4)
    try:
        plan = make_plan(nb, nb, path.name)
    except (PlanError, SourceError) as exc:
        why = _("the test cells cannot be checked: {error}").format(error=one_line(str(exc)))
        print(json.dumps({"error": why}), file=channel)
        return 0
    sys.dont_write_bytecode = True  # a student's own module must not leave __pycache__ there
    ns = _fresh_main()
    for cell in needed_setup(plan.setup, plan.answers):
        _run_cell(cell, ns)  # a failure shows where an answer needs what the cell defines
    errors = {cell["id"]: error for cell in plan.answers
              if (error := _run_cell(cell, ns)) is not None}
    for exercise in plan.exercises:
        status, message = exercise_status(exercise, ns, errors)
        print(json.dumps({"grade_id": exercise.grade_id, "status": status, "message": message}),
              file=channel)
    return 0


if __name__ == "__main__":
    raise SystemExit(child(Path(sys.argv[1])))
