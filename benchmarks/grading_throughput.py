"""Benchmark: how many submissions per minute `python -m course grade` handles here.

Makes 50 submissions in a temporary folder from solutions/00_setup and 01_conv1d (right
answers, untouched stubs, wrong answers, forbidden shortcuts and hostile code: an endless loop,
a memory bomb, sys.exit, os._exit, a fork bomb, huge output), grades them with the default
number of workers, and prints the rate, with and without the start-up (imports and zygotes).

    .venv/bin/python benchmarks/grading_throughput.py [--jobs N] [--timeout S]

Target: at least 30 submissions per minute on a 2-core laptop, so that 300 submissions take
about 10 minutes.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
import grading_submissions as gs  # noqa: E402

from course.grading import Limits, grade  # noqa: E402


def make(subs: Path, solutions: Path, canary: Path) -> int:
    sol = {n: nbformat.read(solutions / f"{n}.ipynb", as_version=4)
           for n in ("00_setup", "01_conv1d")}
    hostile = gs.hostile_conv1d(canary, solutions)
    kinds = ["right"] * 15 + ["stub"] * 8 + ["wrong_flip", "visible_only", "patch_allclose",
                                              "redefine_check", "fake_passed"] * 2 + \
        [k for k in hostile if k.startswith("forbidden")] + \
        ["endless_loop", "memory_bomb", "sys_exit", "os_exit", "huge_output", "delete_files",
         "fork_bomb", "read_solutions", "edited", "deleted", "corrupt"]
    n = 0
    for i, kind in enumerate(kinds[:50]):
        student = f"s{i:02d}_{kind}"
        name = "00_setup" if kind in ("right", "stub") and i % 2 else "01_conv1d"
        path = subs / student / f"{name}.ipynb"
        if kind == "right":
            gs.write(gs.handed_in(sol[name]), path)
        elif kind == "stub":
            path.parent.mkdir(parents=True)
            shutil.copy(ROOT / "notebooks" / f"{name}.ipynb", path)
        elif kind in hostile:
            gs.write(gs.replace_cell(gs.handed_in(sol[name]), "conv1d", hostile[kind]), path)
        elif kind == "fork_bomb":
            gs.write(gs.fork_bomb(sol[name]), path)
        elif kind == "read_solutions":
            gs.write(gs.read_solutions(sol[name], solutions), path)
        elif kind in ("edited", "deleted"):
            gs.write(gs.tampered(sol[name], delete=kind == "deleted"), path)
        else:
            path.parent.mkdir(parents=True)
            path.write_text('{"cells": [')
        n += 1
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--timeout", type=float, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        solutions = tmp / "solutions"
        solutions.mkdir()
        for name in ("00_setup", "01_conv1d"):
            shutil.copy(ROOT / "solutions" / f"{name}.ipynb", solutions)
        canary = tmp / "canary.txt"
        canary.write_text("still here")
        n = make(tmp / "submissions", solutions, canary)
        stamps: list[float] = []
        start = time.perf_counter()
        rows = grade(tmp / "submissions", tmp / "out", solutions, jobs=args.jobs,
                     limits=Limits(timeout=args.timeout), progress=lambda r: stamps.append(
                         time.perf_counter()))
        wall = time.perf_counter() - start
        statuses = Counter(r["status"] for r in rows)
        steady = (stamps[-1] - stamps[0]) / max(1, len(stamps) - 1) if len(stamps) > 1 else wall
        print(f"{n} submissions graded in {wall:.1f} s: {60 * n / wall:.1f} per minute "
              f"including start-up; {60 / steady:.1f} per minute once started")
        print("statuses:", dict(sorted(statuses.items())))
        print("canary intact:", canary.read_text() == "still here")


if __name__ == "__main__":
    main()
