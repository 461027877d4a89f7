"""Every notebook of the course, graded: the solutions earn every point, the stubs none."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from course.grading import Limits, grade

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or os.geteuid() != 0,
                                reason="the full sandbox needs Linux and root; see README")


def test_every_notebook_full_marks_for_solutions_zero_for_stubs(tmp_path):
    subs = tmp_path / "submissions"
    for who, folder in (("solution", "solutions"), ("stub", "notebooks")):
        shutil.copytree(ROOT / folder, subs / who)
    rows = grade(subs, tmp_path / "out", ROOT / "solutions", jobs=2, seed=4242,
                 limits=Limits(timeout=120, memory=4 * 2**30, output=16 * 2**20, nproc=64))
    names = {p.stem for p in (ROOT / "solutions").glob("*.ipynb")}
    for who in ("solution", "stub"):
        mine = [r for r in rows if r["student"] == who]
        assert {r["notebook"] for r in mine} == names
    wrong = [r for r in rows if r["student"] == "solution" and
             (r["status"] != "graded" or r["points"] != r["max"])]
    assert not wrong, wrong
    earned = [r for r in rows if r["student"] == "stub" and r["points"] > 0]
    assert not earned, earned
