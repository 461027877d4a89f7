"""A student's standing across their notebooks: for each exercise, done, not done yet or
failing (with the diagnosis of the first failing case), and the points it is worth.

`python -m course progress [NOTEBOOK_DIR]` in a terminal, `course.progress()` in a notebook.
Each notebook is checked by a child process of its own (course/standing_child.py), started in
the notebook's folder so that relative paths work; it reports one JSON line per exercise, so
that a child that crashes or runs out of time still reports the exercises it finished. This
module starts the children, stops them on time, and shows their rows as a table.

The statuses travel between child and parent in English (they are keys) and are translated
where the table shows them; a message is shown as it is, made in the language of the run by the
process that found it (the child inherits COURSE_LANG).
"""
from __future__ import annotations

import argparse
import ast
import contextlib
import html
import json
import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from .i18n import N_, _

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60.0  # seconds per notebook
WORKERS = 2
# The statuses: English keys in the child's JSON and in a Row, translated where shown.
DONE, NOT_DONE, FAILING, NOT_CHECKED = (N_("done"), N_("not done yet"), N_("failing"),
                                        N_("not checked"))
STATUSES = (DONE, NOT_DONE, FAILING, NOT_CHECKED)
RUNNING: set[subprocess.Popen] = set()  # the children now running, stopped on an interrupt


@dataclass(frozen=True)
class Row:
    """One exercise of one notebook (or one row for a notebook that could not be checked)."""

    notebook: str  # the file's name without .ipynb
    exercise: str  # what the test cell checks (e.g. "conv1d"), "" for a notebook-wide row
    grade_id: str  # the test cell's nbgrader grade_id
    points: float  # available, from the test cell's nbgrader metadata
    status: str  # DONE, NOT_DONE, FAILING or NOT_CHECKED (English: a key)
    message: str = ""  # one line: the diagnosis, or why it was not checked (as shown)


# ---------------------------------------------------------------------------------------------
# The parent: one child per notebook, a table at the end
# ---------------------------------------------------------------------------------------------

def default_folder() -> Path:
    """The current folder if it holds notebooks (a notebook calling `course.progress()`),
    else the repository's notebooks/."""
    here = Path.cwd()
    if any(here.glob("*.ipynb")) or not (ROOT / "notebooks").is_dir():
        return here
    return ROOT / "notebooks"


def exercises(nb: Any) -> list[tuple[str, str, float]]:
    """(grade_id, what it checks, points) of each test cell, read from the metadata alone: the
    parent lists the exercises without importing the checks (and torch)."""
    from .authoring import is_test, nbgrader

    found = []
    for cell in nb.cells:
        if cell.cell_type == "code" and is_test(cell):
            meta = nbgrader(cell)
            gid = str(meta.get("grade_id", ""))
            found.append((gid, _checked_names(cell.source) or gid, float(meta.get("points", 0))))
    return found


def _checked_names(source: str) -> str:
    """`check_conv1d(conv1d)` -> "conv1d": the names a test cell hands to its checks."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ""
    names = [node.args[0].id for node in ast.walk(tree) if isinstance(node, ast.Call)
             and node.args and isinstance(node.args[0], ast.Name)]
    return ", ".join(dict.fromkeys(names))


def check_notebook(path: Path, timeout: float = TIMEOUT, threads: int = 0) -> list[Row]:
    """The rows of one notebook; a notebook that cannot be checked gets rows that say why."""
    import nbformat

    name = path.stem
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # not JSON, not a notebook, unreadable: a row, not a traceback
        return [Row(name, "", "", 0, NOT_CHECKED,
                    _("could not be read ({error})").format(error=one_line(exc)))]
    listed = exercises(nb)
    if not listed:
        return [Row(name, "", "", 0, NOT_CHECKED,
                    _("not a course notebook: it has no test cells"))]
    reported, problem = _run_child(path, timeout, threads)
    rows = []
    for gid, exercise, points in listed:
        status, message = reported.get(gid, (NOT_CHECKED, problem or _(
            "the check did not report this exercise")))
        rows.append(Row(name, exercise, gid, points, status, message))
    return rows


def _run_child(path: Path, timeout: float, threads: int) -> tuple[dict[str, tuple[str, str]],
                                                                   str]:
    """({grade_id: (status, message)} as the child reported them, why it stopped early)."""
    env = dict(os.environ, MPLBACKEND="Agg")
    env.pop("COURSE_STRICT_CHECKS", None)  # a stub is "not done yet", as in the notebook
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    if threads:  # two children on two cores: one thread each, not two fighting for both
        env.setdefault("OMP_NUM_THREADS", str(threads))
    command = [sys.executable, "-m", "course.standing_child", str(path.resolve())]
    try:
        child = subprocess.Popen(command, cwd=path.parent, env=env, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 start_new_session=True)
    except OSError as exc:
        return {}, _("the check could not start ({error})").format(error=one_line(exc))
    RUNNING.add(child)
    try:
        out, err = child.communicate(timeout=timeout)
        problem = "" if child.returncode == 0 else _(
            "the check crashed (exit code {code}): {error}").format(code=child.returncode,
                                                                    error=_last_line(err))
    except subprocess.TimeoutExpired:
        _kill(child)
        out, err = child.communicate()
        problem = _("stopped after {seconds} s: an endless loop, or far too slow").format(
            seconds=f"{timeout:g}")
    finally:
        RUNNING.discard(child)
    reported = {}
    for line in out.splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and "error" in record:
            problem = str(record["error"])
        elif isinstance(record, dict) and record.get("status") in STATUSES:
            reported[str(record.get("grade_id"))] = (record["status"],
                                                     str(record.get("message", "")))
    return reported, problem


def _kill(child: subprocess.Popen) -> None:
    """Stop a child and whatever it started (its process group: it leads a session)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGKILL)


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].strip() if lines else _("no message")


