"""Grade a folder of submissions in parallel, appending results as they come, resumable.

Layout: `SUBMISSIONS/<student>/<NN_name>.ipynb` (one folder per student, as nbgrader collects
them) or `SUBMISSIONS/<student>__<NN_name>.ipynb`. Each is matched to
`solutions/<NN_name>.ipynb`. Links are refused (a link can point at a solution), and a student
with the same notebook twice gets a `duplicate` row instead of two sums. Worker processes
(trusted) plan each submission, start its children through their zygotes and score what comes
back. Every finished submission is appended to `OUT/results.jsonl` at once; a re-run skips the
submissions whose content (and solution notebook) did not change, then rewrites the gradebook
and the feedback files from all results.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import secrets
import shutil
import tempfile
import time
import traceback
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import nbformat

from ..checks.case import Case
from ..checks.exercise import Check
from . import reports, scoring, session
from .plan import Plan, make_plan
from .sandbox import Limits, isolation
from .scoring import Row, Status

RESULTS = "results.jsonl"
_worker: dict[str, Any] = {}


@dataclass(frozen=True)
class Submission:
    path: Path
    student: str
    notebook: str  # e.g. 01_conv1d
    key: str  # path relative to the submissions folder
    problem: str = ""  # why it is not graded (a link, a duplicate), or ""
    status: Status = Status.GRADED


def _notebooks(root: Path) -> list[Path]:
    """Every .ipynb under root, also through linked folders (so that they can be refused by
    name); a link back to a folder above (a loop) is not followed."""
    found = []
    for folder, dirs, files in os.walk(root, followlinks=True):
        here = Path(folder)
        above = {os.path.realpath(p) for p in here.parents if root in p.parents or p == root}
        if os.path.realpath(here) in above:
            dirs[:] = []
            continue
        found += [here / f for f in files if f.endswith(".ipynb")]
    return sorted(found)


def _found(root: Path) -> list[Submission]:
    found = []
    for path in _notebooks(root):
        rel = path.relative_to(root)
        if any(p.startswith(".") for p in rel.parts):
            continue  # .ipynb_checkpoints and hidden folders
        if len(rel.parts) >= 2:
            student, notebook = rel.parts[0], path.stem
        else:
            student, _, notebook = path.stem.partition("__")
        links = [p for p in [path, *path.parents] if p != root and root in p.parents and
                 p.is_symlink()]
        problem = f"{rel.as_posix()} is a link, not a file: hand in the notebook itself" \
            if links else ""
        found.append(Submission(path, student, notebook, rel.as_posix(), problem,
                                Status.REFUSED if links else Status.GRADED))
    return found


def discover(root: Path) -> list[Submission]:
    """Every submission, with links refused and duplicates (the same student and notebook
    more than once) marked, none of their copies graded."""
    subs = _found(root)
    copies: dict[tuple[str, str], list[Submission]] = defaultdict(list)
    for sub in subs:
        copies[(sub.student, sub.notebook)].append(sub)
    out = []
    for sub in subs:
        same = copies[(sub.student, sub.notebook)]
        if len(same) > 1 and not sub.problem:
            where = ", ".join(s.key for s in same)
            sub = Submission(sub.path, sub.student, sub.notebook, sub.key,
                             f"{sub.notebook} handed in {len(same)} times ({where}): keep one "
                             f"and grade again", Status.DUPLICATE)
        out.append(sub)
    return out


def fingerprint(sub: Submission, solutions: Path) -> str:
    h = hashlib.sha256(b"course-grade-v2\0")
    for p in (sub.path, solutions / f"{sub.notebook}.ipynb"):
        try:
            h.update(p.read_bytes() if p.is_file() and not p.is_symlink() else b"-")
        except OSError:
            h.update(b"?")
        h.update(b"\0")
    h.update(sub.problem.encode())
    return h.hexdigest()


def _init_worker(base: str) -> None:
    home = Path(base) / f"worker-{os.getpid()}"
    home.mkdir(mode=0o711)
    _worker["zygotes"] = session.Zygotes(home)


@functools.lru_cache(maxsize=512)
def _cases(check: Check, hidden: bool, seed: int) -> list[Case]:
    """The same for every submission of a run (cached: the reference is PyTorch). Read only."""
    visible, hidden_cases = check.build(seed)
    return hidden_cases if hidden else visible


def _plan_cases(plan: Plan, seed: int) -> dict[tuple[int, int], list[Case]]:
    return {(i, j): _cases(call.check, call.hidden, seed)
            for i, ex in enumerate(plan.exercises) for j, call in enumerate(ex.calls)}


def _exercises_of(solution: Any) -> list[tuple[str, float]]:
    from ..authoring import is_test, nbgrader

    return [(nbgrader(c)["grade_id"], float(nbgrader(c).get("points", 0)))
            for c in solution.cells if is_test(c)]


def grade_one(sub: Submission, solutions: Path, seed: int, limits: Limits) -> dict:
    """{"rows": [...], "child": how it ran} for one submission; never raises."""
    start = time.monotonic()
    child: dict[str, Any] = {"isolation": isolation()}
    source = solutions / f"{sub.notebook}.ipynb"
    exercises: list[tuple[str, float]] = []
    try:
        if source.is_file():
            exercises = _exercises_of(nbformat.read(source, as_version=4))
        rows = _grade(sub, source, seed, limits, child, exercises)
    except Exception:  # a grader bug on one file must not stop the batch, nor score 0/0
        why = traceback.format_exc(limit=3).strip().splitlines()[-1]
        rows = scoring.failed(exercises, sub.student, sub.notebook, Status.ERROR,
                              f"grader failure: {why[:300]}")
    child["total_s"] = round(time.monotonic() - start, 3)
    return {"rows": [r.as_dict() for r in rows], "child": child}


def _grade(sub: Submission, source: Path, seed: int, limits: Limits, child: dict[str, Any],
           exercises: list[tuple[str, float]]) -> list[Row]:
    if sub.problem:
        return scoring.failed(exercises, sub.student, sub.notebook, sub.status, sub.problem)
    if not sub.student or not source.is_file():
        return scoring.failed([], sub.student or sub.notebook, sub.notebook, Status.INVALID,
                              f"{sub.key}: no notebook {sub.notebook}.ipynb in solutions/")
    solution = nbformat.read(source, as_version=4)
    try:
        submission = nbformat.reads(sub.path.read_text(encoding="utf-8"), as_version=4)
        if not isinstance(submission.get("cells"), list):
            raise ValueError("no list of cells")
    except Exception as exc:  # corrupt JSON, not a notebook, wrong encoding, too deep
        return scoring.failed(exercises, sub.student, sub.notebook, Status.INVALID,
                              f"not a readable notebook ({type(exc).__name__})")
    plan = make_plan(solution, submission, source.name)
    cases = _plan_cases(plan, seed)
    run = session.run(plan, cases, _worker["zygotes"], limits)
    child.update(run.ended)
    return scoring.score(plan, run, cases, sub.student, sub.notebook, limits.timeout)


def _warm_cases(notebooks: set[str], solutions: Path, seed: int) -> None:
    """Build every case once here: forked workers inherit them instead of each rebuilding."""
    from .plan import checks_in, setup_aliases
    from ..authoring import is_test

    for name in sorted(notebooks):
        try:
            nb = nbformat.read(solutions / f"{name}.ipynb", as_version=4)
            aliases = setup_aliases(nb)
            for cell in nb.cells:
                if cell.cell_type == "code" and is_test(cell):
                    for call in checks_in(cell.source, aliases, name):
                        _cases(call.check, call.hidden, seed)
        except Exception:  # unknown or broken: graded (as such) by the worker
            continue


def load_results(out: Path) -> dict[str, dict]:
    """Last result line per submission key (corrupt lines, e.g. from a crash, are skipped)."""
    done: dict[str, dict] = {}
    path = out / RESULTS
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
                done[record["key"]] = record
            except (ValueError, KeyError, TypeError, RecursionError):
                continue
    return done


def pending(submissions: Path, solutions: Path, done: dict[str, dict]
            ) -> list[tuple[Submission, str]]:
    """Submissions not graded yet, or changed (or whose solution changed) since."""
    todo = []
    for sub in discover(submissions):
        digest = fingerprint(sub, solutions)
        if done.get(sub.key, {}).get("hash") != digest:
            todo.append((sub, digest))
    return todo


def grade(submissions: Path, out: Path, solutions: Path, jobs: int | None = None,
          limits: Limits | None = None, seed: int | None = None,
          progress: Callable[[dict], None] | None = None) -> list[dict]:
    """Grade every submission not graded yet; write results.jsonl, grades.csv/json, feedback/.
    Returns all gradebook rows."""
    out.mkdir(parents=True, exist_ok=True)
    limits = limits or Limits()
    seed = secrets.randbelow(2**31) if seed is None else seed
    done = load_results(out)
    present = {sub.key for sub in discover(submissions)}
    done = {k: v for k, v in done.items() if k in present}
    todo = pending(submissions, solutions, done)
    if todo:
        _warm_cases({sub.notebook for sub, _ in todo}, solutions, seed)
        jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
        base = Path(tempfile.mkdtemp(prefix="course-grade-"))
        os.chmod(base, 0o711)
        try:
            with ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(str(base),)) \
                    as pool, open(out / RESULTS, "a", encoding="utf-8") as log:
                futures = {pool.submit(grade_one, sub, solutions, seed, limits): (sub, digest)
                           for sub, digest in todo}
                for future in as_completed(futures):
                    sub, digest = futures[future]
                    try:
                        result = future.result()
                    except Exception as exc:  # a worker died: this one is retried next run
                        result = {"rows": [Row(sub.student, sub.notebook, "", 0, 0,
                                               Status.ERROR, f"grader failure: {exc}"[:300])
                                           .as_dict()], "child": {}}
                        digest = ""
                    record = {"key": sub.key, "hash": digest, "seed": seed, **result}
                    log.write(json.dumps(record) + "\n")
                    log.flush()
                    os.fsync(log.fileno())
                    done[sub.key] = record
                    if progress:
                        progress(record)
        finally:
            shutil.rmtree(base, ignore_errors=True)
    rows = [r for record in done.values() for r in record["rows"]]
    reports.write_gradebook(rows, out)
    reports.write_feedback(rows, out)
    return rows
