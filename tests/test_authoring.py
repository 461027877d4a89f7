"""Single source: solutions/ -> notebooks/, stubs, hidden tests, locking, leaks, bad sources."""
import subprocess
import sys
import types

import nbformat
import numpy as np
import pytest

from course import authoring
from course.authoring import SourceError, build, build_notebook, check
from course.checks import Case, Notebook


def sol(gid, src):
    c = nbformat.v4.new_code_cell(src)
    c.metadata["nbgrader"] = {"grade": False, "grade_id": gid, "locked": False,
                              "schema_version": 3, "solution": True, "task": False}
    return c


def test_(gid, src, points=1):
    c = nbformat.v4.new_code_cell(src)
    c.metadata["nbgrader"] = {"grade": True, "grade_id": gid, "locked": True, "points": points,
                              "schema_version": 3, "solution": False, "task": False}
    return c


test_.__test__ = False  # a cell factory, not a test


def notebook(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


SOLUTION = '''def f(x):
    """Double x."""
    ### BEGIN SOLUTION
    y = 2 * x
    return y
    ### END SOLUTION'''
TEST = '''check_f(f)
### BEGIN HIDDEN TESTS
check_f(f, hidden=True)
### END HIDDEN TESTS'''
SETUP = "from course.checks.demo import check_f"


@pytest.fixture
def demo(monkeypatch):
    """A module of checks for the notebook 99_demo, declaring f (and g, without cases)."""
    module = types.ModuleType("course.checks.demo")
    module.NOTEBOOK = Notebook("99_demo")
    cases = [Case("one", (1.0,), expected=np.asarray(2.0))]
    module.check_f = module.NOTEBOOK.check("f", lambda seed: (cases, cases), "Double x.")
    monkeypatch.setitem(sys.modules, "course.checks.demo", module)
    return module


def test_stub_hidden_tests_outputs_and_locks():
    s = sol("f", SOLUTION)
    s.outputs = [nbformat.v4.new_output("stream", text="secret output")]
    s.execution_count = 3
    md = nbformat.v4.new_markdown_cell("The answer is 42.")
    md.metadata["nbgrader"] = {"grade": True, "grade_id": "q1", "locked": False, "points": 1,
                               "schema_version": 3, "solution": True, "task": False}
    student = build_notebook(notebook(s, test_("t_f", TEST), md), "x.ipynb")
    setup, stub, test, answer = student.cells
    assert setup.id == "course-setup" and "find_spec(\"course\")" in setup.source
    assert stub.source == ('def f(x):\n    """Double x."""\n    # YOUR CODE HERE\n'
                           '    raise NotImplementedError("f is not done yet: replace this line '
                           'with your code")')
    assert stub.outputs == [] and stub.execution_count is None
    assert test.source == "check_f(f)"
    assert test.metadata["editable"] is False and test.metadata["deletable"] is False
    assert test.metadata["nbgrader"]["locked"] is True
    assert "editable" not in stub.metadata
    assert answer.source == "YOUR ANSWER HERE"


def test_stub_runs_and_names_the_exercise():
    student = build_notebook(notebook(sol("f", SOLUTION)), "x.ipynb")
    scope = {}
    exec(student.cells[1].source, scope)
    with pytest.raises(NotImplementedError, match="f is not done yet"):
        scope["f"](1)


@pytest.mark.parametrize("cells, words", [
    ([sol("f", "### BEGIN SOLUTION\nx = 1")], "cell 1: '### BEGIN SOLUTION' at line 1 is never closed"),
    ([sol("f", "x = 1\n### END SOLUTION")], "cell 1: '### END SOLUTION' at line 2 without"),
    ([sol("f", SOLUTION), sol("f", SOLUTION)], "cell 2: duplicate grade_id 'f' (first used in x.ipynb, cell 1)"),
    ([sol("f", "x = 1")], "has no '### BEGIN SOLUTION' block"),
    ([sol("f", "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION")], "inside another block"),
    ([sol("f", "### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS\n" + SOLUTION)], "not a test cell"),
    ([test_("t", "check(f)", points=None)], "needs a number of points"),
    ([nbformat.v4.new_code_cell("### BEGIN SOLUTION\n### END SOLUTION")], "without nbgrader metadata"),
])
def test_malformed_sources_name_notebook_and_cell(cells, words):
    with pytest.raises(SourceError) as err:
        build_notebook(notebook(*cells), "x.ipynb")
    assert words in str(err.value)
    assert str(err.value).startswith("x.ipynb, cell")


def test_cli_reports_source_error_without_traceback(tmp_path):
    (tmp_path / "src").mkdir()
    nbformat.write(notebook(sol("f", SOLUTION), sol("f", SOLUTION)), tmp_path / "src" / "bad.ipynb")
    r = subprocess.run([sys.executable, "-m", "course", "build", "--solutions",
                        str(tmp_path / "src"), "--notebooks", str(tmp_path / "out")],
                       capture_output=True, text=True)
    assert r.returncode == 2
    assert "bad.ipynb, cell 2: duplicate grade_id 'f'" in r.stderr
    assert "Traceback" not in r.stderr


def test_cli_reports_unreadable_notebook(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "broken.ipynb").write_text("{not json")
    r = subprocess.run([sys.executable, "-m", "course", "build", "--solutions",
                        str(tmp_path / "src"), "--notebooks", str(tmp_path / "out")],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "broken.ipynb: not a readable notebook" in r.stderr


def test_check_finds_stale_missing_extra_and_leaks(tmp_path, demo):
    src, out = tmp_path / "solutions", tmp_path / "notebooks"
    src.mkdir()
    nbformat.write(notebook(nbformat.v4.new_code_cell(SETUP), sol("f", SOLUTION),
                            test_("t_f", TEST)), src / "99_demo.ipynb")
    assert build(src, out) == [out / "99_demo.ipynb"]
    assert build(src, out) == []  # deterministic: nothing to rewrite
    assert check(src, out) == []

    student = nbformat.read(out / "99_demo.ipynb", as_version=4)
    student.cells = [c for c in student.cells if c.id != "course-setup"]
    student.cells[1].source += "\n    y = 2 * x"
    nbformat.write(student, out / "99_demo.ipynb")
    problems = check(src, out)
    assert any("out of date" in p for p in problems)
    assert any("leaked: 'y = 2 * x'" in p for p in problems)

    student.cells[1].source = student.cells[1].source.replace("    y = 2 * x", "")
    student.cells[2].source += "\ncheck_f(f, hidden=True)"
    nbformat.write(student, out / "99_demo.ipynb")
    assert any("leaked: 'check_f(f, hidden=True)'" in p for p in check(src, out))

    (out / "99_demo.ipynb").unlink()
    (out / "z.ipynb").write_text("{}")
    problems = check(src, out)
    assert any("notebooks/99_demo.ipynb is missing" in p for p in problems)
    assert any("notebooks/z.ipynb has no source" in p for p in problems)


def test_repository_notebooks_are_in_sync_and_leak_nothing(root):
    assert check(root / "solutions", root / "notebooks") == []


def test_every_solution_notebook_has_exercises(root):
    for path in sorted((root / "solutions").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        graded = [c for c in nb.cells if authoring.is_test(c)]
        solutions = [c for c in nb.cells if authoring.is_solution(c)]
        assert 3 <= len(graded) <= 6 or path.name.startswith("00") and len(graded) >= 3, path.name
        assert len(solutions) >= len(graded) - 1, path.name


@pytest.mark.parametrize("test_source, words", [
    ("cc = check_f\ncc(f)", "may only call checks"),
    ("from course.checks.demo import check_f as cc\ncc(f)", "may only call checks"),
    ("print(f(1))", "`print(...)` is not a check declared in course.checks"),
    ("check_f(f, seed=2026)", "takes only `hidden=True`"),
    ("check_f(lambda x: 2 * x)", "must be called with the student's function"),
    ("# nothing to run", "calls no check"),
])
def test_check_fails_on_a_test_cell_the_grader_could_not_plan(tmp_path, demo, test_source, words):
    """An aliased or unknown check would be graded as nothing: `course check` names the cell."""
    src, out = tmp_path / "solutions", tmp_path / "notebooks"
    src.mkdir()
    nbformat.write(notebook(nbformat.v4.new_code_cell(SETUP), sol("f", SOLUTION),
                            test_("t_f", test_source)), src / "99_demo.ipynb")
    build(src, out)
    problems = check(src, out)
    assert any(words in p and p.startswith("99_demo.ipynb, cell 3") for p in problems), problems


def test_check_fails_on_an_exercise_without_cases_or_without_a_test(tmp_path, demo):
    demo.check_g = demo.NOTEBOOK.check("g", lambda seed: ([], []), "Nothing.")
    src, out = tmp_path / "solutions", tmp_path / "notebooks"
    src.mkdir()
    nbformat.write(notebook(nbformat.v4.new_code_cell(SETUP + ", check_g"), sol("f", SOLUTION),
                            test_("t_f", TEST), sol("g", SOLUTION.replace("f(", "g(")),
                            test_("t_g", "check_g(g)")), src / "99_demo.ipynb")
    build(src, out)
    problems = check(src, out)
    assert any("0 visible and 0 hidden cases" in p for p in problems), problems
    demo.NOTEBOOK.check("h", lambda seed: ([], []), "Never tested.")
    assert any("h is declared" in p and "no test cell" in p for p in check(src, out))


def test_the_french_edition_is_built_from_the_same_source_and_guarded(tmp_path, demo):
    """Code cells are shared; markdown comes from solutions/fr/<name>.po keyed by cell id; a
    missing or stale translation is named with its notebook and cell."""
    from course.i18n import in_language
    from course.translations import notebook_po, read, update_notebook, write

    src, out = tmp_path / "solutions", tmp_path / "notebooks"
    (src / "fr").mkdir(parents=True)
    intro = nbformat.v4.new_markdown_cell("# 99 · Doubling\n\nDouble a number.")
    intro.id = "intro"
    nb = notebook(intro, nbformat.v4.new_code_cell(SETUP), sol("f", SOLUTION), test_("t_f", TEST))
    nbformat.write(nb, src / "99_demo.ipynb")
    po = notebook_po(src, "99_demo.ipynb")
    assert update_notebook(nb, po)
    build(src, out)
    problems = check(src, out)
    assert any("99_demo.ipynb, cell 1 (intro): the French translation is missing" in p
               for p in problems), problems

    catalog = read(po)
    catalog.get(intro.source, context="intro").string = "# 99 · Doubler\n\nDoublez un nombre."
    write(catalog, po)
    assert out / "fr" / "99_demo.ipynb" in build(src, out)
    assert check(src, out) == []
    french = nbformat.read(out / "fr" / "99_demo.ipynb", as_version=4)
    english = nbformat.read(out / "99_demo.ipynb", as_version=4)
    assert french.cells[0].source == "# 99 · Doubler\n\nDoublez un nombre."
    assert f"# {in_language('fr', authoring.CODE_STUB)}" in french.cells[3].source
    shared = [c.source for c in english.cells if c.cell_type == "code" and
              not authoring.is_solution(c) and c.id != "course-setup"]
    assert shared and shared == [c.source for c in french.cells if c.cell_type == "code" and
                                 not authoring.is_solution(c) and c.id != "course-setup"]

    intro.source += " Twice."  # the English changes: its French is stale until redone
    nbformat.write(nb, src / "99_demo.ipynb")
    update_notebook(nb, po)
    build(src, out)
    problems = check(src, out)
    assert any("cell 1 (intro): the French translation is stale" in p for p in problems)
    assert nbformat.read(out / "fr" / "99_demo.ipynb", as_version=4).cells[0].source == \
        intro.source  # English until translated again, never an outdated French
