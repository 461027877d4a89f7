"""`python -m course progress`: each exercise of a student's notebooks is done, not done yet or
failing, checked in a child process per notebook, and the student's folder is left exactly as
it was.

Each test copies a few notebooks into a folder of its own and checks the whole folder once;
only `test_solutions_are_done` checks every solution notebook the checks can plan (00-06, and
07-12 as soon as their test cells import their checks from `course.checks.<module>`).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from course.grading.plan import PlanError, make_plan
from course.standing_child import needed_setup
from course.standing import (DONE, FAILING, NOT_CHECKED, NOT_DONE, Row, as_html, as_text,
                             check_folder, exercises)

ROOT = Path(__file__).resolve().parent.parent

FLIPPED_CONV1D = '''def conv1d(x: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Slides the kernel, but flipped."""
    w = len(k)
    out = np.zeros(len(x) - w + 1, dtype=np.result_type(x, k, np.float32))
    for i in range(len(out)):
        out[i] = np.sum(x[i:i + w] * k[::-1])
    return out'''
NUMPY_CONV1D = '''def conv1d(x: np.ndarray, k: np.ndarray) -> np.ndarray:
    return np.convolve(x, k[::-1], "valid").astype(np.result_type(x, k, np.float32))'''
ENDLESS_CONV1D_TORCH = '''def conv1d_torch(x, k, stride=1):
    while True:
        pass'''
RAISING_CELL = '''def conv1d_stride(x, k, stride=1):
    return x

