"""The grader against hostile submissions: each gets its status and no point it did not earn.

One batch (module fixture) grades the whole suite of tests/grading_submissions.py, two
workers in parallel, with controls first and last, then each test reads its rows. A second,
one-worker batch runs a student who plants files in /tmp, /dev/shm and home, then one who
looks for them. Notebooks 07-12 take their submissions from the current solutions/.
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

from course.checks.forbid import CONVOLUTION, static_reasons  # noqa: E402
from course.grading import Limits, grade  # noqa: E402
from course.grading.batch import discover, load_results, pending  # noqa: E402
from course.grading.reports import feedback_names  # noqa: E402
from course.grading.sandbox import bubblewrap  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60  # per submission, as `course grade` (09 checks two AlexNets: ~25 s on a busy 2-core machine)
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the grader's sandbox needs Linux")
needs_bwrap = pytest.mark.skipif(bubblewrap() is None,
                                 reason="bubblewrap is not installed: `make test` installs it "
                                        "as root; otherwise apt-get install bubblewrap")


def _solutions(tmp: Path) -> Path:
    solutions = tmp / "solutions"
    shutil.copytree(ROOT / "solutions", solutions)
    return solutions


def _write_suite(subs: Path, solutions: Path, canary: Path) -> list[gs.Hostile]:
    sol = {p.stem: nbformat.read(p, as_version=4) for p in solutions.glob("*.ipynb")}
    suite = [h for h in gs.hostile(canary, solutions) if not h.skip]  # known bugs: not graded
    for h in suite:
        nb = gs.handed_in(sol[h.notebook])
        for gid, source in h.cells.items():
            nb = gs.replace_cell(nb, gid, source)
        gs.write(nb, subs / h.student / f"{h.notebook}.ipynb")
    for name in ("aaa_control", "zzz_control"):
        for notebook in ("01_conv1d", "05_pooling", "11_resnet"):
            gs.write(gs.handed_in(sol[notebook]), subs / name / f"{notebook}.ipynb")
    for notebook in ("00_setup", "01_conv1d"):
        shutil.copy(ROOT / "notebooks" / f"{notebook}.ipynb", subs / f"stub__{notebook}.ipynb")
        shutil.copy(ROOT / "notebooks" / "fr" / f"{notebook}.ipynb",
                    subs / f"stub_fr__{notebook}.ipynb")
    for notebook in ("01_conv1d", "05_pooling"):  # the French edition, solved
        french = nbformat.read(ROOT / "notebooks" / "fr" / f"{notebook}.ipynb", as_version=4)
        gs.write(gs.answered(french, sol[notebook]), subs / "fr_control" / f"{notebook}.ipynb")
    return suite


def _write_bookkeeping(subs: Path, solutions: Path) -> None:
    sol = nbformat.read(solutions / "01_conv1d.ipynb", as_version=4)
    gs.write(_tampered(sol, delete=False), subs / "edited" / "01_conv1d.ipynb")
    gs.write(_tampered(sol, delete=True), subs / "deleted" / "01_conv1d.ipynb")
    (subs / "corrupt").mkdir()
    (subs / "corrupt" / "01_conv1d.ipynb").write_text('{"cells": [ {"cell_type": "co')
    (subs / "unknown__99_nothing.ipynb").write_text("{}")
    (subs / "linker").mkdir()
    (subs / "linker" / "01_conv1d.ipynb").symlink_to(solutions / "01_conv1d.ipynb")
    for where in ("a", "b", "c"):
        gs.write(gs.handed_in(sol), subs / "thrice" / where / "01_conv1d.ipynb")
    for name in ("a b", "a_b", "$(touch pwned)"):
        gs.write(gs.handed_in(sol), subs / name / "01_conv1d.ipynb")


def _tampered(solution, delete: bool):
    nb = gs.handed_in(solution)
    if delete:
        nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id")
                    != "test_conv1d_stride"]
    else:
        for c in nb.cells:
            if c.metadata.get("nbgrader", {}).get("grade_id") == "test_conv1d":
                c.source = 'print("✓ conv1d: all 6 cases pass")'
    return nb


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("grading")
    solutions = _solutions(tmp)
    canary = tmp / "canary.txt"
    canary.write_text("still here")
    subs = tmp / "submissions"
    suite = _write_suite(subs, solutions, canary)
    _write_bookkeeping(subs, solutions)
    out = tmp / "out"
    limits = Limits(timeout=TIMEOUT, memory=3 * 2**30, output=8 * 2**20, nproc=48)
    rows = grade(subs, out, solutions, jobs=2, limits=limits, seed=12345)
    by: dict = {}
    for r in rows:
        by.setdefault(r["student"], {})[(r["notebook"], r["exercise"])] = r
    points = {nb: {gid: p for gid, p in gs_points(solutions / f"{nb}.ipynb")}
              for nb in {h.notebook for h in suite}}
    return {"rows": rows, "by": by, "out": out, "subs": subs, "solutions": solutions,
            "canary": canary, "tmp": tmp, "suite": {h.student: h for h in suite},
            "points": points}


def gs_points(path: Path) -> list[tuple[str, float]]:
    nb = nbformat.read(path, as_version=4)
    return [(c.metadata["nbgrader"]["grade_id"], float(c.metadata["nbgrader"]["points"]))
            for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and
            not c.metadata["nbgrader"].get("solution")]


def total(batch, student):
    mine = batch["by"][student].values()
    return sum(r["points"] for r in mine), sum(r["max"] for r in mine)


SUITE_STUDENTS = [pytest.param(h.student, marks=pytest.mark.skip(reason=h.skip)) if h.skip
                  else h.student for h in gs.hostile(Path("/c"), Path("/s"))]


@needs_bwrap
@pytest.mark.parametrize("student", SUITE_STUDENTS)
def test_hostile_submission_gets_its_status_and_no_undeserved_point(batch, student):
    h = batch["suite"][student]
    rows = {ex: r for (nb, ex), r in batch["by"][student].items() if nb == h.notebook}
    for test, (points, status) in h.expect.items():
        row = rows[test]
        want = row["max"] if points == gs.FULL else points
        assert (row["points"], row["status"]) == (want, status), row
        if test in h.says:
            assert h.says[test] in row["message"], row
    for test, row in rows.items():  # one exercise never costs the others
        if test not in h.expect and not h.others_zero:
            assert row["points"] == row["max"], row
        if h.others_zero and test not in h.expect:
            assert row["points"] == 0, row


@needs_bwrap
def test_controls_first_and_last_score_full_marks(batch):
    for name in ("aaa_control", "zzz_control"):
        got, most = total(batch, name)
        assert got == most > 0, batch["by"][name]
        assert {r["status"] for r in batch["by"][name].values()} == {"graded"}


@needs_bwrap
def test_stubs_score_zero(batch):
    got, most = total(batch, "stub")
    assert (got, most) == (0, 12)
    assert all("not done" in r["message"] for r in batch["by"]["stub"].values())


@needs_bwrap
def test_a_french_notebook_grades_like_the_english_one(batch):
    """The French edition's cells are matched to the solution by grade_id: same rows, same
    points, solved or not."""
    french, english = batch["by"]["fr_control"], batch["by"]["aaa_control"]
    assert french and {k: (r["points"], r["max"], r["status"]) for k, r in french.items()} == \
        {k: (r["points"], r["max"], r["status"]) for k, r in english.items()
         if k[0] in ("01_conv1d", "05_pooling")}
    stub_fr, stub = batch["by"]["stub_fr"], batch["by"]["stub"]
    assert {k: (r["points"], r["max"]) for k, r in stub_fr.items()} == \
        {k: (r["points"], r["max"]) for k, r in stub.items()}
    assert all(r["points"] == 0 and "not done" in r["message"] for r in stub_fr.values())


@needs_bwrap
def test_forbidden_shortcuts_name_the_reason(batch):
    for student, h in batch["suite"].items():
        for test, (_, status) in h.expect.items():
            if status == "forbidden":
                msg = batch["by"][student][(h.notebook, test)]["message"]
                assert "forbidden" in msg or "not allowed" in msg or "No module" in msg, msg


@needs_bwrap
def test_hidden_cases_show_no_numbers(batch):
    msg = batch["by"]["visible_only"][("01_conv1d", "test_conv1d")]["message"]
    hidden = msg.split("hidden case ")[1].split(":", 1)[1]
    assert "shape" in hidden and not any(ch.isdigit() for ch in hidden)


@needs_bwrap
def test_a_hang_marks_what_it_did_not_reach(batch):
    rows = batch["by"]["sleepy_block"]
    assert "not reached" in rows[("11_resnet", "test_resnet_basic_block")]["message"]


def test_locked_cells_edited_or_deleted_are_flagged_and_the_instructors_version_counts(batch):
    edited = batch["by"]["edited"][("01_conv1d", "test_conv1d")]
    assert (edited["status"], edited["points"]) == ("tampered", 3)
    deleted = batch["by"]["deleted"][("01_conv1d", "test_conv1d_stride")]
    assert (deleted["status"], deleted["points"]) == ("tampered", 2)
    assert "deleted" in deleted["message"]


def test_unreadable_unknown_linked_or_duplicated_notebooks(batch):
    rows = batch["by"]["corrupt"].values()
    assert len(rows) == 5 and {r["status"] for r in rows} == {"invalid notebook"}
    assert batch["by"]["unknown"][("99_nothing", "")]["status"] == "invalid notebook"
    linked = batch["by"]["linker"].values()
    assert {r["status"] for r in linked} == {"refused"} and sum(r["points"] for r in linked) == 0
    thrice = batch["by"]["thrice"].values()
    assert len(thrice) == 5 and {r["status"] for r in thrice} == {"duplicate"}
    assert sum(r["points"] for r in thrice) == 0 and "3 times" in next(iter(thrice))["message"]


def test_names_are_data_never_commands(batch):
    assert not Path("pwned").exists() and not (batch["tmp"] / "pwned").exists()
    assert total(batch, "$(touch pwned)")[0] == 8
    names = feedback_names(["a b", "a_b", "$(touch pwned)", "alice"])
    assert len(set(names.values())) == 4 and names["alice"] == "alice.md"
    files = {p.name for p in (batch["out"] / "feedback").iterdir()}
    assert {names["a b"], names["a_b"]} <= files


@needs_bwrap
def test_the_sandbox_hides_the_solutions_and_protects_files(batch):
    assert batch["canary"].read_text() == "still here"
    assert (batch["solutions"] / "01_conv1d.ipynb").is_file()
    row = batch["by"]["read_solutions"][("01_conv1d", "test_conv1d_output_size")]
    assert (row["points"], row["status"]) == (0, "graded"), row


def test_no_process_of_a_child_survives(batch):
    import subprocess

    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert "course.grading.zygote" not in ps and "time.sleep" not in ps


def test_gradebook_feedback_and_resume(batch):
    out = batch["out"]
    book = json.loads((out / "grades.json").read_text())
    assert len(book) == len(batch["rows"])
    assert set(book[0]) == {"student", "notebook", "exercise", "points", "max", "status",
                            "message"}
    assert (out / "grades.csv").read_text().startswith("student,notebook,exercise,points")
    feedback = (out / "feedback" / "visible_only.md").read_text()
    assert "# Feedback for visible_only" in feedback and "hidden case" in feedback
    done = load_results(out)
    assert pending(batch["subs"], batch["solutions"], done) == []
    path = batch["subs"] / "wrong_flip" / "01_conv1d.ipynb"
    path.write_text(path.read_text() + " ")
    assert [s.key for s, _ in pending(batch["subs"], batch["solutions"], done)] == \
        ["wrong_flip/01_conv1d.ipynb"]


@needs_bwrap
def test_each_submission_has_its_own_tmp(tmp_path):
    solutions = _solutions(tmp_path)
    sol = nbformat.read(solutions / "01_conv1d.ipynb", as_version=4)
    subs = tmp_path / "submissions"
    for student, cell in (("a_writer", gs.tmp_writer()), ("b_reader", gs.tmp_reader())):
        gs.write(gs.replace_cell(gs.handed_in(sol), "conv1d_output_size", cell),
                 subs / student / "01_conv1d.ipynb")
    rows = grade(subs, tmp_path / "out", solutions, jobs=1, seed=1,
                 limits=Limits(timeout=TIMEOUT))
    reader = [r for r in rows if r["student"] == "b_reader" and
              r["exercise"] == "test_conv1d_output_size"]
    assert reader[0]["points"] == 1, reader
    assert not Path("/tmp/planted").exists() and not Path("/dev/shm/planted").exists()


def test_a_course_kept_in_tmp_stays_visible_to_its_children(tmp_path, monkeypatch):
    """A clone and its virtual environment in /tmp: the sandbox mounts its empty /tmp before
    binding them, and a child's private /tmp binds them back (without them, no child starts)."""
    from course.grading import child, sandbox

    repo = tmp_path / "clone"
    for folder in ("course", ".venv/lib/site-packages"):
        (repo / folder).mkdir(parents=True)
    monkeypatch.setattr(child, "COURSE", str(repo / "course"))
    monkeypatch.setattr(sys, "prefix", str(repo / ".venv"))
    monkeypatch.setattr(sys, "path", [str(repo / ".venv/lib/site-packages"), "__a_hook__",
                                      str(tmp_path.parent)])
    top = str(tmp_path.parent)  # the folder of pytest's temporary folders, under /tmp
    assert child._needed_under(str(tmp_path)) == [os.path.realpath(repo / ".venv"),
                                                  os.path.realpath(repo / "course")]
    assert child._needed_under(os.path.dirname(top)) == [os.path.realpath(top)]
    command = sandbox.bwrap_command(CONVOLUTION.libraries)
    first_bind = next(i for i, a in enumerate(command) if a.startswith("--ro-bind"))
    assert command.index("/tmp") < first_bind


