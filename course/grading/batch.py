"""Grade a folder of submissions in parallel, appending results as they come, resumable.

Layout: `SUBMISSIONS/<student>/<NN_name>.ipynb` (one folder per student, as nbgrader collects
them) or `SUBMISSIONS/<student>__<NN_name>.ipynb`. Each is matched to
`solutions/<NN_name>.ipynb`. Worker processes (parent side, trusted) build the cases, start
one sandboxed child per submission through their zygote, and score what comes back. Every
finished submission is appended to `OUT/results.jsonl` at once; a re-run skips submissions
whose content (and solution notebook) did not change, then rewrites the gradebook and the
feedback files from all results.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import tempfile
import time
import traceback
import uuid
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import nbformat
import numpy as np

from . import reports, scoring, wire
from .plan import job_spec, make_plan
from .sandbox import Limits, Zygote, job_folder

RESULTS = "results.jsonl"
_worker: dict[str, Any] = {}


@dataclass(frozen=True)
class Submission:
    path: Path
    student: str
    notebook: str  # e.g. 01_conv1d
    key: str  # path relative to the submissions folder


def discover(root: Path) -> list[Submission]:
    found = []
    for path in sorted(root.rglob("*.ipynb")):
        rel = path.relative_to(root)
        if any(p.startswith(".") for p in rel.parts):
            continue  # .ipynb_checkpoints and hidden folders
        if len(rel.parts) >= 2:
            student, notebook = rel.parts[0], path.stem
        else:
            student, _, notebook = path.stem.partition("__")
        found.append(Submission(path, student, notebook, rel.as_posix()))
    return found


def fingerprint(sub: Submission, solutions: Path) -> str:
    h = hashlib.sha256(b"course-grade-v1\0")
    for p in (sub.path, solutions / f"{sub.notebook}.ipynb"):
        h.update(p.read_bytes() if p.is_file() else b"-")
        h.update(b"\0")
    return h.hexdigest()


def _init_worker(base: str) -> None:
    home = Path(base) / f"zygote-{os.getpid()}"
    home.mkdir()
    _worker["zygote"] = Zygote(home)
    _worker["base"] = Path(base)


def _test_exercises(nb: nbformat.NotebookNode) -> list[tuple[str, float]]:
    from ..authoring import is_test, nbgrader

    return [(nbgrader(c)["grade_id"], float(nbgrader(c).get("points", 0)))
            for c in nb.cells if is_test(c)]


def grade_one(sub: Submission, solutions: Path, seed: int, limits: Limits) -> dict:
    """{"rows": [...], "child": how the child ended} for one submission; never raises."""
    child: dict[str, Any] = {}
    start = time.monotonic()
    try:
        rows = [r.as_dict() for r in _grade(sub, solutions, seed, limits, child)]
    except Exception:  # a grader bug on one file must not stop the batch
        why = traceback.format_exc(limit=3).strip().splitlines()[-1]
        rows = [scoring.Row(sub.student, sub.notebook, "", 0, 0, scoring.ERROR,
                            f"grader failure: {why}").as_dict()]
    child["total_s"] = round(time.monotonic() - start, 3)
    return {"rows": rows, "child": child}


def _grade(sub: Submission, solutions: Path, seed: int, limits: Limits,
           child: dict[str, Any]) -> list[scoring.Row]:
    source = solutions / f"{sub.notebook}.ipynb"
    if not sub.student or not source.is_file():
        return scoring.invalid([], sub.student or sub.notebook, sub.notebook,
                               f"{sub.key}: no notebook {sub.notebook}.ipynb in solutions/")
    solution = nbformat.read(source, as_version=4)
    try:
        submission = nbformat.reads(sub.path.read_text(encoding="utf-8"), as_version=4)
        if not isinstance(submission.get("cells"), list):
            raise ValueError("no list of cells")
    except Exception as exc:  # corrupt JSON, not a notebook, wrong encoding
        return scoring.invalid(_test_exercises(solution), sub.student, sub.notebook,
                               f"not a readable notebook ({type(exc).__name__})")
    plan = make_plan(solution, submission, source.name, seed)
    spec, arrays = job_spec(plan, wire.encode)
    job = job_folder(_worker["base"], f"job-{uuid.uuid4().hex}")
    try:
        (job / "job.json").write_text(json.dumps(spec), encoding="utf-8")
        np.savez(job / "inputs.npz", **arrays)
        child.update(_worker["zygote"].run(job, limits), limit=limits.timeout)
        return scoring.score(plan, job, child, sub.student, sub.notebook)
    finally:
        shutil.rmtree(job, ignore_errors=True)


def _warm_cases(notebooks: set[str], solutions: Path, seed: int) -> None:
    """Build every case once here: forked workers inherit them instead of each rebuilding."""
    from .plan import parse_checks, warm_cases

    for name in sorted(notebooks):
        try:
            nb = nbformat.read(solutions / f"{name}.ipynb", as_version=4)
        except Exception:  # unknown or broken: graded (as invalid) by the worker
            continue
        for cell in nb.cells:
            if cell.cell_type == "code" and "check_" in cell.source:
                try:
                    warm_cases(parse_checks(cell.source), seed)
                except SyntaxError:
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
            except (ValueError, KeyError, TypeError):
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
    limits.hide = sorted({str(p.resolve()) for p in (solutions, submissions, out)} |
                         set(limits.hide))
    seed = secrets.randbelow(2**31) if seed is None else seed
    done = load_results(out)
    todo = pending(submissions, solutions, done)
    if todo:
        _warm_cases({sub.notebook for sub, _ in todo}, solutions, seed)
        jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
        base = Path(tempfile.mkdtemp(prefix="course-grade-"))
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
                        result = {"rows": [scoring.Row(
                            sub.student, sub.notebook, "", 0, 0, scoring.ERROR,
                            f"grader failure: {exc}").as_dict()], "child": {}}
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
