"""Grading a folder of submitted notebooks (python -m course grade SUBMISSIONS --out DIR).

One module per job: `plan` (what to run, from the instructor's notebook), `forbidden`
(shortcuts, found statically and dynamically), `sandbox` (the isolated child process),
`runner` (inside the child), `wire` (plain data in and out), `scoring` (scores, decided in the
parent), `reports` (gradebook and feedback), `batch` (the parallel, resumable run).
"""
from .batch import discover, grade
from .sandbox import Limits

__all__ = ["Limits", "discover", "grade"]
