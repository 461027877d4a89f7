"""The grader: right answers score full marks, stubs zero, hostile submissions what they earn.

One batch (module fixture) grades every submission, two workers in parallel, with a short
timeout and small limits, then each test reads its rows. Submissions are made from
solutions/00 and 01 by tests/grading_submissions.py.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import grading_submissions as gs  # noqa: E402

from course.grading import Limits, grade  # noqa: E402
from course.grading.batch import load_results, pending  # noqa: E402
from course.grading.forbidden import static_violations  # noqa: E402
from course.grading.sandbox import UID_BASE  # noqa: E402
from course.grading.scoring import redact  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ("00_setup", "01_conv1d")
TIMEOUT = 5
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the sandbox tests need Linux")


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.skip("the full sandbox (namespaces, own user id) needs root; see README")
    tmp = tmp_path_factory.mktemp("grading")
    solutions = tmp / "solutions"
    solutions.mkdir()
    for name in NOTEBOOKS:
        shutil.copy(ROOT / "solutions" / f"{name}.ipynb", solutions)
    canary = tmp / "canary.txt"
    canary.write_text("still here")
    subs = tmp / "submissions"
    sol = {n: nbformat.read(solutions / f"{n}.ipynb", as_version=4) for n in NOTEBOOKS}
    for name in NOTEBOOKS:
        gs.write(gs.handed_in(sol[name]), subs / "right" / f"{name}.ipynb")
        shutil.copy(ROOT / "notebooks" / f"{name}.ipynb", subs / f"stub__{name}.ipynb")
    for student, cell in gs.hostile_conv1d(canary, solutions).items():
        gs.write(gs.replace_cell(gs.handed_in(sol["01_conv1d"]), "conv1d", cell),
                 subs / student / "01_conv1d.ipynb")
    gs.write(gs.fork_bomb(sol["01_conv1d"]), subs / "fork_bomb" / "01_conv1d.ipynb")
    gs.write(gs.read_solutions(sol["01_conv1d"], solutions), subs / "read_solutions" /
             "01_conv1d.ipynb")
    gs.write(gs.other_cell_alias(sol["01_conv1d"]), subs / "forbidden_elsewhere" /
             "01_conv1d.ipynb")
    gs.write(gs.tampered(sol["01_conv1d"], delete=False), subs / "edited" / "01_conv1d.ipynb")
    gs.write(gs.tampered(sol["01_conv1d"], delete=True), subs / "deleted" / "01_conv1d.ipynb")
    (subs / "corrupt").mkdir()
    (subs / "corrupt" / "01_conv1d.ipynb").write_text('{"cells": [ {"cell_type": "co')
    (subs / "unknown__99_nothing.ipynb").write_text("{}")
    out = tmp / "out"
    limits = Limits(timeout=TIMEOUT, memory=3 * 2**30, output=8 * 2**20, nproc=24)
    rows = grade(subs, out, solutions, jobs=2, limits=limits, seed=12345)
    by = {}
    for r in rows:
        by.setdefault(r["student"], {})[(r["notebook"], r["exercise"])] = r
    return {"rows": rows, "by": by, "out": out, "subs": subs, "solutions": solutions,
            "canary": canary, "tmp": tmp}


def conv1d(batch, student):
    return batch["by"][student][("01_conv1d", "test_conv1d")]


def total(batch, student):
    mine = batch["by"][student].values()
    return sum(r["points"] for r in mine), sum(r["max"] for r in mine)


def test_solutions_score_full_marks(batch):
    got, most = total(batch, "right")
    assert got == most == 12
    assert {r["status"] for r in batch["by"]["right"].values()} == {"graded"}


def test_stubs_score_zero(batch):
    got, most = total(batch, "stub")
    assert (got, most) == (0, 12)
    assert all("not done" in r["message"] for r in batch["by"]["stub"].values())


@pytest.mark.parametrize("student", ["wrong_flip", "patch_allclose", "redefine_check",
                                     "fake_passed", "visible_only"])
def test_wrong_answers_earn_nothing_however_they_cheat(batch, student):
    row = conv1d(batch, student)
    assert (row["points"], row["status"]) == (0, "graded"), row
    others = [r for (nb, ex), r in batch["by"][student].items()
              if ex not in ("test_conv1d", "test_convolve_valid")]  # the latter calls conv1d
    assert all(r["points"] == r["max"] for r in others)  # one exercise never costs the others


def test_diagnosis_reaches_the_gradebook_and_hidden_cases_show_no_numbers(batch):
    assert "flipped" in conv1d(batch, "wrong_flip")["message"]
    msg = conv1d(batch, "visible_only")["message"]  # visible cases pass, hidden ones do not
    hidden = msg.split("hidden case ")[1].split(":", 1)[1]
    assert "shape" in hidden and not any(ch.isdigit() for ch in hidden)
    assert redact("output shape is (3,) but expected (41,)") == \
        "output shape is (…,) but expected (…,)"


@pytest.mark.parametrize("student, status", [
    ("sys_exit", "error"), ("os_exit", "no output"), ("endless_loop", "timeout"),
    ("memory_bomb", "memory"), ("fork_bomb", "error"), ("huge_output", "error")])
def test_hostile_code_gets_its_status(batch, student, status):
    exercise = "test_conv1d_output_size" if student == "fork_bomb" else "test_conv1d"
    row = batch["by"][student][("01_conv1d", exercise)]
    assert (row["points"], row["status"]) == (0, status), row


def test_a_crash_or_hang_keeps_earlier_results_and_marks_the_rest(batch):
    rows = batch["by"]["endless_loop"]
    assert rows[("01_conv1d", "test_conv1d_output_size")]["status"] == "timeout"
    assert "not reached" in rows[("01_conv1d", "test_conv1d_output_size")]["message"]
    sys_exit = batch["by"]["sys_exit"]  # SystemExit inside the function: the rest still runs
    assert sys_exit[("01_conv1d", "test_conv1d_output_size")]["points"] == 1


@pytest.mark.parametrize("student", ["forbidden_direct", "forbidden_alias", "forbidden_getattr",
                                     "forbidden_importlib", "forbidden_dunder_import",
                                     "forbidden_torch", "forbidden_elsewhere"])
def test_forbidden_shortcuts_score_zero_with_a_reason(batch, student):
    row = conv1d(batch, student)
    assert (row["points"], row["status"]) == (0, "forbidden"), row
    assert "forbidden shortcut" in row["message"]


def test_tripwire_catches_what_the_source_hides(batch):
    assert "while running" in conv1d(batch, "forbidden_elsewhere")["message"]


def test_locked_cells_edited_or_deleted_are_flagged_and_the_instructors_version_counts(batch):
    edited = conv1d(batch, "edited")
    assert (edited["status"], edited["points"]) == ("tampered", 3)
    deleted = batch["by"]["deleted"][("01_conv1d", "test_conv1d_stride")]
    assert (deleted["status"], deleted["points"]) == ("tampered", 2)
    assert "deleted" in deleted["message"]


def test_unreadable_or_unknown_notebooks(batch):
    rows = batch["by"]["corrupt"].values()
    assert len(rows) == 5 and {r["status"] for r in rows} == {"invalid notebook"}
    assert batch["by"]["unknown"][("99_nothing", "")]["status"] == "invalid notebook"


def test_sandbox_hides_the_solutions_and_protects_files(batch):
    assert batch["canary"].read_text() == "still here"
    assert (batch["solutions"] / "01_conv1d.ipynb").is_file()
    assert (ROOT / "solutions" / "01_conv1d.ipynb").is_file()
    # this submission would have earned the point had it read a solution notebook
    row = batch["by"]["read_solutions"][("01_conv1d", "test_conv1d_output_size")]
    assert (row["points"], row["status"]) == (0, "graded"), row


def test_no_process_of_a_child_survives(batch):
    left = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            uid = int(next(line for line in status.read_text().splitlines()
                           if line.startswith("Uid:")).split()[1])
        except (OSError, StopIteration, ValueError):
            continue
        if uid >= UID_BASE:
            left.append(status.parent.name)
    assert not left


def test_gradebook_feedback_and_resume(batch):
    out = batch["out"]
    book = json.loads((out / "grades.json").read_text())
    assert len(book) == len(batch["rows"])
    assert set(book[0]) == {"student", "notebook", "exercise", "points", "max", "status",
                            "message"}
    assert (out / "grades.csv").read_text().startswith("student,notebook,exercise,points")
    feedback = (out / "feedback" / "visible_only.md").read_text()
    assert "# Feedback for visible_only" in feedback and "hidden case" in feedback
    assert (out / "feedback" / "right.md").read_text().count("✓") == 9
    # a re-run grades nothing again; a changed submission is graded again
    done = load_results(out)
    assert pending(batch["subs"], batch["solutions"], done) == []
    path = batch["subs"] / "wrong_flip" / "01_conv1d.ipynb"
    path.write_text(path.read_text() + " ")
    assert [s.key for s, _ in pending(batch["subs"], batch["solutions"], done)] == \
        ["wrong_flip/01_conv1d.ipynb"]


def test_static_analysis_sees_through_aliases_and_dynamic_access():
    forbid = ("numpy.convolve", "scipy", "torch", "numpy.lib.stride_tricks")
    aliases = {"np": "numpy", "F": "torch.nn.functional"}
    bad = ["np.convolve(x, k)", "import scipy.signal as s", "from numpy import convolve",
           "F.conv1d(a, b)", "np.lib.stride_tricks.sliding_window_view(x, 3)",
           "getattr(np, name)", "getattr(np, 'convolve')", "__import__('numpy')",
           "import importlib", "eval('np.convolve')", "np.__dict__['convolve']",
           "import sys\nsys.modules['numpy']"]
    for src in bad:
        assert static_violations(src, forbid, aliases), src
    fine = ["np.zeros(3)", "out = x[i:i + w] * k", "getattr(obj, 'shape')", "np.sum(x)"]
    for src in fine:
        assert static_violations(src, forbid, aliases) == [], src
    assert static_violations("np.convolve(x, k)", (), aliases) == []


def test_the_parent_trusts_nothing_the_child_wrote(tmp_path):
    """Links, deep nesting, pickles, lies about types and counts: no crash, no point."""
    import numpy as np

    from course.grading.plan import make_plan
    from course.grading.scoring import score

    sol = nbformat.read(ROOT / "solutions" / "01_conv1d.ipynb", as_version=4)
    plan = make_plan(sol, gs.handed_in(sol), "01_conv1d.ipynb", seed=3)
    job = tmp_path / "job"
    job.mkdir()
    (job / "running.txt").write_text("9")
    (job / "ex_0.json").symlink_to(ROOT / "solutions" / "01_conv1d.ipynb")
    (job / "ex_1.json").write_text("[" * 100_000 + "]" * 100_000)
    (job / "ex_1.npz").write_bytes(b"")
    np.savez(job / "ex_2.npz", c0_out=np.array([object()], dtype=object))
    (job / "ex_2.json").write_text(json.dumps([{"output": {"kind": "array", "key": "c0_out"}}]
                                              * len(plan.exercises[1].calls[1].cases)))
    np.savez(job / "ex_3.npz")
    (job / "ex_3.json").write_text(json.dumps([{"output": {"kind": "number", "value": "7"}}]))
    rows = score(plan, job, {"rc": 0, "signal": None, "timeout": False}, "mallory", "01_conv1d")
    assert sum(r.points for r in rows) == 0
    assert {r.status for r in rows} <= {"no output"}
