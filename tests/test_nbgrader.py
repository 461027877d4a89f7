"""A real nbgrader round trip on two solution notebooks: generate the assignment, autograde a
correct, an untouched, a wrong and a forbidden-shortcut submission, and read the scores.

The same rules as the notebook's check and `python -m course grade`: a wrong answer and a
forbidden call score zero, a stub scores zero, and the feedback shows no hidden case.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path

import nbformat
import pytest

from course.authoring import BEGIN_SOLUTION, END_SOLUTION, is_solution, nbgrader

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ("00_setup", "01_conv1d")
nbgrader_app = pytest.importorskip("nbgrader")


def _run(course: Path, *args: str) -> str:
    # nbgrader calls the `alembic` program of its own environment: put it on the PATH
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}"
                                 f"{os.environ.get('PATH', '')}"}
    r = subprocess.run([sys.executable, "-m", "nbgrader", *args, "--force"], cwd=course,
                       capture_output=True, text=True, timeout=600, env=env)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return r.stdout + r.stderr


def _answers(solution: nbformat.NotebookNode) -> dict[str, str]:
    """grade_id -> the solution cell's code without the markers: what a good student writes."""
    keep = lambda line: line.strip() not in (BEGIN_SOLUTION, END_SOLUTION)  # noqa: E731
    return {nbgrader(c)["grade_id"]: "\n".join(filter(keep, c.source.splitlines()))
            for c in solution.cells if is_solution(c) and c.cell_type == "code"}


def _submit(release: Path, dest: Path, answers: dict[str, str]) -> None:
    nb = nbformat.read(release, as_version=4)
    for cell in nb.cells:
        gid = nbgrader(cell).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
    dest.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, dest)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("nbgrader")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    (course / "source" / "ps1").mkdir(parents=True)
    for name in NOTEBOOKS:
        shutil.copy(ROOT / "solutions" / f"{name}.ipynb", course / "source" / "ps1")
    _run(course, "generate_assignment", "ps1")
    answers = {n: _answers(nbformat.read(ROOT / "solutions" / f"{n}.ipynb", as_version=4))
               for n in NOTEBOOKS}
    # right on the visible cases (W <= 20), wrong by 1 everywhere on longer signals: 8 hidden
    # signals drawn in [2, 60) are all that short about once in 7,500 draws
    big_only = dict(answers["01_conv1d"], conv1d=answers["01_conv1d"]["conv1d"].replace(
        "    return out", "    return out if W <= 20 else out + 1"))
    shortcut = dict(answers["01_conv1d"], conv1d=(
        "def conv1d(x, k):\n    return np.correlate(x, k, 'valid')"
        ".astype(np.result_type(x, k, np.float32))"))
    students = {"alice": answers, "bob": {"01_conv1d": {}},
                "carol": {"01_conv1d": big_only}, "dave": {"01_conv1d": shortcut}}
    for student, mine in students.items():
        for name in mine:  # alice hands in both notebooks, the others only 01
            _submit(course / "release" / "ps1" / f"{name}.ipynb",
                    course / "submitted" / student / "ps1" / f"{name}.ipynb", mine[name])
    _run(course, "autograde", "ps1")
    _run(course, "generate_feedback", "ps1")
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in students:
            for name in students[student]:
                nb = gb.find_submission_notebook(name, "ps1", student)
                scores[student, name] = {g.name: g.score for g in nb.grades}
    return course, scores


def _total(scores, student):
    return sum(sum(v.values()) for (s, _), v in scores.items() if s == student)


def test_the_release_holds_no_answer_and_no_hidden_test(course):
    path, _ = course
    text = (path / "release" / "ps1" / "01_conv1d.ipynb").read_text()
    assert "hidden=True" not in text and "out[i] += x[i + j] * k[j]" not in text


def test_a_correct_submission_earns_every_point(course):
    _, scores = course
    assert _total(scores, "alice") == 12
    assert all(v > 0 for v in scores["alice", "01_conv1d"].values())


def test_an_untouched_submission_earns_nothing(course):
    _, scores = course
    assert _total(scores, "bob") == 0


def test_a_wrong_answer_and_a_forbidden_shortcut_score_zero(course):
    _, scores = course
    for student in ("carol", "dave"):  # carol passes the visible cases, not the hidden ones
        mine = scores[student, "01_conv1d"]
        assert mine["test_conv1d"] == 0, (student, mine)
        assert mine["test_conv1d_output_size"] == 1 and mine["test_conv1d_torch"] == 1


def test_the_feedback_shows_no_hidden_case(course):
    path, _ = course
    html = (path / "feedback" / "carol" / "ps1" / "01_conv1d.html").read_text()
    assert "hidden case" in html and "BEGIN HIDDEN TESTS" not in html
    hidden = [unescape(h) for h in re.findall(r"hidden case \d+: ([^<\n]*)", html)]
    # no number (a digit that starts a token); names such as conv1d or float32 may show
    assert hidden and not any(re.search(r"(?<![\w.])\d", h) for h in hidden), hidden
    forbidden = (path / "feedback" / "dave" / "ps1" / "01_conv1d.html").read_text()
    assert "would score 0 when graded" in forbidden