def test_discovery_refuses_links_and_marks_duplicates(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "01_conv1d.ipynb").write_text("{}")
    (tmp_path / "y").symlink_to(tmp_path / "x")
    found = {s.key: s for s in discover(tmp_path)}
    assert found["y/01_conv1d.ipynb"].status == "refused"
    assert found["x/01_conv1d.ipynb"].status == "graded"


def test_static_analysis_sees_through_aliases_and_dynamic_access():
    aliases = {"np": "numpy", "F": "torch.nn.functional", "plt": "matplotlib.pyplot"}
    bad = ["np.convolve(x, k)", "import scipy.signal as s", "from numpy import convolve",
           "F.conv1d(a, b)", "getattr(np, name)", "getattr(np, 'convolve')",
           "__import__('numpy')", "import importlib", "eval('np.convolve')",
           "np.__dict__['convolve']", "import sys\nsys.modules['numpy']", "_g = getattr",
           "_n = np\n_n.correlate(x, k)", "plt.np.correlate(x, k)",
           "np._core.multiarray.correlate2(x, k, 0)", "from course import reference",
           "list(map(np.correlate, [x], [k]))", "import os\nos.system('python')"]
    for src in bad:
        assert static_reasons(src, CONVOLUTION, aliases), src
    fine = ["np.zeros(3)", "out = x[i:i + w] * k", "getattr(obj, 'shape')", "np.sum(x)",
            "from numpy.lib.stride_tricks import sliding_window_view"]
    for src in fine:
        assert static_reasons(src, CONVOLUTION, aliases) == [], src


def test_a_student_source_never_makes_the_grader_import_a_module():
    before = set(sys.modules)
    static_reasons("import antigravity\nimport this", CONVOLUTION, {})
    assert "antigravity" not in set(sys.modules) - before and "this" not in sys.modules
