"""The gradebook (grades.csv, grades.json) and one Markdown feedback file per student."""
from __future__ import annotations

import csv
import hashlib
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


def feedback_names(students: Iterable[str]) -> dict[str, str]:
    """student -> file name, readable and never shared by two students ("a b" and "a_b" both
    become a_b: each then gets a short fingerprint of its real name)."""
    safe = {s: re.sub(r"[^A-Za-z0-9_.-]", "_", s).strip(".") or "_" for s in students}
    taken = defaultdict(list)
    for student, name in safe.items():
        taken[name.lower()].append(student)
    return {s: (f"{name}-{hashlib.sha256(s.encode()).hexdigest()[:8]}"
                if len(taken[name.lower()]) > 1 or name != s else name) + ".md"
            for s, name in safe.items()}


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
    names = feedback_names(by_student)
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
        path = folder / names[student]
        path.write_text("\n".join(lines), encoding="utf-8")
        written.append(path)
    return written
