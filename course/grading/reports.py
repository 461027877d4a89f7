"""The gradebook (grades.csv, grades.json) and one Markdown feedback file per student."""
from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Iterable

FIELDS = ("student", "notebook", "exercise", "points", "max", "status", "message")


def write_gradebook(rows: list[dict], out: Path) -> None:
    rows = sorted(rows, key=lambda r: (r["student"], r["notebook"]))
    with open(out / "grades.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows({k: r[k] for k in FIELDS} for r in rows)
    (out / "grades.json").write_text(json.dumps([{k: r[k] for k in FIELDS} for r in rows],
                                                indent=1), encoding="utf-8")


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name) or "_"


def _points(x: float) -> str:
    return f"{x:g}"


def write_feedback(rows: Iterable[dict], out: Path) -> list[Path]:
    """feedback/<student>.md: points, status and message per exercise (no hidden inputs:
    the messages of hidden cases were stripped of numbers when they were scored)."""
    folder = out / "feedback"
    folder.mkdir(parents=True, exist_ok=True)
    by_student: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_student[r["student"]].append(r)
    written = []
    for student, mine in sorted(by_student.items()):
        got, total = sum(r["points"] for r in mine), sum(r["max"] for r in mine)
        lines = [f"# Feedback for {student}", "", f"Total: **{_points(got)} / {_points(total)}**"
                 " points.", ""]
        for notebook in sorted({r["notebook"] for r in mine}):
            part = [r for r in mine if r["notebook"] == notebook]
            lines += [f"## {notebook}", "", "| exercise | points | status | feedback |",
                      "|---|---|---|---|"]
            for r in part:
                mark = "✓" if r["points"] == r["max"] and r["max"] > 0 else "✗"
                message = r["message"].replace("|", "\\|").replace("\n", " ")
                lines.append(f"| {mark} {r['exercise']} | {_points(r['points'])} / "
                             f"{_points(r['max'])} | {r['status']} | {message} |")
            lines.append("")
        path = folder / f"{_safe(student)}.md"
        path.write_text("\n".join(lines), encoding="utf-8")
        written.append(path)
    return written