def one_line(exc: BaseException | str) -> str:
    """An exception or a message on one line (the table has one line per exercise)."""
    text = f"{type(exc).__name__}: {exc}" if isinstance(exc, BaseException) else exc
    return " ".join(text.split())


def check_folder(folder: Path | str | None = None, workers: int = WORKERS,
                 timeout: float = TIMEOUT) -> list[Row]:
    """The rows of every notebook of the folder, in the order of their names; a progress bar
    (one step per notebook) on stderr while the children run."""
    from tqdm.auto import tqdm

    paths = sorted(Path(folder or default_folder()).glob("*.ipynb"))
    threads = max(1, (os.cpu_count() or 1) // max(1, workers)) if workers > 1 else 0
    rows: dict[Path, list[Row]] = {}
    with ThreadPoolExecutor(max(1, workers)) as pool, \
            tqdm(total=len(paths), desc=_("checking notebooks"), unit="notebook",
                 file=sys.stderr, leave=False,  # the table follows: no stale bar
                 mininterval=0) as bar:  # a step per notebook: show each, even two at once
        running = {pool.submit(check_notebook, p, timeout, threads): p for p in paths}
        try:
            for future in as_completed(running):
                rows[running[future]] = future.result()
                bar.update()
        except BaseException:  # Ctrl-C, or a kernel interrupt: stop now, not after the rest
            pool.shutdown(cancel_futures=True, wait=False)
            for child in list(RUNNING):
                _kill(child)
            raise
    return [row for p in paths for row in rows[p]]


def totals(rows: Iterable[Row]) -> dict[str, tuple[float, float]]:
    """Notebook -> (points done, points available)."""
    found: dict[str, tuple[float, float]] = {}
    for r in rows:
        done, available = found.get(r.notebook, (0.0, 0.0))
        found[r.notebook] = (done + (r.points if r.status == DONE else 0), available + r.points)
    return found


def _status(row: Row) -> str:
    """The row's status, with its message, as shown."""
    if not row.message:
        return _(row.status)
    return _("{label}: {message}").format(label=_(row.status), message=row.message)


def as_text(rows: list[Row]) -> str:
    """A plain table: notebook, exercise, points, status; a total per notebook and overall."""
    if not rows:
        return _("no notebooks found")
    sums = totals(rows)
    notebook, exercise, points, total = _("notebook"), _("exercise"), _("points"), _("total")
    width = max([len(r.notebook) for r in rows] + [len(notebook)])
    ex_width = max([len(r.exercise) for r in rows] + [len(exercise), len(total)])
    pts_width = max(6, len(points))
    lines = [f"{notebook:{width}}  {exercise:{ex_width}}  {points:>{pts_width}}  " + _("status")]
    for i, r in enumerate(rows):
        first = i == 0 or rows[i - 1].notebook != r.notebook
        status = _status(r)
        if not first and r.status == NOT_CHECKED and status == _status(rows[i - 1]):
            # one reason for a whole notebook, said once
            status = _("{status} (as above)").format(status=_(r.status))
        lines.append(f"{r.notebook if first else '':{width}}  {r.exercise:{ex_width}}  "
                     f"{r.points:>{pts_width}g}  {status}")
        if r.grade_id and (i + 1 == len(rows) or rows[i + 1].notebook != r.notebook):
            done, available = sums[r.notebook]
            lines.append(f"{'':{width}}  {total:{ex_width}}  {done:>{pts_width}g}  " +
                         _("of {available} points").format(available=f"{available:g}"))
    done = sum(pair[0] for pair in sums.values())
    available = sum(pair[1] for pair in sums.values())
    graded = [r for r in rows if r.grade_id]
    finished = sum(r.status == DONE for r in graded)
    lines.append(_("all notebooks: {done} of {available} points; {finished} of {graded} "
                   "exercises done").format(done=f"{done:g}", available=f"{available:g}",
                                            finished=finished, graded=len(graded)))
    return "\n".join(lines)


SYMBOLS = {DONE: ("✓", "#1a7f37"), NOT_DONE: ("○", "#8c959f"), FAILING: ("✗", "#cf222e"),
           NOT_CHECKED: ("?", "#9a6700")}


def _title(row: Row) -> str:
    """What a mark of the HTML table says when the pointer is on it."""
    return _("{label}: {message}").format(label=row.exercise or row.notebook,
                                          message=_status(row))


def as_html(rows: list[Row]) -> str:
    """One line per notebook (a mark per exercise, points done of available), then the
    diagnoses of what fails."""
    if not rows:
        return "<p>" + html.escape(_("no notebooks found")) + "</p>"
    sums = totals(rows)
    lines = []
    for notebook, (done, available) in sums.items():
        marks = "".join(
            f'<span title="{html.escape(_title(r))}"'
            f' style="color:{SYMBOLS[r.status][1]}">{SYMBOLS[r.status][0]}</span>'
            for r in rows if r.notebook == notebook)
        lines.append(f"<tr><td style='text-align:left'>{html.escape(notebook)}</td>"
                     f"<td style='text-align:left;letter-spacing:0.2em'>{marks}</td>"
                     f"<td>{done:g} / {available:g}</td></tr>")
    grouped: dict[tuple[str, str], list[str]] = {}  # a notebook-wide reason, listed once
    for r in rows:
        if r.status in (FAILING, NOT_CHECKED):
            grouped.setdefault((r.notebook, _status(r)), []).append(r.exercise)
    problems = "".join(f"<li><b>{html.escape(notebook)}</b> " + html.escape(
                           _("{label}: {message}").format(label=", ".join(filter(None, names)),
                                                          message=why)) + "</li>"
                       for (notebook, why), names in grouped.items())
    legend = " ".join(f'<span style="color:{c}">{s}</span> {html.escape(_(k))}'
                      for k, (s, c) in SYMBOLS.items())
    headers = "".join(f"<th>{html.escape(h)}</th>" for h in (_("notebook"), _("exercises"),
                                                            _("points")))
    return (f"<table><tr>{headers}</tr>"
            f"{''.join(lines)}</table><p style='font-size:smaller'>{legend}</p>" +
            (f"<ul>{problems}</ul>" if problems else ""))


def _shell() -> Any:
    """The IPython shell this runs in, or None (plain Python, a terminal)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def report(folder: Path | str | None = None) -> None:
    """Check the notebooks of the folder and show the table: HTML in a notebook, text
    elsewhere."""
    rows = check_folder(folder)
    if _shell() is None:
        print(as_text(rows))
        return
    from IPython.display import display

    display({"text/plain": as_text(rows), "text/html": as_html(rows)}, raw=True)


# ---------------------------------------------------------------------------------------------
# Command line, and `course.progress()` in a notebook
# ---------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    """`python -m course progress [NOTEBOOK_DIR]`."""
    parser = argparse.ArgumentParser(prog="python -m course progress",
                                     description="which exercises of your notebooks are done")
    parser.add_argument("folder", nargs="?", type=Path, default=None,
                        help="your notebooks (default: this folder if it has notebooks, else "
                             "the repository's notebooks/)")
    parser.add_argument("--jobs", type=int, default=WORKERS, help="notebooks checked at once")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help="seconds per notebook")
    args = parser.parse_args(argv)
    print(as_text(check_folder(args.folder, args.jobs, args.timeout)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
