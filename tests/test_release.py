"""The student release: notebooks, package and install files, and no solution text at all."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from course.authoring import secret_lines
from course.release import ReleaseError, leaks, release

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ("00_setup", "01_conv1d")


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    """A copy of the repository with the finished notebooks only (others may be in progress)."""
    root = tmp_path_factory.mktemp("repo")
    (root / "solutions").mkdir()
    for name in NOTEBOOKS:
        shutil.copy(ROOT / "solutions" / f"{name}.ipynb", root / "solutions")
    shutil.copytree(ROOT / "course", root / "course",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "environment.yml"):
        shutil.copy(ROOT / name, root)
    shutil.copytree(ROOT / "binder", root / "binder")
    return root


def test_release_has_what_students_need_and_no_solutions(repo, tmp_path):
    dest = tmp_path / "release"
    files = {p.relative_to(dest).as_posix() for p in release(dest, repo)}
    assert {"README.md", "pyproject.toml", "environment.yml", "course/__init__.py",
            "course/checks/judge.py", "course/settings.json", "binder/postBuild",
            "notebooks/00_setup.ipynb",
            "notebooks/01_conv1d.ipynb"} <= files
    assert not any(f.startswith(("solutions/", "tests/")) for f in files)
    assert (dest / "notebooks" / "01_conv1d.ipynb").read_text() == \
        (ROOT / "notebooks" / "01_conv1d.ipynb").read_text()  # with its set-up cell
    assert "course-setup" in (dest / "notebooks" / "01_conv1d.ipynb").read_text()
    assert leaks(dest, repo / "solutions") == []
    # no hidden-test line nor any line of a solution block appears in a notebook
    import nbformat

    text = "\n".join((dest / "notebooks" / f"{n}.ipynb").read_text() for n in NOTEBOOKS)
    for n in NOTEBOOKS:
        for line in secret_lines(nbformat.read(repo / "solutions" / f"{n}.ipynb", 4)):
            assert line not in text


def test_a_planted_answer_or_hidden_test_is_found(repo, tmp_path):
    dest = tmp_path / "release"
    release(dest, repo)
    (dest / "course" / "cheat.py").write_text("check_conv1d(conv1d, hidden=True)\n")
    (dest / "course" / "copy.py").write_text(
        "W, w = len(x), len(k)\nout = np.zeros(W - w + 1, dtype=np.result_type(x, k, "
        "np.float32))\nfor i in range(W - w + 1):\n")
    found = "\n".join(leaks(dest, repo / "solutions"))
    assert "cheat.py: hidden test" in found and "copy.py: solution lines" in found


def test_release_refuses_to_overwrite_a_foreign_folder(repo, tmp_path):
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(ReleaseError, match="not a previous release"):
        release(tmp_path, repo)
    assert (tmp_path / "mine.txt").exists()
