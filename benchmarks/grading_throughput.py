"""Benchmark: how many submissions per minute `python -m course grade` handles here.

Makes COUNT submissions of one notebook in a temporary folder from solutions/ (right answers,
untouched stubs, and that notebook's entries of the hostile suite in tests/grading_submissions:
wrong answers, forbidden shortcuts, an endless loop, a memory bomb, a fork bomb, ...), grades
them with the default number of workers, and prints the rate, with and without the start-up
(imports and zygotes).

    .venv/bin/python benchmarks/grading_throughput.py [--notebook 01_conv1d] [--count 50]
                                                      [--jobs N] [--timeout S]

Target: at least 100 submissions per minute for 01_conv1d on 2 cores.
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


def make(subs: Path, solutions: Path, canary: Path, notebook: str, count: int) -> int:
    """`count` submissions of one notebook: right answers, stubs, and the hostile suite's
    entries for that notebook (wrong answers, forbidden shortcuts, hostile code)."""
    sol = nbformat.read(solutions / f"{notebook}.ipynb", as_version=4)
    suite = [h for h in gs.hostile(canary, solutions) if h.notebook == notebook]
    kinds: list = ["right"] * (count // 3) + ["stub"] * (count // 6) + suite
    for i in range(count):
        kind = kinds[i % len(kinds)]
        path = subs / f"s{i:03d}" / f"{notebook}.ipynb"
        if kind == "right":
            gs.write(gs.handed_in(sol), path)
        elif kind == "stub":
            path.parent.mkdir(parents=True)
            shutil.copy(ROOT / "notebooks" / f"{notebook}.ipynb", path)
        else:
            nb = gs.handed_in(sol)
            for gid, source in kind.cells.items():
                nb = gs.replace_cell(nb, gid, source)
            gs.write(nb, path)
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--timeout", type=float, default=10)
    parser.add_argument("--notebook", default="01_conv1d")
    parser.add_argument("--count", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        solutions = tmp / "solutions"
        shutil.copytree(ROOT / "solutions", solutions)
        canary = tmp / "canary.txt"
        canary.write_text("still here")
        n = make(tmp / "submissions", solutions, canary, args.notebook, args.count)
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