print(undefined_name)'''
PLANNED_STUDENT_NOTEBOOKS = ("00_setup", "05_pooling", "08_lenet")


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) under `folder`."""
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None
            for p in sorted(folder.rglob("*"))}


def checked(folder: Path, **options) -> list[Row]:
    """Check the folder, and that nothing in it was written, added or removed."""
    before = snapshot(folder)
    rows = check_folder(folder, **options)
    assert snapshot(folder) == before
    return rows


def with_cells(name: str, sources: dict[str, str], target: Path) -> None:
    """A copy of the student notebook `name` whose cells (by grade_id) hold these sources."""
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    for cell in nb.cells:
        cell.source = sources.get(cell.metadata.get("nbgrader", {}).get("grade_id"), cell.source)
    nbformat.write(nb, target)


def plans(path: Path) -> bool:
    """Whether the checks of this notebook's test cells can be planned (imports current)."""
    nb = nbformat.read(path, as_version=4)
    try:
        make_plan(nb, nb, path.name)
    except PlanError:
        return False
    return True


def by_notebook(rows: list[Row]) -> dict[str, dict[str, Row]]:
    found: dict[str, dict[str, Row]] = {}
    for r in rows:
        found.setdefault(r.notebook, {})[r.grade_id] = r
    return found


def test_student_notebooks_are_not_done_yet(tmp_path):
    for name in PLANNED_STUDENT_NOTEBOOKS:
        shutil.copy(ROOT / "notebooks" / f"{name}.ipynb", tmp_path)
    rows = checked(tmp_path)
    assert [r.notebook for r in rows] == sorted(r.notebook for r in rows)
    for name in PLANNED_STUDENT_NOTEBOOKS:
        nb = nbformat.read(tmp_path / f"{name}.ipynb", as_version=4)
        mine = [(r.grade_id, r.points, r.status) for r in rows if r.notebook == name]
        assert mine == [(gid, points, NOT_DONE) for gid, _, points in exercises(nb)]


def test_solutions_are_done(tmp_path):
    ready = [p for p in sorted((ROOT / "solutions").glob("*.ipynb")) if plans(p)]
    assert {p.stem for p in ready} >= {"00_setup", "01_conv1d", "02_conv2d", "03_conv_layer",
                                       "04_padding_stride_dilation", "05_pooling",
                                       "06_vectorisation_gpu"}
    for path in ready:
        shutil.copy(path, tmp_path)
    rows = checked(tmp_path)
    assert {r.notebook for r in rows} == {p.stem for p in ready}
    assert [(r.notebook, r.exercise, r.message) for r in rows if r.status != DONE] == []


def test_a_wrong_answer_fails_with_its_diagnosis_on_the_command_line(tmp_path):
    with_cells("01_conv1d", {"conv1d": FLIPPED_CONV1D}, tmp_path / "01_conv1d.ipynb")
    with_cells("01_conv1d", {"conv1d": NUMPY_CONV1D}, tmp_path / "01_numpy.ipynb")
    before = snapshot(tmp_path)
    run = subprocess.run([sys.executable, "-m", "course", "progress", str(tmp_path)], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert snapshot(tmp_path) == before
    lines = run.stdout.splitlines()
    assert lines[0].split() == ["notebook", "exercise", "points", "status"]
    flipped = next(line for line in lines if line.startswith("01_conv1d "))
    assert flipped.split()[1:4] == ["conv1d", "3", "failing:"]
    assert "kernel is flipped" in flipped
    numpy = next(line for line in lines if line.startswith("01_numpy "))
    assert "failing: would score 0 when graded" in numpy and "numpy.convolve" in numpy
    others = [line.split() for line in lines if line.split()[:1] in (["conv1d_output_size"],
                                                                     ["conv1d_stride"])]
    assert len(others) == 4 and all(line[-3:] == ["not", "done", "yet"] for line in others)
    assert lines[-1] == "all notebooks: 0 of 16 points; 0 of 10 exercises done"
    assert "checking notebooks" in run.stderr and "2/2" in run.stderr  # the progress bar


def test_what_cannot_be_checked_gets_a_row_not_a_traceback(tmp_path):
    (tmp_path / "broken.ipynb").write_text("{ not a notebook")
    plain = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")])
    nbformat.write(plain, tmp_path / "mine.ipynb")
    with_cells("01_conv1d", {"conv1d": "import os\nos._exit(3)"}, tmp_path / "crash.ipynb")
    with_cells("01_conv1d", {"conv1d_stride": RAISING_CELL, "conv1d_torch": ENDLESS_CONV1D_TORCH},
               tmp_path / "endless.ipynb")
    with_cells("01_conv1d", {"test_conv1d": "print('no check')"}, tmp_path / "edited.ipynb")
    rows = by_notebook(checked(tmp_path, timeout=20))
    [broken] = rows["broken"].values()
    assert (broken.status, broken.message[:19]) == (NOT_CHECKED, "could not be read (")
    [mine] = rows["mine"].values()
    assert (mine.status, mine.message) == (NOT_CHECKED, "not a course notebook: it has no "
                                                        "test cells")
    assert all(r.status == NOT_CHECKED and r.message.startswith("the check crashed (exit "
                                                                "code 3)")
               for r in rows["crash"].values())
    assert all(r.status == NOT_CHECKED and r.message.startswith("the test cells cannot be "
                                                                "checked: ")
               for r in rows["edited"].values())
    endless = rows["endless"]
    assert endless.pop("test_conv1d_torch").message.startswith("stopped after 20 s")
    raised = endless.pop("test_conv1d_stride")
    assert (raised.status, raised.message) == (FAILING, "the cell raised NameError: name "
                                                        "'undefined_name' is not defined")
    assert {r.status for r in endless.values()} == {NOT_DONE}  # reported before it stopped


def test_the_child_runs_only_the_setup_cells_the_answers_need():
    setup = [{"id": "imports", "source": "import numpy as np\nimport matplotlib.pyplot as plt"},
             {"id": "helper", "source": "def _pair(v):\n    return (v, v) if np.isscalar(v) "
                                        "else tuple(OFFSET + w for w in v)"},
             {"id": "constant", "source": "OFFSET = 0"},
             {"id": "training", "source": "x = np.zeros(3)\nhistory = fit(model, x)"}]
    answers = [{"id": "pool", "source": "def pool(x, size):\n    h, w = _pair(size)\n"
                                        "    return x[::h, ::w]"}]
    assert [c["id"] for c in needed_setup(setup, answers)] == ["imports", "helper", "constant"]


def test_the_tables():
    rows = [Row("01_conv1d", "conv1d", "test_conv1d", 3, DONE),
            Row("01_conv1d", "conv1d_stride", "test_conv1d_stride", 2, FAILING,
                "stride 2: expected shape (3,), got (4,) <b>"),
            Row("02_conv2d", "conv2d", "test_conv2d", 3, NOT_CHECKED, "stopped after 60 s"),
            Row("02_conv2d", "conv2d_torch", "test_conv2d_torch", 1, NOT_CHECKED,
                "stopped after 60 s"),
            Row("notes", "", "", 0, NOT_CHECKED, "not a course notebook: it has no test cells")]
    text = as_text(rows).splitlines()
    assert text[1].split() == ["01_conv1d", "conv1d", "3", "done"]
    assert text[2].split()[:4] == ["conv1d_stride", "2", "failing:", "stride"]
    assert text[3].split() == ["total", "3", "of", "5", "points"]
    assert text[5].split() == ["conv2d_torch", "1", "not", "checked", "(as", "above)"]
    assert text[7].split()[:3] == ["notes", "0", "not"] and "total" not in text[8]
    assert text[-1] == "all notebooks: 3 of 9 points; 1 of 4 exercises done"
    page = as_html(rows)
    assert "<td>3 / 5</td>" in page and "<td>0 / 4</td>" in page
    assert "&lt;b&gt;" in page and "<b>)" not in page
    assert page.count("stopped after 60 s</li>") == 1  # a notebook-wide reason, listed once


def test_course_progress_is_callable_before_and_after_importing_the_module(tmp_path):
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "empty.ipynb")
    script = (f"import course; course.progress({str(tmp_path)!r}); "
              f"import course.standing; course.progress({str(tmp_path)!r})")
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    rows = [line.split() for line in run.stdout.splitlines()]
    assert rows.count(["empty", "0", "not", "checked:", "not", "a", "course", "notebook:", "it",
                       "has", "no", "test", "cells"]) == 2
